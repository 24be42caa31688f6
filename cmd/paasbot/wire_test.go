package main

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
)

// TestGandiClients_PaidCallTimeout: the approvals' factory bounds a call
// by the timeout the engine asks for (the paid call's own), not by the
// default every other call gets: a default shorter than the call (here
// 50 ms against a 300 ms renewal; in production gandi's 30 s against a
// slow paas.renew) would leave a paid call that ran recorded as unknown.
func TestGandiClients_PaidCallTimeout(t *testing.T) {
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 1})
	sim.SeedDemo(gandisim.DemoAPIKey, 3)
	gate := testutil.NewGate(t, url)
	clients := newGandiClients(gate.URL, &http.Client{}, gandi.WithTimeout(50*time.Millisecond))
	ids := map[string]int{}
	list, err := gandi.NewClient(gandisim.DemoAPIKey, gandi.WithEndpoint(url)).PaaS.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		ids[in.Name] = in.ID
	}
	slowRenew := func() {
		h := gate.Hold("paas.renew", 1)
		go func() {
			<-h.Arrived()
			time.Sleep(300 * time.Millisecond)
			h.Release()
		}()
	}
	renew := gandi.RenewOptions{Duration: "1m"}

	slowRenew()
	if _, err := clients.forApprovals(gandisim.DemoAPIKey, 10*time.Second).PaaS.Renew(t.Context(), ids["shop-prod"], renew); err != nil {
		t.Errorf("a paid call within its own timeout failed: %v", err)
	}
	slowRenew()
	_, err = clients.forApprovals(gandisim.DemoAPIKey, 0).PaaS.Renew(t.Context(), ids["blog"], renew)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with the default timeout: %v, want the deadline", err)
	}
}

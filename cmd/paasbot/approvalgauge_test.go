package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/telemetry"
)

// gaugeFixture is a real store, real metrics and a /metrics endpoint.
type gaugeFixture struct {
	db      *store.DB
	metrics *httptest.Server
	logs    *syncBuffer
	r       *approvalGaugeRefresher
}

func newGaugeFixture(t *testing.T, every time.Duration) *gaugeFixture {
	t.Helper()
	db := testutil.OpenStore(t, nil)
	reg := telemetry.NewRegistry()
	m := telemetry.NewMetrics(reg)
	srv := httptest.NewServer(telemetry.NewHTTPHandler(m, reg, nil))
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	return &gaugeFixture{db: db, metrics: srv, logs: logs,
		r: &approvalGaugeRefresher{src: db, dst: m, every: every, logger: slog.New(slog.NewTextHandler(logs, nil))}}
}

// approvalLines returns the paasbot_approvals samples of /metrics.
func (f *gaugeFixture) approvalLines(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(f.metrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "paasbot_approvals{") {
			out = append(out, line)
		}
	}
	return out
}

func (f *gaugeFixture) create(t *testing.T) int64 {
	t.Helper()
	id, err := f.db.CreateApproval(t.Context(), &store.Approval{Team: "T0TEST", Channel: "C0DEV", Requester: "U0DANA",
		Action: "paas.renew", Target: "shop-prod", Params: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestApprovalGauge_RefreshCountsEachState(t *testing.T) {
	f := newGaugeFixture(t, time.Hour)
	f.r.refresh(t.Context())
	if got := f.approvalLines(t); len(got) != 0 {
		t.Errorf("empty store: gauge = %q, want no samples", got)
	}
	f.create(t)
	approved := f.create(t)
	if _, err := f.db.Decide(t.Context(), approved, store.StateApproved, "U0SAM", nil); err != nil {
		t.Fatal(err)
	}
	f.create(t)
	f.r.refresh(t.Context())
	want := []string{`paasbot_approvals{state="approved"} 1`, `paasbot_approvals{state="pending"} 2`}
	if got := f.approvalLines(t); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("gauge = %q, want %q", got, want)
	}
}

// TestApprovalGauge_RunRefreshesUntilCancelled: a request created while run
// is going shows up at a later tick, and run returns when its context ends.
func TestApprovalGauge_RunRefreshesUntilCancelled(t *testing.T) {
	f := newGaugeFixture(t, 5*time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { f.r.run(ctx) })
	f.create(t)
	want := `paasbot_approvals{state="pending"} 1`
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got = f.approvalLines(t); len(got) == 1 && got[0] == want {
			break
		}
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("gauge after a tick = %q, want %q", got, want)
	}
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

// TestApprovalGauge_FailedCountKeepsTheGauge: when the store cannot count,
// the last numbers stay and the failure is logged.
func TestApprovalGauge_FailedCountKeepsTheGauge(t *testing.T) {
	f := newGaugeFixture(t, time.Hour)
	f.create(t)
	f.r.refresh(t.Context())
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	f.r.refresh(t.Context())
	if got := f.approvalLines(t); len(got) != 1 || got[0] != `paasbot_approvals{state="pending"} 1` {
		t.Errorf("gauge after a failed count = %q, want the previous count", got)
	}
	if !strings.Contains(f.logs.String(), "paasbot_approvals gauge") {
		t.Errorf("the failed count was not logged: %q", f.logs.String())
	}
}

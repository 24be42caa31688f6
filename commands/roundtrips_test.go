package commands

import (
	"strconv"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
)

// TestRoundTrips: the read commands, and the paid ones up to their
// approval request, wait for at most the sequential Gandi round trips
// DESIGN §10 allows, as the simulator saw the calls (calls
// that overlapped count once): independent calls go at once. Gandi takes
// 100 ms a call here, so that calls sent together do overlap.
func TestRoundTrips(t *testing.T) {
	e := setupSim(t, 5, gandisim.Options{Latency: 100 * time.Millisecond, RecordSpans: true})
	found, err := gandi.NewClient(testKey, gandi.WithEndpoint(e.url)).PaaS.List(t.Context(),
		&gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{Name: gandi.Strings{"shop-prod"}}})
	if err != nil || len(found) != 1 {
		t.Fatalf("shop-prod: %v %v", found, err)
	}
	id := strconv.Itoa(found[0].ID)
	tests := []struct {
		command string
		calls   int
		rounds  int
	}{
		{"list", 2, 1},                    // paas.count beside paas.list
		{"count", 1, 1},                   // paas.count
		{"info " + id, 1, 1},              // paas.info
		{"info shop-prod", 2, 2},          // paas.list {name}, then paas.info
		{"vhost list", 3, 2},              // paas.vhost.count beside paas.vhost.list, then paas.list {id} names their instances
		{"snapshot list", 3, 2},           // paas.snapshot.count beside paas.snapshot.list, then paas.list {id} names their instances
		{"types", 2, 1},                   // paas.type.count beside paas.type.list
		{"vhost list shop-prod", 3, 2},    // paas.list {name}, then count beside list
		{"snapshot list shop-prod", 3, 2}, // paas.list {name}, then count beside list
		// The paid ones, up to their approval request (nothing paid is
		// sent before it): the name, then what Gandi says of the instance
		// beside the price, or the dry run of a create beside its price.
		{"renew shop-prod duration=12m", 3, 2},                                    // paas.list {name}, then paas.info beside catalog.list
		{"renew " + id + " duration=1m", 3, 2},                                    // paas.info, then paas.info beside catalog.list
		{"update shop-prod size=l", 2, 2},                                         // paas.list {name}, then paas.info
		{"create name=blog2 size=s type=phpmysql datacenter=1 duration=1m", 3, 2}, // paas.list {name} (a second of that name?), then the dry run beside catalog.list
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			e.sim.ResetSpans()
			wantOK(t, e.run(t, tt.command))
			spans := e.sim.Spans()
			if len(spans) != tt.calls || gandisim.Rounds(spans) != tt.rounds {
				t.Errorf("%d calls in %d rounds (%+v), want %d in %d", len(spans), gandisim.Rounds(spans), spans, tt.calls, tt.rounds)
			}
		})
	}
}

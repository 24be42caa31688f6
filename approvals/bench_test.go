package approvals

import (
	"context"
	"sync"
	"testing"

	"github.com/paasbot/paasbot/reply"
)

// BenchmarkApprovals_RequestAndContendedApprove measures one paid request
// end to end on the simulator and a real store: the checks (paas.info
// beside catalog.list; a renewal has no dry run), the stored
// and posted request, then 8 approvers clicking at once (one call runs).
// The follow-up of the operations is not timed, but each ends before the
// next request: a renewal asked while the previous one still runs would
// be refused at execution (its expiry moved), as it should.
func BenchmarkApprovals_RequestAndContendedApprove(b *testing.B) {
	approvers := []string{"UA1", "UA2", "UA3", "UA4"}
	r := newApvRig(b, approvers...)
	plan := r.renewPlan("shop-prod")
	plan.Renew.Duration = "1m"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.proposeRaw(plan); err != nil {
			b.Fatal(err)
		}
		pending, err := r.db.PendingApprovals(ctx, apvTeam)
		if err != nil || len(pending) != 1 {
			b.Fatalf("pending = %d, %v", len(pending), err)
		}
		id := pending[0].ID
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := range 8 {
			wg.Go(func() {
				if m := r.click(approvers[i%len(approvers)], "approval.approve", id); m.Tone == reply.Success {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			b.Fatalf("%d approvals ran", wins)
		}
		b.StopTimer()
		if err := r.engine.WaitFollowUps(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	drain(r.engine)
}

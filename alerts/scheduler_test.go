package alerts

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/store"
)

var _ Store = (*store.DB)(nil)

func TestScheduler_FiresAtSlot(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0)) // Monday
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	id := e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * 1-5", Params{Days: 30, Quiet: true})

	e.runDue(at(loc, 2026, 11, 23, 8, 59))
	if n := len(e.poster.Posts()); n != 0 {
		t.Fatalf("%d posts before the slot", n)
	}
	e.runDue(at(loc, 2026, 11, 23, 9, 0).Add(2 * time.Second))
	posts := e.poster.Posts()
	if len(posts) != 1 || posts[0].Channel != "C_OPS" {
		t.Fatalf("posts at the slot = %+v", posts)
	}
	body := text(posts[0].Msg)
	for _, want := range []string{"shop-staging", "blog", "in 5 days", "Renew shop-staging",
		"Alert #1 (0 9 * * 1-5, Europe/Paris); `/paas alerts remove 1` stops it."} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "shop-prod") {
		t.Errorf("shop-prod expires in 200 days, listed anyway:\n%s", body)
	}
	if slot, ok := e.lastSlot(id); !ok || !slot.Equal(at(loc, 2026, 11, 23, 9, 0)) {
		t.Errorf("claimed slot = %v %v", slot, ok)
	}
	if e.metric.Get("expiry") != 1 {
		t.Errorf("metrics = %d", e.metric.Get("expiry"))
	}
	// Later ticks of the same slot post nothing more; the next day's does.
	e.runDue(at(loc, 2026, 11, 23, 9, 1))
	e.runDue(at(loc, 2026, 11, 23, 17, 0))
	if n := len(e.poster.Posts()); n != 1 {
		t.Errorf("%d posts after re-ticks, want 1", n)
	}
	e.runDue(at(loc, 2026, 11, 24, 9, 0))
	if n := len(e.poster.Posts()); n != 2 {
		t.Errorf("%d posts after the next day's slot, want 2", n)
	}
}

func TestScheduler_NewSubscriptionDoesNotRunPastSlot(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 10, 0))
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.runDue(at(loc, 2026, 11, 23, 10, 1)) // today's 09:00 was before it existed
	if n := len(e.poster.Posts()); n != 0 {
		t.Errorf("a slot from before the subscription ran: %d posts", n)
	}
}

func TestScheduler_OneScanPerOwner(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 3)
	e.sim.SeedDemo(keyB, 3)
	e.putKey(userA, keyA)
	e.putKey(userB, keyB)
	e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.subscribe(userA, "C_OPS", KindUpgrade, "@daily 	", Params{Quiet: true}) // not due at 09:00
	e.subscribe(userA, "C_OPS", KindUpgrade, "0 9 * * 1-5", Params{Quiet: true})
	e.subscribe(userA, "C_BACKUP", KindSnapshots, "0 9 * * *", Params{Days: 7, Quiet: true})
	e.subscribe(userB, "C_DEV", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.sim.ResetCalls()

	e.runDue(at(loc, 2026, 11, 23, 9, 0))
	if got := e.sim.Calls("paas.list"); got != 2 {
		t.Errorf("paas.list calls = %d, want 2 (one per owner)", got)
	}
	if got := e.sim.Calls("paas.count"); got != 2 {
		t.Errorf("paas.count calls = %d, want 2", got)
	}
	if got := e.sim.Calls("paas.snapshot.list"); got != 1 {
		t.Errorf("paas.snapshot.list calls = %d, want 1 (only alice has a snapshots report)", got)
	}
	posts := e.poster.Posts()
	if countIn(posts, "C_OPS", "Expiry report") != 1 || countIn(posts, "C_OPS", "Upgrade report") != 1 ||
		countIn(posts, "C_BACKUP", "Snapshots report") != 1 || countIn(posts, "C_DEV", "Expiry report") != 1 || len(posts) != 4 {
		for _, p := range posts {
			t.Logf("%s: %s", p.Channel, p.Msg.Title)
		}
		t.Errorf("%d posts, want one per due subscription in its channel", len(posts))
	}
	// blog needs an upgrade and has 12-day-old snapshots; shop-staging has no profile.
	for _, p := range posts {
		body := text(p.Msg)
		switch {
		case strings.Contains(p.Msg.Title, "Upgrade"):
			if !strings.Contains(body, "blog") || !strings.Contains(body, "update ") {
				t.Errorf("upgrade report:\n%s", body)
			}
		case strings.Contains(p.Msg.Title, "Snapshots"):
			if !strings.Contains(body, "shop-staging") || !strings.Contains(body, "stale") {
				t.Errorf("snapshots report:\n%s", body)
			}
		}
	}
}

func TestScheduler_SlotClaimedOnce(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	// A second replica: its own connection pool on the same file, its own scheduler.
	other := e.newScheduler(e.openDB())
	e.sim.ResetCalls()

	now := at(loc, 2026, 11, 23, 9, 0)
	e.clock.Set(now)
	var wg sync.WaitGroup
	for _, s := range []*Scheduler{e.sched, other, e.sched, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.RunDue(context.Background(), now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(e.poster.Posts()); n != 1 {
		t.Errorf("%d posts from 4 concurrent runs on 2 replicas, want 1", n)
	}
	if got := e.sim.Calls("paas.list"); got != 1 {
		t.Errorf("paas.list calls = %d: the losers scanned anyway", got)
	}
}

func TestScheduler_CatchUpAfterDowntime(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 22, 8, 0)) // Sunday
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	id := e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.runDue(at(loc, 2026, 11, 22, 9, 0)) // Sunday's slot, posted
	e.poster.Reset()

	// Down from Sunday 09:05 to Tuesday 11:30: Monday's and Tuesday's slots
	// were missed; only the latest within a day runs, once.
	e.clock.Set(at(loc, 2026, 11, 24, 11, 30))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.sched.Start(ctx); err == nil {
		t.Error("second Start accepted")
	}
	stop := func(s *Scheduler) {
		sctx, c := context.WithTimeout(context.Background(), 30*time.Second)
		defer c()
		if err := s.Stop(sctx); err != nil {
			t.Fatal(err)
		}
	}
	stop(e.sched) // Stop waits for the start-up catch-up
	if n := len(e.poster.Posts()); n != 1 {
		t.Fatalf("%d posts after restart, want 1", n)
	}
	if slot, _ := e.lastSlot(id); !slot.Equal(at(loc, 2026, 11, 24, 9, 0)) {
		t.Errorf("caught-up slot = %v, want Tuesday 09:00", slot)
	}
	// Restarting again (a crash loop, a second replica starting) posts nothing more.
	again := e.newScheduler(e.openDB())
	if err := again.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stop(again)
	if n := len(e.poster.Posts()); n != 1 {
		t.Errorf("%d posts after a second restart, want 1", n)
	}
	// A slot older than CatchUp is not run at start.
	e.poster.Reset()
	late := e.newScheduler(e.db)
	e.clock.Set(at(loc, 2026, 11, 25, 8, 59)) // Tuesday 09:00 is done, Wednesday's not yet
	if err := late.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stop(late)
	if n := len(e.poster.Posts()); n != 0 {
		t.Errorf("%d posts before the next slot", n)
	}
}

func TestScheduler_SurvivesPanickingPoster(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	e.subscribe(userA, "C_ONE", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.subscribe(userA, "C_TWO", KindUpgrade, "0 9 * * *", Params{Quiet: true})
	e.poster.panicOn = map[int]bool{1: true}

	e.runDue(at(loc, 2026, 11, 23, 9, 0)) // must not panic
	posts := e.poster.Posts()
	if len(posts) != 1 || posts[0].Channel != "C_TWO" {
		t.Fatalf("posts after a panic = %+v, want the other report", posts)
	}
	// The panicked slot is not retried (it may have half-posted); the next one runs.
	e.runDue(at(loc, 2026, 11, 23, 9, 5))
	e.runDue(at(loc, 2026, 11, 24, 9, 0))
	if n := countIn(e.poster.Posts(), "C_ONE", "Expiry report"); n != 1 {
		t.Errorf("C_ONE got %d reports after the next slot, want 1", n)
	}
}

func TestScheduler_SurvivesPanicUnderCron(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 9, 0))
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	e.clock.Set(at(loc, 2026, 11, 23, 8, 0))
	e.subscribe(userA, "C_ONE", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.clock.Set(at(loc, 2026, 11, 23, 9, 0))
	e.poster.panicOn = map[int]bool{1: true}
	e.poster.notify = make(chan struct{}, 1)
	e.poster.called = make(chan int, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-e.poster.called: // the catch-up's post, which panics
	case <-time.After(30 * time.Second):
		t.Fatal("the start-up catch-up did not post")
	}
	// The catch-up panicked inside; the process lives and Reload still works.
	e.clock.Set(at(loc, 2026, 11, 24, 9, 0))
	e.sched.Reload()
	select {
	case <-e.poster.notify:
	case <-time.After(30 * time.Second):
		t.Fatal("no post after a panic and a reload")
	}
	sctx, c := context.WithTimeout(context.Background(), 30*time.Second)
	defer c()
	if err := e.sched.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.poster.Posts()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

// A daily 02:30 report in Paris, ticked every minute on a fake clock across
// both 2027 changes, posts once on the night 02:30 happens twice and once
// (at 03:00 CEST) on the night it never shows on a clock.
func TestScheduler_DailyReportAcrossDST(t *testing.T) {
	tests := []struct {
		name     string
		from     time.Time
		wantSlot time.Time
	}{
		{"clocks back", time.Date(2027, 10, 30, 23, 0, 0, 0, time.UTC), time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)},
		{"clocks forward", time.Date(2027, 3, 27, 23, 0, 0, 0, time.UTC), time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.from)
			e.sim.SeedDemo(keyA, 3)
			e.putKey(userA, keyA)
			id := e.subscribe(userA, "C_OPS", KindUpgrade, "30 2 * * *", Params{Quiet: false})
			// Every minute from 23:00Z to 03:00Z: both 02:30s of the night
			// clocks go back (00:30Z, 01:30Z), and the hour that the
			// night they go forward skips (01:00Z to 02:00Z).
			for m := range 4 * 60 {
				e.runDue(tc.from.Add(time.Duration(m)*time.Minute + time.Second))
			}
			if n := countIn(e.poster.Posts(), "C_OPS", "Upgrade report"); n != 1 {
				t.Errorf("%d reports posted, want 1", n)
			}
			if slot, ok := e.lastSlot(id); !ok || !slot.Equal(tc.wantSlot) {
				t.Errorf("slot = %v %v, want %v", slot, ok, tc.wantSlot)
			}
		})
	}
}

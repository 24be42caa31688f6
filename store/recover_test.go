package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/store/storetest"
)

// TestDB_Recover settles each kind of lapsed work once, with its audit
// line, and leaves the rest alone.
func TestDB_Recover(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		b := db.second(t, "process-B")
		appr := approved(t, db, db.DB)
		if ok, err := db.MarkReminded(ctx, appr); err == nil && ok {
			t.Fatal("an approved request took a reminder")
		}
		unsent := executing(t, db, db.DB, false)
		sent := executing(t, db, db.DB, true)
		follow := following(t, db, db.DB)
		pending := mustCreate(t, db, newApproval())
		ownUnsent := executing(t, db, b, false) // b's own: b leaves it to itself
		lapse(db)

		r, err := b.Recover(ctx, RecoverOptions{ReofferTTL: 2 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if !sameIDs(r.Reoffered, appr, unsent) || !sameIDs(r.Interrupted, sent) || !sameIDs(r.TakenOver, follow) || r.Empty() {
			t.Fatalf("Recover = reoffered %v, interrupted %v, taken over %v", ids(r.Reoffered), ids(r.Interrupted), ids(r.TakenOver))
		}
		now := db.clock.Now()
		for _, a := range r.Reoffered {
			if a.State != StatePending || a.Holder != "" || a.DecidedBy != "" || a.DecidedAt != nil || a.SentAt != nil ||
				!a.ExpiresAt.Equal(now.Add(2*time.Hour)) || !a.RemindAt.Equal(now.Add(96*time.Minute)) || a.RemindedAt != nil {
				t.Errorf("re-offered %+v", a)
			}
			if n := auditLines(t, db.DB, fmt.Sprintf("reoffer paas.renew #%d", a.ID)); n != 1 {
				t.Errorf("request %d: %d reoffer lines", a.ID, n)
			}
		}
		if a := r.Interrupted[0]; a.State != StateInterrupted || a.Holder != "" {
			t.Errorf("interrupted %+v", a)
		}
		if n := auditLines(t, db.DB, fmt.Sprintf("interrupt paas.renew #%d", sent)); n != 1 {
			t.Errorf("%d interrupt lines", n)
		}
		if a := r.TakenOver[0]; a.State != StateDone || a.Holder != "process-B" || !a.LeaseUntil.Equal(now.Add(LeaseTTL)) {
			t.Errorf("taken over %+v", a)
		}
		if a := mustApproval(t, db.DB, pending); a.State != StatePending {
			t.Errorf("the pending request became %s", a.State)
		}
		if a := mustApproval(t, db.DB, ownUnsent); a.State != StateExecuting || a.Holder != "process-B" {
			t.Errorf("Recover touched its caller's own request: %+v", a)
		}
		// A re-offered request can be decided again, and runs once.
		if _, err := b.Decide(ctx, unsent, StateApproved, "UBOSS", nil); err != nil {
			t.Errorf("approve a re-offered request: %v", err)
		}
		if again, err := b.Recover(ctx, RecoverOptions{}); err != nil || !again.Empty() {
			t.Errorf("second Recover = %+v, %v; want nothing", again, err)
		}
		// The third process finds b's own lapsed work.
		lapse(db)
		c := db.second(t, "process-C")
		r, err = c.Recover(ctx, RecoverOptions{})
		if err != nil || !sameIDs(r.Reoffered, unsent, ownUnsent) || !sameIDs(r.TakenOver, follow) {
			t.Errorf("Recover by C = %+v, %v", r, err)
		}
	})
}

// TestDB_Recover_Concurrent: processes recovering at once each settle a
// request at most once between them.
func TestDB_Recover_Concurrent(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		var want []int64
		for i := range 12 {
			switch i % 3 {
			case 0:
				want = append(want, executing(t, db, db.DB, false))
			case 1:
				want = append(want, executing(t, db, db.DB, true))
			default:
				want = append(want, following(t, db, db.DB))
			}
		}
		lapse(db)
		procs := []*DB{db.second(t, "B"), db.second(t, "C"), db.second(t, "D")}
		var mu sync.Mutex
		seen := map[int64]int{}
		race(t, 9, procs, func(d *DB, _ int) error {
			r, err := d.Recover(ctx, RecoverOptions{})
			mu.Lock()
			defer mu.Unlock()
			for _, as := range [][]Approval{r.Reoffered, r.Interrupted, r.TakenOver} {
				for _, a := range as {
					seen[a.ID]++
				}
			}
			return err
		})
		for _, id := range want {
			if seen[id] != 1 {
				t.Errorf("request %d recovered %d times, want 1", id, seen[id])
			}
		}
		es, _ := db.RecentAudit(ctx, "", 1000)
		lines := 0
		for _, e := range es {
			if e.Actor == SystemActor {
				lines++
			}
		}
		if lines != 8 {
			t.Errorf("%d recovery audit lines, want 8 (4 re-offered, 4 interrupted)", lines)
		}
	})
}

// TestDB_SecondProcessInterruptsNothingAlive: a process that starts beside
// a live one (its heartbeat running) takes nothing from it, with the old
// start-up call or the new one, however long the work lasts.
func TestDB_SecondProcessInterruptsNothingAlive(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		appr := approved(t, db, db.DB)
		unsent := executing(t, db, db.DB, false)
		sent := executing(t, db, db.DB, true)
		follow := following(t, db, db.DB)
		sid := mustSubscribe(t, db, newSubscription())
		slot := db.clock.Now()
		if ok, err := db.ClaimSlotLeased(ctx, sid, slot); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if ok, err := db.AcquireLease(ctx, "approvals/sweep"); !ok || err != nil {
			t.Fatal(ok, err)
		}
		for range 30 { // five minutes of a live process
			db.clock.Advance(HeartbeatEvery)
			r, err := db.Heartbeat(ctx)
			if err != nil || r != (Renewed{Approvals: 4, Leases: 1, Slots: 1}) {
				t.Fatalf("Heartbeat = %+v, %v", r, err)
			}
			b := db.second(t, "newcomer")
			if rec, err := b.Recover(ctx, RecoverOptions{}); err != nil || !rec.Empty() {
				t.Fatalf("Recover beside a live process = %+v, %v", rec, err)
			}
			if ok, err := b.ClaimSlotLeased(ctx, sid, slot); ok || err != nil {
				t.Fatalf("ClaimSlotLeased took a live claim: %v, %v", ok, err)
			}
			if ok, err := b.AcquireLease(ctx, "approvals/sweep"); ok || err != nil {
				t.Fatalf("AcquireLease took a live lease: %v, %v", ok, err)
			}
			b.Close()
		}
		for id, want := range map[int64]ApprovalState{appr: StateApproved, unsent: StateExecuting, sent: StateExecuting, follow: StateDone} {
			if a := mustApproval(t, db.DB, id); a.State != want || a.Holder != "process-A" {
				t.Errorf("request %d: %s held by %q, want %s held by process-A", id, a.State, a.Holder, want)
			}
		}
		// The holder goes on as if nobody had come.
		if err := db.MarkSent(ctx, unsent); err != nil {
			t.Errorf("MarkSent after five minutes of heartbeats: %v", err)
		}
	})
}

func TestDB_Heartbeat(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		b := db.second(t, "process-B")
		id := executing(t, db, db.DB, false)
		finished := following(t, db, db.DB)
		if err := db.ProgressHeld(ctx, finished, nil, true); err != nil {
			t.Fatal(err)
		}
		failed := executing(t, db, db.DB, true)
		if err := db.FailHeld(ctx, failed, "x"); err != nil {
			t.Fatal(err)
		}
		other := executing(t, db, b, false)
		t.Run("renews only what it holds", func(t *testing.T) {
			db.clock.Advance(20 * time.Second)
			r, err := db.Heartbeat(ctx)
			if err != nil || r != (Renewed{Approvals: 1}) {
				t.Fatalf("Heartbeat = %+v, %v; want the one running request", r, err)
			}
			if a := mustApproval(t, db.DB, id); !a.LeaseUntil.Equal(db.clock.Now().Add(LeaseTTL)) {
				t.Errorf("lease until %v", a.LeaseUntil)
			}
			if a := mustApproval(t, db.DB, other); !a.LeaseUntil.Equal(db.clock.Now().Add(LeaseTTL - 20*time.Second)) {
				t.Errorf("another holder's lease moved to %v", a.LeaseUntil)
			}
		})
		t.Run("a lapsed lease nobody took is renewed", func(t *testing.T) {
			lapse(db)
			if r, err := db.Heartbeat(ctx); err != nil || r.Approvals != 1 {
				t.Fatalf("Heartbeat = %+v, %v", r, err)
			}
			if err := db.MarkSent(ctx, id); err != nil {
				t.Errorf("MarkSent after a renewed lapse: %v", err)
			}
		})
		t.Run("what was taken over is not renewed", func(t *testing.T) {
			lapse(db)
			if _, err := b.Recover(ctx, RecoverOptions{}); err != nil {
				t.Fatal(err)
			}
			if r, err := db.Heartbeat(ctx); err != nil || r.Approvals != 0 {
				t.Errorf("Heartbeat after the take-over = %+v, %v", r, err)
			}
		})
	})
}

func TestDB_NamedLease(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		b := db.second(t, "process-B")
		t.Run("one holder among goroutines of two processes", func(t *testing.T) {
			wins := raceBool(t, 40, []*DB{db.DB, b}, func(d *DB, _ int) (bool, error) {
				return d.AcquireLease(ctx, "alerts/scan")
			})
			// The winner's own goroutines get true again (theirs already).
			l, err := db.LeaseInfo(ctx, "alerts/scan")
			if err != nil || wins != 20 || (l.Holder != "process-A" && l.Holder != "process-B") {
				t.Fatalf("%d true answers (want the 20 of the winning process), lease %+v, %v", wins, l, err)
			}
		})
		t.Run("lifecycle", func(t *testing.T) {
			name := "approvals/sweep"
			if _, err := db.LeaseInfo(ctx, name); !errors.Is(err, ErrNotFound) {
				t.Fatalf("LeaseInfo of a new lease: %v", err)
			}
			if ok, err := db.AcquireLease(ctx, name); !ok || err != nil {
				t.Fatal(ok, err)
			}
			acquired := db.clock.Now()
			db.clock.Advance(20 * time.Second)
			if ok, _ := b.AcquireLease(ctx, name); ok {
				t.Fatal("B took a live lease")
			}
			if err := b.RenewLease(ctx, name); !errors.Is(err, ErrLeaseLost) {
				t.Errorf("B renewed A's lease: %v", err)
			}
			if err := db.RenewLease(ctx, name); err != nil {
				t.Fatal(err)
			}
			db.clock.Advance(20 * time.Second) // 40 s after acquiring, 20 s after renewing
			if ok, _ := b.AcquireLease(ctx, name); ok {
				t.Fatal("B took a renewed lease")
			}
			if ok, err := db.AcquireLease(ctx, name); !ok || err != nil {
				t.Fatal("A's re-acquire of its own lease", ok, err)
			}
			if l, _ := db.LeaseInfo(ctx, name); l.Holder != "process-A" || !l.AcquiredAt.Equal(acquired) || !l.Until.Equal(db.clock.Now().Add(LeaseTTL)) {
				t.Errorf("lease = %+v", l)
			}
			lapse(db)
			if ok, err := b.AcquireLease(ctx, name); !ok || err != nil {
				t.Fatal("B could not take a lapsed lease", ok, err)
			}
			if err := db.RenewLease(ctx, name); !errors.Is(err, ErrLeaseLost) {
				t.Errorf("A renewed a lease B took over: %v", err)
			}
			if err := db.ReleaseLease(ctx, name); !errors.Is(err, ErrLeaseLost) {
				t.Errorf("A released B's lease: %v", err)
			}
			if err := b.ReleaseLease(ctx, name); err != nil {
				t.Fatal(err)
			}
			if ok, _ := db.AcquireLease(ctx, name); !ok {
				t.Error("a released lease could not be taken at once")
			}
			if _, err := db.AcquireLease(ctx, ""); !errors.Is(err, ErrInvalid) {
				t.Errorf("empty name: %v", err)
			}
		})
	})
}

func TestDB_Reminders(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		b := db.second(t, "process-B")
		a := newApproval()
		a.ExpiresAt = db.clock.Now().Add(10 * time.Hour)
		id := mustCreate(t, db, a)
		if !a.RemindAt.Equal(db.clock.Now().Add(8 * time.Hour)) {
			t.Fatalf("RemindAt = %v, want at 80%% of the time to live", a.RemindAt)
		}
		decided := newApproval()
		decided.ExpiresAt = a.ExpiresAt
		denied := mustCreate(t, db, decided)
		db.clock.Advance(8*time.Hour - time.Second)
		if due, err := db.DueReminders(ctx); err != nil || len(due) != 0 {
			t.Fatalf("DueReminders before 80%% = %v, %v", ids(due), err)
		}
		db.clock.Advance(time.Second)
		if _, err := db.Decide(ctx, denied, StateDenied, "UBOSS", nil); err != nil {
			t.Fatal(err)
		}
		due, err := db.DueReminders(ctx)
		if err != nil || !sameIDs(due, id) {
			t.Fatalf("DueReminders = %v, %v; want [%d]", ids(due), err, id)
		}
		if wins := raceBool(t, 40, []*DB{db.DB, b}, func(d *DB, _ int) (bool, error) { return d.MarkReminded(ctx, id) }); wins != 1 {
			t.Fatalf("%d reminders claimed, want 1", wins)
		}
		if due, _ := db.DueReminders(ctx); len(due) != 0 {
			t.Errorf("still due after the mark: %v", ids(due))
		}
		if ok, err := db.MarkReminded(ctx, denied); ok || err != nil {
			t.Errorf("reminder of a denied request = %v, %v", ok, err)
		}
		if _, err := db.MarkReminded(ctx, 99); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
		db.clock.Advance(2 * time.Hour)
		if ok, _ := db.MarkReminded(ctx, id); ok {
			t.Error("a reminder after the deadline")
		}
	})
}

// TestDB_SeenOnce_TwoProcesses: a redelivered envelope reaching two
// processes at once is first on exactly one.
func TestDB_SeenOnce_TwoProcesses(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		b := db.second(t, "process-B")
		for i := range 5 {
			key := fmt.Sprintf("Ev%d", i)
			if wins := raceBool(t, 20, []*DB{db.DB, b}, func(d *DB, _ int) (bool, error) { return d.SeenOnce(ctx, key, time.Hour) }); wins != 1 {
				t.Errorf("%s first on %d calls, want 1", key, wins)
			}
		}
	})
}

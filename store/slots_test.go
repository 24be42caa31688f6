package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paasbot/paasbot/store/storetest"
)

func TestDB_ClaimSlotLeased(t *testing.T) {
	ctx := context.Background()
	slot := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Run("one claim among goroutines of two processes", func(t *testing.T) {
			db := openTestDB(t, e)
			b := db.second(t, "process-B")
			sid := mustSubscribe(t, db, newSubscription())
			if wins := raceBool(t, 40, []*DB{db.DB, b}, func(d *DB, _ int) (bool, error) { return d.ClaimSlotLeased(ctx, sid, slot) }); wins != 1 {
				t.Fatalf("%d claims won, want 1", wins)
			}
			r, err := db.SlotRun(ctx, sid, slot)
			if err != nil || r.FinishedAt != nil || r.MessageTS != "" || !r.LeaseUntil.Equal(db.clock.Now().Add(LeaseTTL)) {
				t.Errorf("claim = %+v, %v", r, err)
			}
		})
		t.Run("taken over once when lapsed and nothing posted", func(t *testing.T) {
			db := openTestDB(t, e)
			b, c := db.second(t, "process-B"), db.second(t, "process-C")
			sid := mustSubscribe(t, db, newSubscription())
			if ok, _ := db.ClaimSlotLeased(ctx, sid, slot); !ok {
				t.Fatal("claim")
			}
			db.clock.Advance(LeaseTTL - time.Second)
			if ok, _ := b.ClaimSlotLeased(ctx, sid, slot); ok {
				t.Fatal("a live claim was taken over")
			}
			if lapsed, _ := b.LapsedSlots(ctx); len(lapsed) != 0 {
				t.Fatalf("LapsedSlots lists a live claim: %+v", lapsed)
			}
			db.clock.Advance(2 * time.Second)
			lapsed, err := b.LapsedSlots(ctx)
			if err != nil || len(lapsed) != 1 || lapsed[0].SubscriptionID != sid || !lapsed[0].Slot.Equal(slot) || lapsed[0].Holder != "process-A" {
				t.Fatalf("LapsedSlots = %+v, %v", lapsed, err)
			}
			if wins := raceBool(t, 40, []*DB{b, c}, func(d *DB, _ int) (bool, error) { return d.ClaimSlotLeased(ctx, sid, slot) }); wins != 1 {
				t.Fatalf("%d take-overs, want 1", wins)
			}
			r, _ := db.SlotRun(ctx, sid, slot)
			if r.Holder != "process-B" && r.Holder != "process-C" {
				t.Errorf("holder after take-over %q", r.Holder)
			}
			if err := db.BeginSlotPost(ctx, sid, slot); !errors.Is(err, ErrLeaseLost) {
				t.Errorf("the first holder begins posting after the take-over: %v", err)
			}
			if err := db.RecordSlotMessage(ctx, sid, slot, "1.1"); !errors.Is(err, ErrLeaseLost) {
				t.Errorf("the first holder records a message after the take-over: %v", err)
			}
		})
		tests := []struct {
			name string
			mark func(db *DB, sid int64) error
		}{
			{"never after posting began", func(db *DB, sid int64) error { return db.BeginSlotPost(ctx, sid, slot) }},
			{"never after a message", func(db *DB, sid int64) error { return db.RecordSlotMessage(ctx, sid, slot, "1700000000.000100") }},
			{"never after it finished", func(db *DB, sid int64) error { return db.FinishSlot(ctx, sid, slot, "posted") }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				db := openTestDB(t, e)
				b := db.second(t, "process-B")
				sid := mustSubscribe(t, db, newSubscription())
				if ok, _ := db.ClaimSlotLeased(ctx, sid, slot); !ok {
					t.Fatal("claim")
				}
				if err := tc.mark(db.DB, sid); err != nil {
					t.Fatal(err)
				}
				db.clock.Advance(time.Hour)
				if ok, err := b.ClaimSlotLeased(ctx, sid, slot); ok || err != nil {
					t.Errorf("take-over = %v, %v; want false", ok, err)
				}
				if lapsed, _ := b.LapsedSlots(ctx); len(lapsed) != 0 {
					t.Errorf("LapsedSlots = %+v", lapsed)
				}
			})
		}
		t.Run("posting marks", func(t *testing.T) {
			db := openTestDB(t, e)
			sid := mustSubscribe(t, db, newSubscription())
			if err := db.BeginSlotPost(ctx, sid, slot); !errors.Is(err, ErrNotFound) {
				t.Errorf("BeginSlotPost of an unclaimed slot: %v", err)
			}
			if ok, _ := db.ClaimSlotLeased(ctx, sid, slot); !ok {
				t.Fatal("claim")
			}
			lapse(db)
			if err := db.BeginSlotPost(ctx, sid, slot); !errors.Is(err, ErrLeaseLost) {
				t.Errorf("BeginSlotPost on a lapsed lease: %v (another process may have it: do not post)", err)
			}
			if _, err := db.Heartbeat(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.BeginSlotPost(ctx, sid, slot); err != nil {
				t.Fatal(err)
			}
			begun := db.clock.Now()
			db.clock.Advance(time.Second)
			if err := db.RecordSlotMessage(ctx, sid, slot, "1.0001"); err != nil {
				t.Fatal(err)
			}
			if err := db.RecordSlotMessage(ctx, sid, slot, "2.0002"); err != nil {
				t.Fatal(err)
			}
			r, _ := db.SlotRun(ctx, sid, slot)
			if r.MessageTS != "1.0001" || r.PostingAt == nil || !r.PostingAt.Equal(begun) {
				t.Errorf("run = %+v, want the first message and the begin time", r)
			}
			if err := db.ReleaseSlot(ctx, sid, slot); !errors.Is(err, ErrConflict) {
				t.Errorf("ReleaseSlot after a message: %v, want ErrConflict", err)
			}
			if err := db.RecordSlotMessage(ctx, sid, slot, ""); !errors.Is(err, ErrInvalid) {
				t.Errorf("empty ts: %v", err)
			}
			if _, err := db.ClaimSlotLeased(ctx, 99, slot); !errors.Is(err, ErrNotFound) {
				t.Errorf("unknown subscription: %v", err)
			}
			if err := db.FinishSlot(ctx, sid, slot, "posted"); err != nil {
				t.Fatal(err)
			}
			if r, _ := db.Heartbeat(ctx); r.Slots != 0 {
				t.Errorf("a finished claim is still renewed")
			}
		})
	})
}

// TestDB_SlotOutcomeIsTheHolders: once another process took a claim over,
// the first can neither finish nor release it (its late outcome would
// hide the new holder's run, or let the slot run a third time).
func TestDB_SlotOutcomeIsTheHolders(t *testing.T) {
	ctx := context.Background()
	slot := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		b := db.second(t, "process-B")
		sid := mustSubscribe(t, db, newSubscription())
		if ok, _ := db.ClaimSlotLeased(ctx, sid, slot); !ok {
			t.Fatal("claim")
		}
		lapse(db)
		if ok, _ := b.ClaimSlotLeased(ctx, sid, slot); !ok {
			t.Fatal("take-over")
		}
		if err := db.FinishSlot(ctx, sid, slot, "error: scan"); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("the first holder finishes B's claim: %v", err)
		}
		if err := db.ReleaseSlot(ctx, sid, slot); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("the first holder releases B's claim: %v", err)
		}
		if r, _ := db.SlotRun(ctx, sid, slot); r.Holder != "process-B" || r.FinishedAt != nil {
			t.Fatalf("claim after the first holder's attempts: %+v", r)
		}
		if err := b.FinishSlot(ctx, sid, slot, "posted"); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishSlot(ctx, sid, slot.Add(time.Hour), "posted"); !errors.Is(err, ErrNotFound) {
			t.Errorf("finish of a slot never claimed: %v", err)
		}
	})
}

// TestDB_WithLeaseTTL: a shorter lease lapses sooner, for every kind of
// lease, and LeaseTimings scales the heartbeat and recovery with it.
func TestDB_WithLeaseTTL(t *testing.T) {
	ctx := context.Background()
	slot := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		short, err := Open(ctx, db.dsn, db.secret, WithClock(db.clock.Now), WithHolder("process-S"), WithLeaseTTL(3*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = short.Close() })
		if short.LeaseTTL() != 3*time.Second || db.LeaseTTL() != LeaseTTL {
			t.Fatalf("LeaseTTL = %v and %v", short.LeaseTTL(), db.LeaseTTL())
		}
		sid := mustSubscribe(t, db, newSubscription())
		if ok, _ := short.ClaimSlotLeased(ctx, sid, slot); !ok {
			t.Fatal("claim")
		}
		if ok, _ := short.AcquireLease(ctx, "alerts/test"); !ok {
			t.Fatal("acquire")
		}
		db.clock.Advance(3*time.Second + time.Millisecond)
		if ok, _ := db.ClaimSlotLeased(ctx, sid, slot); !ok {
			t.Error("a claim of a 3 s lease was not lapsed after 3 s")
		}
		if ok, _ := db.AcquireLease(ctx, "alerts/test"); !ok {
			t.Error("a named 3 s lease was not lapsed after 3 s")
		}
	})
	for _, tc := range []struct{ ttl, hb, rec time.Duration }{
		{0, HeartbeatEvery, RecoverEvery},
		{LeaseTTL, HeartbeatEvery, RecoverEvery},
		{time.Hour, HeartbeatEvery, RecoverEvery},
		{3 * time.Second, time.Second, 1500 * time.Millisecond},
	} {
		if hb, rec := LeaseTimings(tc.ttl); hb != tc.hb || rec != tc.rec {
			t.Errorf("LeaseTimings(%v) = %v, %v; want %v, %v", tc.ttl, hb, rec, tc.hb, tc.rec)
		}
	}
}

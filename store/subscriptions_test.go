package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/paasbot/paasbot/store/storetest"
	"testing"
	"time"
)

func newSubscription() *Subscription {
	return &Subscription{Team: "T", Channel: "COPS", Owner: "USAM", Kind: "expiry", Schedule: "0 9 * * 1-5",
		TZ: "Europe/Paris", Params: json.RawMessage(`{"days":30}`)}
}

func mustSubscribe(t *testing.T, db *testDB, s *Subscription) int64 {
	t.Helper()
	id, err := db.CreateSubscription(context.Background(), s)
	if err != nil {
		t.Fatalf("CreateSubscription: %v", err)
	}
	return id
}

func TestDB_CreateSubscription(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("OK", func(t *testing.T) {
			db := openTestDB(t, e)
			s := newSubscription()
			id := mustSubscribe(t, db, s)
			got, err := db.Subscription(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != id || s.ID != id || got.Team != "T" || got.Channel != "COPS" || got.Owner != "USAM" || got.Kind != "expiry" ||
				got.Schedule != "0 9 * * 1-5" || got.TZ != "Europe/Paris" || string(got.Params) != `{"days":30}` ||
				got.Paused || !got.CreatedAt.Equal(db.clock.Now()) {
				t.Errorf("stored %+v", got)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			db := openTestDB(t, e)
			for name, mutate := range map[string]func(*Subscription){
				"no channel":  func(s *Subscription) { s.Channel = "" },
				"no owner":    func(s *Subscription) { s.Owner = "" },
				"no schedule": func(s *Subscription) { s.Schedule = " " },
				"bad params":  func(s *Subscription) { s.Params = json.RawMessage(`{days:1}`) },
			} {
				s := newSubscription()
				mutate(s)
				if _, err := db.CreateSubscription(ctx, s); !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: err = %v, want ErrInvalid", name, err)
				}
			}
		})
	})
}

func TestDB_Subscriptions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		a := mustSubscribe(t, db, newSubscription())
		o := newSubscription()
		o.Team = "T2"
		b := mustSubscribe(t, db, o)
		c := mustSubscribe(t, db, newSubscription())
		for team, want := range map[string][]int64{"T": {a, c}, "T2": {b}, "": {a, b, c}, "none": nil} {
			got, err := db.Subscriptions(ctx, team)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Errorf("Subscriptions(%q) has %d, want %d", team, len(got), len(want))
				continue
			}
			for i := range got {
				if got[i].ID != want[i] {
					t.Errorf("Subscriptions(%q)[%d] = %d, want %d", team, i, got[i].ID, want[i])
				}
			}
		}
		if _, err := db.Subscription(ctx, 99); !errors.Is(err, ErrNotFound) {
			t.Errorf("Subscription(99): %v, want ErrNotFound", err)
		}
	})
}

func TestDB_DeleteSubscription(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		id := mustSubscribe(t, db, newSubscription())
		if ok, err := db.ClaimSlot(ctx, id, db.clock.Now()); !ok || err != nil {
			t.Fatal(ok, err)
		}
		t.Run("ErrNotFound other team", func(t *testing.T) {
			if err := db.DeleteSubscription(ctx, "T2", id); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
			if _, err := db.Subscription(ctx, id); err != nil {
				t.Errorf("another team deleted it: %v", err)
			}
		})
		t.Run("OK", func(t *testing.T) {
			if err := db.DeleteSubscription(ctx, "T", id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Subscription(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("still there: %v", err)
			}
			var runs int
			db.queryRow(`SELECT count(*) FROM subscription_runs`).Scan(&runs)
			if runs != 0 {
				t.Errorf("%d runs left after delete, want 0 (cascade)", runs)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if err := db.DeleteSubscription(ctx, "T", id); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v", err)
			}
		})
	})
}

func TestDB_PauseSubscription(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		id := mustSubscribe(t, db, newSubscription())
		other := newSubscription()
		other.Owner = "UOTHER"
		otherID := mustSubscribe(t, db, other)

		changed, err := db.PauseSubscription(ctx, id, "USAM's API key was refused")
		if err != nil || !changed {
			t.Fatalf("first pause = %v, %v; want changed", changed, err)
		}
		changed, err = db.PauseSubscription(ctx, id, "again")
		if err != nil || changed {
			t.Fatalf("second pause = %v, %v; want unchanged", changed, err)
		}
		s, _ := db.Subscription(ctx, id)
		if !s.Paused || s.PausedReason != "USAM's API key was refused" {
			t.Errorf("paused = %+v", s)
		}
		if _, err := db.PauseSubscription(ctx, 99, "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("pause unknown: %v", err)
		}
		db.PauseSubscription(ctx, otherID, "x")

		t.Run("ResumeSubscriptions", func(t *testing.T) {
			n, err := db.ResumeSubscriptions(ctx, "T", "USAM")
			if err != nil || n != 1 {
				t.Fatalf("resume = %d, %v; want 1", n, err)
			}
			s, _ := db.Subscription(ctx, id)
			o, _ := db.Subscription(ctx, otherID)
			if s.Paused || s.PausedReason != "" || !o.Paused {
				t.Errorf("after resume: %+v / other %+v", s, o)
			}
			if n, _ := db.ResumeSubscriptions(ctx, "T2", "UOTHER"); n != 0 {
				t.Errorf("resumed %d of another team", n)
			}
		})
		t.Run("TakeOverSubscription", func(t *testing.T) {
			if err := db.TakeOverSubscription(ctx, otherID, "USAM"); err != nil {
				t.Fatal(err)
			}
			o, _ := db.Subscription(ctx, otherID)
			if o.Owner != "USAM" || o.Paused {
				t.Errorf("after take-over: %+v", o)
			}
			if err := db.TakeOverSubscription(ctx, 99, "USAM"); !errors.Is(err, ErrNotFound) {
				t.Errorf("take over unknown: %v", err)
			}
			// Now running again: nobody else can switch it to their key.
			if err := db.TakeOverSubscription(ctx, otherID, "UOTHER"); !errors.Is(err, ErrConflict) {
				t.Errorf("take over a running subscription: %v, want ErrConflict", err)
			}
			if o, _ := db.Subscription(ctx, otherID); o.Owner != "USAM" {
				t.Errorf("a refused take-over changed the owner to %q", o.Owner)
			}
			if err := db.TakeOverSubscription(ctx, otherID, ""); !errors.Is(err, ErrInvalid) {
				t.Errorf("take over by nobody: %v", err)
			}
		})
	})
}

func TestDB_ClaimSlot(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		slot := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CET", 3600))
		t.Run("OK once", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustSubscribe(t, db, newSubscription())
			if _, ok, err := db.LastSlot(ctx, id); ok || err != nil {
				t.Fatalf("LastSlot of a new subscription = %v, %v", ok, err)
			}
			first, err := db.ClaimSlot(ctx, id, slot)
			if err != nil || !first {
				t.Fatalf("first claim = %v, %v", first, err)
			}
			// The same instant in another zone is the same slot.
			second, err := db.ClaimSlot(ctx, id, slot.UTC())
			if err != nil || second {
				t.Fatalf("second claim = %v, %v; want false", second, err)
			}
			next := slot.Add(24 * time.Hour)
			if ok, _ := db.ClaimSlot(ctx, id, next); !ok {
				t.Error("next slot not claimable")
			}
			last, ok, err := db.LastSlot(ctx, id)
			if err != nil || !ok || !last.Equal(next) {
				t.Errorf("LastSlot = %v, %v, %v; want %v", last, ok, err, next)
			}
			if err := db.FinishSlot(ctx, id, slot, "posted 3 instances"); err != nil {
				t.Fatal(err)
			}
			var outcome string
			var finished int64
			db.queryRow(`SELECT outcome, finished_at FROM subscription_runs WHERE slot = ?`, slot.UnixNano()).Scan(&outcome, &finished)
			if outcome != "posted 3 instances" || finished != db.clock.Now().UnixNano() {
				t.Errorf("run = %q at %d", outcome, finished)
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustSubscribe(t, db, newSubscription())
			procs := []*DB{db.DB, db.second(t, "process-B")}
			if wins := raceBool(t, 50, procs, func(d *DB, _ int) (bool, error) { return d.ClaimSlot(ctx, id, slot) }); wins != 1 {
				t.Errorf("%d winners, want 1", wins)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			db := openTestDB(t, e)
			if _, err := db.ClaimSlot(ctx, 99, slot); !errors.Is(err, ErrNotFound) {
				t.Errorf("claim for unknown subscription: %v", err)
			}
			id := mustSubscribe(t, db, newSubscription())
			if err := db.FinishSlot(ctx, id, slot, "x"); !errors.Is(err, ErrNotFound) {
				t.Errorf("finish unclaimed slot: %v", err)
			}
		})
	})
}

// ReleaseSlot gives back only a claim that never finished: the slot of a
// run stopped mid-scan runs again, a finished one is never run twice.
func TestDB_ReleaseSlot(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		slot := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CET", 3600))
		tests := []struct {
			name     string
			claim    bool
			outcome  string // "" = the run never finished
			wantErr  error
			claimed  bool // whether the slot is still claimed afterwards
			reclaims bool // whether ClaimSlot wins it afterwards
		}{
			{name: "unfinished claim", claim: true, wantErr: nil, claimed: false, reclaims: true},
			{name: "finished claim", claim: true, outcome: "posted", wantErr: ErrConflict, claimed: true},
			{name: "finished with an error", claim: true, outcome: "error: post failed", wantErr: ErrConflict, claimed: true},
			{name: "never claimed", wantErr: ErrNotFound, reclaims: true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				db := openTestDB(t, e)
				id := mustSubscribe(t, db, newSubscription())
				if tc.claim {
					if ok, err := db.ClaimSlot(ctx, id, slot); !ok || err != nil {
						t.Fatalf("claim = %v, %v", ok, err)
					}
				}
				if tc.outcome != "" {
					if err := db.FinishSlot(ctx, id, slot, tc.outcome); err != nil {
						t.Fatal(err)
					}
				}
				err := db.ReleaseSlot(ctx, id, slot.UTC())
				if (tc.wantErr == nil && err != nil) || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
					t.Fatalf("ReleaseSlot = %v, want %v", err, tc.wantErr)
				}
				if _, ok, _ := db.LastSlot(ctx, id); ok != tc.claimed {
					t.Errorf("slot still claimed = %v, want %v", ok, tc.claimed)
				}
				if tc.outcome != "" {
					var outcome string
					db.queryRow(`SELECT outcome FROM subscription_runs WHERE slot = ?`, slot.UnixNano()).Scan(&outcome)
					if outcome != tc.outcome {
						t.Errorf("outcome = %q after a refused release, want %q", outcome, tc.outcome)
					}
				}
				if ok, err := db.ClaimSlot(ctx, id, slot); ok != tc.reclaims || err != nil {
					t.Errorf("claim after release = %v, %v; want %v", ok, err, tc.reclaims)
				}
			})
		}
	})
}

func TestDB_PurgeRuns(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		a := mustSubscribe(t, db, newSubscription())
		b := mustSubscribe(t, db, newSubscription())
		start := db.clock.Now()
		for i := range 10 {
			db.ClaimSlot(ctx, a, start.Add(time.Duration(i)*24*time.Hour))
		}
		db.ClaimSlot(ctx, b, start) // b's only slot: old, but its latest
		db.clock.Advance(30 * 24 * time.Hour)
		// keep 25 days: a's slots of days 0..4 are older; day 5 is exactly at the limit.
		n, err := db.PurgeRuns(ctx, 25*24*time.Hour)
		if err != nil || n != 5 {
			t.Fatalf("PurgeRuns = %d, %v; want 5", n, err)
		}
		if last, ok, _ := db.LastSlot(ctx, b); !ok || !last.Equal(start) {
			t.Errorf("b's last slot was purged: %v %v", last, ok)
		}
		if last, ok, _ := db.LastSlot(ctx, a); !ok || !last.Equal(start.Add(9*24*time.Hour)) {
			t.Errorf("a's last slot = %v %v", last, ok)
		}
		// A purged slot must not become claimable again by accident of the
		// scheduler: it only claims slots after LastSlot.
		if ok, _ := db.ClaimSlot(ctx, a, start.Add(5*24*time.Hour)); ok {
			t.Error("a kept slot was claimable again")
		}
	})
}

// TestDB_Subscription_Races: pausing (the channel is told once) and taking
// over a paused subscription (one new owner) are compare-and-sets across
// processes.
func TestDB_Subscription_Races(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		procs := []*DB{db.DB, db.second(t, "process-B")}
		id := mustSubscribe(t, db, newSubscription())
		if wins := raceBool(t, 40, procs, func(d *DB, _ int) (bool, error) { return d.PauseSubscription(ctx, id, "key refused") }); wins != 1 {
			t.Errorf("%d pauses changed it, want 1", wins)
		}
		if wins := race(t, 40, procs, func(d *DB, i int) error { return d.TakeOverSubscription(ctx, id, fmt.Sprintf("U%d", i)) }); wins != 1 {
			t.Errorf("%d take-overs, want 1", wins)
		}
		if s, _ := db.Subscription(ctx, id); s.Paused || s.Owner == "USAM" {
			t.Errorf("after the race: %+v", s)
		}
	})
}

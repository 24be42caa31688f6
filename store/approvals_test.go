package store

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/paasbot/paasbot/store/storetest"
	"strings"
	"testing"
	"time"
)

func newApproval() *Approval {
	return &Approval{Team: "T", Channel: "C1", Requester: "UDANA", Action: "paas.renew", Target: "shop-prod",
		Params: json.RawMessage(`{"duration":"12m"}`), Summary: "renew shop-prod for 12 months"}
}

func mustCreate(t *testing.T, db *testDB, a *Approval) int64 {
	t.Helper()
	id, err := db.CreateApproval(context.Background(), a)
	if err != nil {
		t.Fatalf("CreateApproval: %v", err)
	}
	return id
}

func TestDB_CreateApproval(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("OK", func(t *testing.T) {
			db := openTestDB(t, e)
			a := newApproval()
			id := mustCreate(t, db, a)
			if id <= 0 || a.ID != id || a.State != StatePending {
				t.Fatalf("id %d, a = %+v", id, a)
			}
			got, err := db.Approval(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			now := db.clock.Now()
			if got.Team != "T" || got.Channel != "C1" || got.Requester != "UDANA" || got.Action != "paas.renew" ||
				got.Target != "shop-prod" || string(got.Params) != `{"duration":"12m"}` || got.Summary != a.Summary ||
				got.State != StatePending || !got.CreatedAt.Equal(now) || !got.ExpiresAt.Equal(now.Add(DefaultApprovalTTL)) ||
				got.DecidedBy != "" || got.DecidedAt != nil || got.Result != nil || got.Progress != nil {
				t.Errorf("stored approval = %+v", got)
			}
		})
		t.Run("ExplicitDeadline", func(t *testing.T) {
			db := openTestDB(t, e)
			a := newApproval()
			a.ExpiresAt = db.clock.Now().Add(time.Hour)
			id := mustCreate(t, db, a)
			got, _ := db.Approval(ctx, id)
			if !got.ExpiresAt.Equal(db.clock.Now().Add(time.Hour)) {
				t.Errorf("ExpiresAt = %v", got.ExpiresAt)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			db := openTestDB(t, e)
			tests := []struct {
				name   string
				mutate func(*Approval)
				want   string
			}{
				{"no team", func(a *Approval) { a.Team = "" }, "needs a team"},
				{"no action", func(a *Approval) { a.Action = "" }, "needs a team"},
				{"params not JSON", func(a *Approval) { a.Params = json.RawMessage(`{`) }, "not JSON"},
				{"password in params", func(a *Approval) { a.Params = json.RawMessage(`{"name":"blog","password":"hunter2"}`) }, `may not hold "password"`},
				{"nested apikey", func(a *Approval) { a.Params = json.RawMessage(`[{"x":{"API_KEY":"k"}}]`) }, `may not hold "API_KEY"`},
				{"deadline passed", func(a *Approval) { a.ExpiresAt = db.clock.Now().Add(-time.Second) }, "not in the future"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					a := newApproval()
					tt.mutate(a)
					_, err := db.CreateApproval(ctx, a)
					if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
						t.Errorf("err = %v, want ErrInvalid with %q", err, tt.want)
					}
					if strings.Contains(err.Error(), "hunter2") {
						t.Errorf("error %q reveals the password", err)
					}
				})
			}
		})
	})
}

func TestDB_Approval(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		_, err := db.Approval(context.Background(), 42)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestDB_PendingApprovals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		a1 := mustCreate(t, db, newApproval())
		other := newApproval()
		other.Team = "T2"
		a2 := mustCreate(t, db, other)
		denied := mustCreate(t, db, newApproval())
		if _, err := db.Decide(ctx, denied, StateDenied, "UAPP", nil); err != nil {
			t.Fatal(err)
		}
		short := newApproval()
		short.ExpiresAt = db.clock.Now().Add(time.Minute)
		mustCreate(t, db, short)
		db.clock.Advance(2 * time.Minute) // short is past its deadline

		tests := []struct {
			team string
			want []int64
		}{{"T", []int64{a1}}, {"T2", []int64{a2}}, {"", []int64{a1, a2}}, {"T3", nil}}
		for _, tt := range tests {
			got, err := db.PendingApprovals(ctx, tt.team)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && (ids[0] != tt.want[0] || ids[len(ids)-1] != tt.want[len(tt.want)-1])) {
				t.Errorf("PendingApprovals(%q) = %v, want %v", tt.team, ids, tt.want)
			}
		}
	})
}

// TestDB_HeldOutcomes: the outcomes a holder records, and what it may not
// record (a claim of a decided request, a failure of operations before
// the call ran, JSON that is not).
func TestDB_HeldOutcomes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("OK fail", func(t *testing.T) {
			db := openTestDB(t, e)
			id := executing(t, db, db.DB, true)
			if err := db.FailHeld(ctx, id, "Gandi: not enough money"); err != nil {
				t.Fatal(err)
			}
			a := mustApproval(t, db.DB, id)
			if a.State != StateFailed || a.Error != "Gandi: not enough money" || a.Holder != "" {
				t.Errorf("after fail: %+v", a)
			}
		})
		t.Run("OK interrupted", func(t *testing.T) {
			db := openTestDB(t, e)
			id := executing(t, db, db.DB, true)
			if err := db.InterruptHeld(ctx, id, "no answer"); err != nil {
				t.Fatal(err)
			}
			if a := mustApproval(t, db.DB, id); a.State != StateInterrupted || a.Error != "no answer" || a.SentAt == nil {
				t.Errorf("after interrupt: %+v", a)
			}
			if err := db.ClaimExecution(ctx, id); !errors.Is(err, ErrConflict) {
				t.Errorf("an interrupted request claimed again: %v", err)
			}
		})
		t.Run("OK operations failed after done", func(t *testing.T) {
			db := openTestDB(t, e)
			id := following(t, db, db.DB)
			if err := db.FailOperationsHeld(ctx, id, json.RawMessage(`{"7":"ERROR"}`), "paas_vm_renew ended in ERROR"); err != nil {
				t.Fatal(err)
			}
			a := mustApproval(t, db.DB, id)
			if a.State != StateFailed || a.Error != "paas_vm_renew ended in ERROR" || !a.FollowDone || string(a.Progress) != `{"7":"ERROR"}` {
				t.Errorf("after FailOperationsHeld: %+v", a)
			}
			if err := db.FailOperationsHeld(ctx, id, nil, "again"); !errors.Is(err, ErrConflict) {
				t.Errorf("second FailOperationsHeld: %v, want ErrConflict", err)
			}
		})
		t.Run("FailOperationsHeld before the call ran", func(t *testing.T) {
			db := openTestDB(t, e)
			id := executing(t, db, db.DB, false)
			if err := db.FailOperationsHeld(ctx, id, nil, "x"); !errors.Is(err, ErrConflict) {
				t.Errorf("FailOperationsHeld of executing: %v, want ErrConflict", err)
			}
		})
		t.Run("ClaimExecution of a decided request", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			if _, err := db.Decide(ctx, id, StateDenied, "UBOSS", nil); err != nil {
				t.Fatal(err)
			}
			var se *StateError
			if err := db.ClaimExecution(ctx, id); !errors.As(err, &se) || se.Current != StateDenied {
				t.Errorf("ClaimExecution of denied: %v, want *StateError{denied}", err)
			}
		})
		t.Run("ErrInvalid JSON", func(t *testing.T) {
			db := openTestDB(t, e)
			id := executing(t, db, db.DB, true)
			if err := db.FinishHeld(ctx, id, json.RawMessage(`nope`)); !errors.Is(err, ErrInvalid) {
				t.Errorf("FinishHeld with bad JSON: %v", err)
			}
			if err := db.ProgressHeld(ctx, id, json.RawMessage(`{`), false); !errors.Is(err, ErrInvalid) {
				t.Errorf("ProgressHeld with bad JSON: %v", err)
			}
			if a := mustApproval(t, db.DB, id); a.State != StateExecuting {
				t.Errorf("a refused change moved the request: %+v", a)
			}
		})
	})
}

// TestDB_ExpireDueLeavesTheRest: only pending requests past their
// deadline expire; a later one and an approved one stay.
func TestDB_ExpireDueLeavesTheRest(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		soon := newApproval()
		soon.ExpiresAt = db.clock.Now().Add(time.Hour)
		soonID := mustCreate(t, db, soon)
		later := newApproval()
		later.ExpiresAt = db.clock.Now().Add(3 * time.Hour)
		laterID := mustCreate(t, db, later)
		decided := newApproval()
		decided.ExpiresAt = db.clock.Now().Add(time.Hour)
		approvedID := mustCreate(t, db, decided)
		if _, err := db.Decide(ctx, approvedID, StateApproved, "U", nil); err != nil {
			t.Fatal(err)
		}
		if as, err := db.ExpireDue(ctx, nil); err != nil || len(as) != 0 {
			t.Fatalf("before any deadline: %v, %v", as, err)
		}
		db.clock.Advance(2 * time.Hour)
		as, err := db.ExpireDue(ctx, nil)
		if err != nil || !sameIDs(as, soonID) || as[0].State != StateExpired {
			t.Fatalf("ExpireDue = %+v, %v; want only %d", as, err, soonID)
		}
		for id, want := range map[int64]ApprovalState{soonID: StateExpired, laterID: StatePending, approvedID: StateApproved} {
			if a := mustApproval(t, db.DB, id); a.State != want {
				t.Errorf("approval %d is %s, want %s", id, a.State, want)
			}
		}
	})
}

func TestDB_SetApprovalMessage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		id := mustCreate(t, db, newApproval())
		t.Run("OK", func(t *testing.T) {
			if err := db.SetApprovalMessage(ctx, id, "C1", "1700000000.0001"); err != nil {
				t.Fatal(err)
			}
			a, _ := db.Approval(ctx, id)
			if a.MessageChannel != "C1" || a.MessageID != "1700000000.0001" {
				t.Errorf("%+v", a)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if err := db.SetApprovalMessage(ctx, 99, "C", "1"); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v", err)
			}
		})
	})
}

func TestDB_ApprovalCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		if got, err := db.ApprovalCounts(ctx); err != nil || len(got) != 0 {
			t.Fatalf("empty: %v, %v", got, err)
		}
		for range 3 {
			mustCreate(t, db, newApproval())
		}
		db.Decide(ctx, 1, StateApproved, "U", nil)
		db.Decide(ctx, 2, StateDenied, "U", nil)
		got, err := db.ApprovalCounts(ctx)
		if err != nil || len(got) != 3 || got["pending"] != 1 || got["approved"] != 1 || got["denied"] != 1 {
			t.Errorf("ApprovalCounts = %v, %v", got, err)
		}
	})
}

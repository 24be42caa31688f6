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
		if err := db.Deny(ctx, denied, "UAPP"); err != nil {
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

func TestDB_Transition(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("OK full path", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			db.clock.Advance(time.Minute)
			if err := db.Approve(ctx, id, "UAPPROVER"); err != nil {
				t.Fatalf("Approve: %v", err)
			}
			a, _ := db.Approval(ctx, id)
			if a.State != StateApproved || a.DecidedBy != "UAPPROVER" || a.DecidedAt == nil || !a.DecidedAt.Equal(db.clock.Now()) {
				t.Errorf("after approve: %+v", a)
			}
			if err := db.Claim(ctx, id); err != nil {
				t.Fatalf("Claim: %v", err)
			}
			if err := db.Finish(ctx, id, json.RawMessage(`{"operations":[7]}`)); err != nil {
				t.Fatalf("Finish: %v", err)
			}
			a, _ = db.Approval(ctx, id)
			if a.State != StateDone || string(a.Result) != `{"operations":[7]}` || a.DecidedBy != "UAPPROVER" {
				t.Errorf("after finish: %+v", a)
			}
		})
		t.Run("OK fail", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			db.Approve(ctx, id, "U")
			db.Claim(ctx, id)
			if err := db.Fail(ctx, id, "Gandi: not enough money"); err != nil {
				t.Fatal(err)
			}
			a, _ := db.Approval(ctx, id)
			if a.State != StateFailed || a.Error != "Gandi: not enough money" {
				t.Errorf("after fail: %+v", a)
			}
		})
		t.Run("OK operations failed after done", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			db.Approve(ctx, id, "U")
			db.Claim(ctx, id)
			db.Finish(ctx, id, nil)
			if err := db.FailOperations(ctx, id, "paas_vm_renew ended in ERROR"); err != nil {
				t.Fatal(err)
			}
			a, _ := db.Approval(ctx, id)
			if a.State != StateFailed || a.Error != "paas_vm_renew ended in ERROR" {
				t.Errorf("after FailOperations: %+v", a)
			}
			if err := db.FailOperations(ctx, id, "again"); !errors.Is(err, ErrConflict) {
				t.Errorf("second FailOperations: %v, want ErrConflict", err)
			}
		})
		t.Run("FailOperations of a pending request", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			if err := db.FailOperations(ctx, id, "x"); !errors.Is(err, ErrConflict) {
				t.Errorf("FailOperations of pending: %v, want ErrConflict", err)
			}
		})
		t.Run("OK deny and cancel", func(t *testing.T) {
			db := openTestDB(t, e)
			d := mustCreate(t, db, newApproval())
			c := mustCreate(t, db, newApproval())
			if err := db.Deny(ctx, d, "UBOSS"); err != nil {
				t.Fatal(err)
			}
			if err := db.Cancel(ctx, c, "UDANA"); err != nil {
				t.Fatal(err)
			}
			ad, _ := db.Approval(ctx, d)
			ac, _ := db.Approval(ctx, c)
			if ad.State != StateDenied || ad.DecidedBy != "UBOSS" || ac.State != StateCancelled || ac.DecidedBy != "UDANA" {
				t.Errorf("denied %+v, cancelled %+v", ad, ac)
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			if err := db.Deny(ctx, id, "UBOSS"); err != nil {
				t.Fatal(err)
			}
			err := db.Approve(ctx, id, "UOTHER")
			var se *StateError
			if !errors.Is(err, ErrConflict) || !errors.As(err, &se) || se.Current != StateDenied || se.Want != StatePending || se.ID != id {
				t.Fatalf("err = %#v, want *StateError{Current: denied}", err)
			}
			if err.Error() != "approval 1 is denied, not pending" {
				t.Errorf("message %q", err)
			}
			if err := db.Claim(ctx, id); !errors.Is(err, ErrConflict) {
				t.Errorf("Claim of denied: %v, want ErrConflict", err)
			}
			a, _ := db.Approval(ctx, id)
			if a.DecidedBy != "UBOSS" {
				t.Errorf("the losing approver overwrote the decision: %+v", a)
			}
		})
		t.Run("ErrConflict expired", func(t *testing.T) {
			db := openTestDB(t, e)
			a := newApproval()
			a.ExpiresAt = db.clock.Now().Add(time.Hour)
			id := mustCreate(t, db, a)
			db.clock.Advance(time.Hour) // deadline reached exactly: too late
			err := db.Approve(ctx, id, "U")
			var se *StateError
			if !errors.As(err, &se) || se.Current != StateExpired {
				t.Fatalf("err = %v, want conflict with state expired", err)
			}
			got, _ := db.Approval(ctx, id)
			if got.State != StateExpired || got.DecidedBy != "" {
				t.Errorf("stored %+v, want expired and undecided", got)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			db := openTestDB(t, e)
			if err := db.Approve(ctx, 99, "U"); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
		t.Run("ErrInvalid move", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			for _, m := range [][2]ApprovalState{{StatePending, StateDone}, {StateDone, StatePending}, {StateFailed, StateExecuting}, {StatePending, "bogus"}} {
				if err := db.Transition(ctx, id, m[0], m[1], "U"); !errors.Is(err, ErrInvalid) {
					t.Errorf("%s → %s: err = %v, want ErrInvalid", m[0], m[1], err)
				}
			}
			if err := db.Finish(ctx, id, json.RawMessage(`nope`)); !errors.Is(err, ErrInvalid) {
				t.Errorf("Finish with bad JSON: %v", err)
			}
		})
	})
}

// TestDB_Approve_Race: 100 goroutines of two processes click Approve at
// once; exactly one wins, the others get ErrConflict. Then 100 race to
// Claim: one wins.
func TestDB_Approve_Race(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		procs := []*DB{db.DB, db.second(t, "process-B")}
		id := mustCreate(t, db, newApproval())
		if wins := race(t, 100, procs, func(d *DB, i int) error { return d.Approve(ctx, id, "U"+string(rune('A'+i%26))) }); wins != 1 {
			t.Fatalf("approve: %d winners", wins)
		}
		if wins := race(t, 100, procs, func(d *DB, _ int) error { return d.Claim(ctx, id) }); wins != 1 {
			t.Fatalf("claim: %d winners", wins)
		}
		a, _ := db.Approval(ctx, id)
		if a.State != StateExecuting {
			t.Errorf("state %s, want executing", a.State)
		}
	})
}

func TestDB_ExpireApprovals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		soon := newApproval()
		soon.ExpiresAt = db.clock.Now().Add(time.Hour)
		soonID := mustCreate(t, db, soon)
		later := newApproval()
		later.ExpiresAt = db.clock.Now().Add(3 * time.Hour)
		laterID := mustCreate(t, db, later)
		approved := newApproval()
		approved.ExpiresAt = db.clock.Now().Add(time.Hour)
		approvedID := mustCreate(t, db, approved)
		db.Approve(ctx, approvedID, "U")

		if n, err := db.ExpireApprovals(ctx); err != nil || n != 0 {
			t.Fatalf("before any deadline: %d, %v", n, err)
		}
		db.clock.Advance(2 * time.Hour)
		as, err := db.ExpirePending(ctx)
		if err != nil || len(as) != 1 || as[0].ID != soonID || as[0].State != StateExpired {
			t.Fatalf("ExpirePending = %+v, %v; want only %d", as, err, soonID)
		}
		for id, want := range map[int64]ApprovalState{soonID: StateExpired, laterID: StatePending, approvedID: StateApproved} {
			if a, _ := db.Approval(ctx, id); a.State != want {
				t.Errorf("approval %d is %s, want %s", id, a.State, want)
			}
		}
		db.clock.Advance(2 * time.Hour)
		if n, err := db.ExpireApprovals(ctx); err != nil || n != 1 {
			t.Errorf("second round: %d, %v; want 1", n, err)
		}
	})
}

func TestDB_InterruptExecuting(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		executing := mustCreate(t, db, newApproval())
		db.Approve(ctx, executing, "U")
		db.Claim(ctx, executing)
		approved := mustCreate(t, db, newApproval())
		db.Approve(ctx, approved, "U")
		done := mustCreate(t, db, newApproval())
		db.Approve(ctx, done, "U")
		db.Claim(ctx, done)
		db.Finish(ctx, done, nil)
		pending := mustCreate(t, db, newApproval())

		got, err := db.InterruptExecuting(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != executing || got[1].ID != approved || got[0].State != StateInterrupted {
			t.Fatalf("InterruptExecuting = %+v", got)
		}
		for id, want := range map[int64]ApprovalState{executing: StateInterrupted, approved: StateInterrupted, done: StateDone, pending: StatePending} {
			if a, _ := db.Approval(ctx, id); a.State != want {
				t.Errorf("approval %d is %s, want %s", id, a.State, want)
			}
		}
		// An interrupted request is never claimed again.
		if err := db.Claim(ctx, approved); !errors.Is(err, ErrConflict) {
			t.Errorf("Claim of interrupted: %v, want ErrConflict", err)
		}
		if again, err := db.InterruptExecuting(ctx); err != nil || len(again) != 0 {
			t.Errorf("second call = %v, %v; want none", again, err)
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

func TestDB_SetProgress(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		following := mustCreate(t, db, newApproval())
		db.Approve(ctx, following, "U")
		db.Claim(ctx, following)
		db.Finish(ctx, following, json.RawMessage(`[1,2]`))
		finished := mustCreate(t, db, newApproval())
		db.Approve(ctx, finished, "U")
		db.Claim(ctx, finished)
		db.Finish(ctx, finished, nil)

		t.Run("OK", func(t *testing.T) {
			if err := db.SetProgress(ctx, following, json.RawMessage(`{"1":"RUN"}`), false); err != nil {
				t.Fatal(err)
			}
			if err := db.SetProgress(ctx, finished, json.RawMessage(`{"3":"DONE"}`), true); err != nil {
				t.Fatal(err)
			}
			got, err := db.FollowingApprovals(ctx)
			if err != nil || len(got) != 1 || got[0].ID != following || string(got[0].Progress) != `{"1":"RUN"}` {
				t.Fatalf("FollowingApprovals = %+v, %v", got, err)
			}
			a, _ := db.Approval(ctx, finished)
			if !a.FollowDone || string(a.Progress) != `{"3":"DONE"}` {
				t.Errorf("finished = %+v", a)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if err := db.SetProgress(ctx, 99, nil, true); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			if err := db.SetProgress(ctx, following, json.RawMessage(`{`), false); !errors.Is(err, ErrInvalid) {
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
		db.Approve(ctx, 1, "U")
		db.Deny(ctx, 2, "U")
		got, err := db.ApprovalCounts(ctx)
		if err != nil || len(got) != 3 || got["pending"] != 1 || got["approved"] != 1 || got["denied"] != 1 {
			t.Errorf("ApprovalCounts = %v, %v", got, err)
		}
	})
}

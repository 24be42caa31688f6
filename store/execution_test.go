package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/store/storetest"
)

func TestDB_Decide(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Run("OK each decision with its audit line", func(t *testing.T) {
			db := openTestDB(t, e)
			for _, tc := range []struct {
				to      ApprovalState
				actor   string
				verb    string
				outcome string
				holder  string
			}{
				{StateApproved, "UBOSS", "approve", "approved", "process-A"},
				{StateDenied, "UBOSS", "deny", "denied", ""},
				{StateCancelled, "UDANA", "cancel", "cancelled", ""},
			} {
				id := mustCreate(t, db, newApproval())
				a, err := db.Decide(ctx, id, tc.to, tc.actor, nil)
				if err != nil {
					t.Fatalf("Decide %s: %v", tc.to, err)
				}
				if a.State != tc.to || a.DecidedBy != tc.actor || a.DecidedAt == nil || a.Holder != tc.holder {
					t.Errorf("Decide %s returned %+v", tc.to, a)
				}
				if tc.to == StateApproved && !a.LeaseUntil.Equal(db.clock.Now().Add(LeaseTTL)) {
					t.Errorf("approved lease until %v, want now + LeaseTTL", a.LeaseUntil)
				}
				es, _ := db.RecentAudit(ctx, "T", 1)
				want := AuditEntry{Team: "T", Actor: tc.actor, Action: fmt.Sprintf("%s paas.renew #%d", tc.verb, id), Target: a.Summary, Outcome: tc.outcome}
				if len(es) != 1 || es[0].Team != want.Team || es[0].Actor != want.Actor || es[0].Action != want.Action ||
					es[0].Target != want.Target || es[0].Outcome != want.Outcome {
					t.Errorf("audit line = %+v, want %+v", es, want)
				}
			}
		})
		t.Run("OK own audit line", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			line := func(verb string, a Approval) AuditEntry {
				return AuditEntry{Outcome: "refused by " + a.DecidedBy, Params: json.RawMessage(`{"why":"budget"}`)}
			}
			if _, err := db.Decide(ctx, id, StateDenied, "UBOSS", line); err != nil {
				t.Fatal(err)
			}
			es, _ := db.RecentAudit(ctx, "", 5)
			if len(es) != 1 || es[0].Outcome != "refused by UBOSS" || es[0].Actor != "UBOSS" ||
				es[0].Action != fmt.Sprintf("deny paas.renew #%d", id) || string(es[0].Params) != `{"why":"budget"}` {
				t.Errorf("audit = %+v", es)
			}
		})
		t.Run("ErrConflict leaves one decision and one line", func(t *testing.T) {
			db := openTestDB(t, e)
			other := db.second(t, "process-B")
			id := mustCreate(t, db, newApproval())
			verbs := []ApprovalState{StateApproved, StateDenied, StateCancelled}
			wins := race(t, 60, []*DB{db.DB, other}, func(d *DB, i int) error {
				_, err := d.Decide(ctx, id, verbs[i%3], fmt.Sprintf("U%d", i), nil)
				return err
			})
			if wins != 1 {
				t.Fatalf("%d decisions won, want 1", wins)
			}
			a := mustApproval(t, db.DB, id)
			es, _ := db.RecentAudit(ctx, "", 100)
			if len(es) != 1 || es[0].Actor != a.DecidedBy || es[0].Outcome != string(a.State) {
				t.Errorf("after the race: %s by %s, audit %+v", a.State, a.DecidedBy, es)
			}
			_, err := db.Decide(ctx, id, StateApproved, "ULATE", nil)
			var se *StateError
			if !errors.As(err, &se) || se.Current != a.State || !errors.Is(err, ErrConflict) {
				t.Errorf("a late decision: %v, want *StateError with %s", err, a.State)
			}
		})
		t.Run("deadline passed: expired with its line", func(t *testing.T) {
			db := openTestDB(t, e)
			a := newApproval()
			a.ExpiresAt = db.clock.Now().Add(time.Hour)
			id := mustCreate(t, db, a)
			if _, err := db.Decide(ctx, id, StateExpired, "", nil); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "not past its deadline") {
				t.Errorf("expire before the deadline: %v", err)
			}
			db.clock.Advance(time.Hour)
			_, err := db.Decide(ctx, id, StateApproved, "UBOSS", nil)
			var se *StateError
			if !errors.As(err, &se) || se.Current != StateExpired {
				t.Fatalf("approve after the deadline: %v, want conflict with expired", err)
			}
			if got := mustApproval(t, db.DB, id); got.State != StateExpired || got.DecidedBy != "" || got.Holder != "" {
				t.Errorf("stored %+v", got)
			}
			if n := auditLines(t, db.DB, fmt.Sprintf("expire paas.renew #%d", id)); n != 1 {
				t.Errorf("%d expire lines, want 1", n)
			}
			if n := auditLines(t, db.DB, fmt.Sprintf("approve paas.renew #%d", id)); n != 0 {
				t.Errorf("%d approve lines for a refused approval", n)
			}
		})
		t.Run("ErrInvalid and ErrNotFound", func(t *testing.T) {
			db := openTestDB(t, e)
			id := mustCreate(t, db, newApproval())
			for _, to := range []ApprovalState{StateDone, StateExecuting, StatePending, "bogus"} {
				if _, err := db.Decide(ctx, id, to, "U", nil); !errors.Is(err, ErrInvalid) {
					t.Errorf("Decide %s: %v, want ErrInvalid", to, err)
				}
			}
			if _, err := db.Decide(ctx, id, StateApproved, "", nil); !errors.Is(err, ErrInvalid) {
				t.Errorf("approve by nobody: %v", err)
			}
			if _, err := db.Decide(ctx, 99, StateApproved, "U", nil); !errors.Is(err, ErrNotFound) {
				t.Errorf("unknown id: %v", err)
			}
		})
	})
}

func TestDB_ExpireDue(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		other := db.second(t, "process-B")
		var due []int64
		for i := range 6 {
			a := newApproval()
			a.ExpiresAt = db.clock.Now().Add(time.Duration(i+1) * time.Minute)
			id := mustCreate(t, db, a)
			if i < 4 {
				due = append(due, id)
			}
		}
		db.clock.Advance(4 * time.Minute)
		got := make(chan []Approval, 2)
		wins := race(t, 2, []*DB{db.DB, other}, func(d *DB, _ int) error {
			as, err := d.ExpireDue(ctx, nil)
			got <- as
			return err
		})
		if wins != 2 {
			t.Fatal("a sweep failed")
		}
		all := append(<-got, <-got...)
		seen := map[int64]int{}
		for _, a := range all {
			seen[a.ID]++
			if a.State != StateExpired {
				t.Errorf("returned %+v", a)
			}
		}
		for _, id := range due {
			if seen[id] != 1 {
				t.Errorf("request %d expired by %d sweeps, want 1", id, seen[id])
			}
			if n := auditLines(t, db.DB, fmt.Sprintf("expire paas.renew #%d", id)); n != 1 {
				t.Errorf("request %d has %d expire lines, want 1", id, n)
			}
		}
		if len(all) != len(due) {
			t.Errorf("expired %v, want %v", ids(all), due)
		}
	})
}

// TestDB_LeasedExecution walks the leased path of a request end to end.
func TestDB_LeasedExecution(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		id := approved(t, db, db.DB)
		db.clock.Advance(time.Second)
		if err := db.ClaimExecution(ctx, id); err != nil {
			t.Fatal(err)
		}
		a := mustApproval(t, db.DB, id)
		if a.State != StateExecuting || a.Holder != "process-A" || !a.LeaseUntil.Equal(db.clock.Now().Add(LeaseTTL)) || a.SentAt != nil {
			t.Fatalf("claimed: %+v", a)
		}
		db.clock.Advance(time.Second)
		if err := db.MarkSent(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkSent(ctx, id); err != nil {
			t.Errorf("MarkSent again: %v", err)
		}
		if a := mustApproval(t, db.DB, id); a.SentAt == nil || !a.SentAt.Equal(db.clock.Now()) {
			t.Fatalf("sent: %+v", a)
		}
		if err := db.FinishHeld(ctx, id, json.RawMessage(`[{"id":7}]`)); err != nil {
			t.Fatal(err)
		}
		a = mustApproval(t, db.DB, id)
		if a.State != StateDone || string(a.Result) != `[{"id":7}]` || a.Holder != "process-A" || a.FollowDone {
			t.Fatalf("finished: %+v", a)
		}
		if err := db.ProgressHeld(ctx, id, json.RawMessage(`{"7":"RUN"}`), false); err != nil {
			t.Fatal(err)
		}
		if err := db.ProgressHeld(ctx, id, json.RawMessage(`{"7":"DONE"}`), true); err != nil {
			t.Fatal(err)
		}
		a = mustApproval(t, db.DB, id)
		if !a.FollowDone || string(a.Progress) != `{"7":"DONE"}` || a.Holder != "" || !a.LeaseUntil.IsZero() {
			t.Errorf("follow-up ended: %+v", a)
		}
		if err := db.ProgressHeld(ctx, id, nil, true); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("progress after the end: %v, want ErrLeaseLost", err)
		}
		if notes, _ := db.ApprovalNotes(ctx, id); len(notes) != 1 || notes[0].Kind != NoteProgress {
			t.Errorf("notes = %+v", notes)
		}
	})
}

func TestDB_ClaimExecution(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Run("one winner among goroutines of two processes", func(t *testing.T) {
			db := openTestDB(t, e)
			other := db.second(t, "process-B")
			id := mustCreate(t, db, newApproval())
			// Approved by an older paasbot, without a lease: either may claim.
			if _, err := db.db.ExecContext(ctx, `UPDATE approvals SET state = ?, decided_by = 'U' WHERE id = ?`, StateApproved, id); err != nil {
				t.Fatal(err)
			}
			if wins := race(t, 50, []*DB{db.DB, other}, func(d *DB, _ int) error { return d.ClaimExecution(ctx, id) }); wins != 1 {
				t.Fatalf("%d claims won, want 1", wins)
			}
			if a := mustApproval(t, db.DB, id); a.State != StateExecuting || (a.Holder != "process-A" && a.Holder != "process-B") {
				t.Errorf("after the race: %+v", a)
			}
		})
		t.Run("another process cannot take a request approved here", func(t *testing.T) {
			db := openTestDB(t, e)
			other := db.second(t, "process-B")
			id := approved(t, db, db.DB)
			err := other.ClaimExecution(ctx, id)
			var le *LeaseError
			if !errors.As(err, &le) || le.Holder != "process-A" || !errors.Is(err, ErrConflict) {
				t.Fatalf("claim by B: %v, want *LeaseError held by process-A", err)
			}
			if err := db.ClaimExecution(ctx, id); err != nil {
				t.Errorf("claim by A: %v", err)
			}
			var se *StateError
			if err := db.ClaimExecution(ctx, id); !errors.As(err, &se) || se.Current != StateExecuting {
				t.Errorf("second claim: %v, want *StateError executing", err)
			}
			if err := db.ClaimExecution(ctx, 99); !errors.Is(err, ErrNotFound) {
				t.Errorf("unknown id: %v", err)
			}
		})
	})
}

func TestDB_MarkSent_LeaseLost(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Run("lapsed", func(t *testing.T) {
			db := openTestDB(t, e)
			id := executing(t, db, db.DB, false)
			lapse(db)
			if err := db.MarkSent(ctx, id); !errors.Is(err, ErrLeaseLost) {
				t.Fatalf("MarkSent on a lapsed lease: %v, want ErrLeaseLost", err)
			}
			if a := mustApproval(t, db.DB, id); a.SentAt != nil {
				t.Error("sent was marked on a lapsed lease")
			}
		})
		t.Run("recovered by another process", func(t *testing.T) {
			db := openTestDB(t, e)
			other := db.second(t, "process-B")
			id := executing(t, db, db.DB, false)
			lapse(db)
			if r, err := other.Recover(ctx, RecoverOptions{}); err != nil || !sameIDs(r.Reoffered, id) {
				t.Fatalf("Recover = %+v, %v", r, err)
			}
			if _, err := db.Heartbeat(ctx); err != nil {
				t.Fatal(err)
			}
			err := db.MarkSent(ctx, id)
			var le *LeaseError
			if !errors.As(err, &le) || le.State != StatePending || le.Holder != "" {
				t.Fatalf("MarkSent after recovery: %v, want *LeaseError (pending, no holder)", err)
			}
		})
		t.Run("another process's request", func(t *testing.T) {
			db := openTestDB(t, e)
			other := db.second(t, "process-B")
			id := executing(t, db, db.DB, false)
			if err := other.MarkSent(ctx, id); !errors.Is(err, ErrLeaseLost) {
				t.Errorf("MarkSent by B: %v", err)
			}
		})
	})
}

// TestDB_LateAnswer: a holder that lost its request (recovered by another
// process as interrupted, or its follow-up taken over) cannot move it; what
// it brings is kept as a note.
func TestDB_LateAnswer(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		follow   bool // lose the follow-up instead of the execution
		call     func(db *DB, id int64) error
		kind     string
		body     string
		wantKeep ApprovalState
	}{
		{"done", false, func(db *DB, id int64) error { return db.FinishHeld(ctx, id, json.RawMessage(`{"ok":1}`)) }, NoteDone, `{"ok":1}`, StateInterrupted},
		{"failed", false, func(db *DB, id int64) error { return db.FailHeld(ctx, id, "Gandi: no money") }, NoteFailed, "Gandi: no money", StateInterrupted},
		{"interrupted", false, func(db *DB, id int64) error { return db.InterruptHeld(ctx, id, "timeout") }, NoteInterrupted, "timeout", StateInterrupted},
		{"progress", true, func(db *DB, id int64) error { return db.ProgressHeld(ctx, id, json.RawMessage(`{"7":"RUN"}`), false) }, NoteProgress, `{"7":"RUN"}`, StateDone},
		{"progress end", true, func(db *DB, id int64) error { return db.ProgressHeld(ctx, id, json.RawMessage(`{"7":"DONE"}`), true) }, NoteProgress, `{"7":"DONE"}`, StateDone},
		{"operations failed", true, func(db *DB, id int64) error { return db.FailOperationsHeld(ctx, id, nil, "op 7 ERROR") }, NoteFailed, "op 7 ERROR", StateDone},
	}
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				db := openTestDB(t, e)
				other := db.second(t, "process-B")
				var id int64
				if tc.follow {
					id = following(t, db, db.DB)
				} else {
					id = executing(t, db, db.DB, true)
				}
				lapse(db)
				if _, err := other.Recover(ctx, RecoverOptions{}); err != nil {
					t.Fatal(err)
				}
				before := mustApproval(t, db.DB, id)
				err := tc.call(db.DB, id)
				var le *LeaseError
				if !errors.As(err, &le) || !le.Noted || !errors.Is(err, ErrLeaseLost) {
					t.Fatalf("late %s: %v, want *LeaseError with a note", tc.name, err)
				}
				after := mustApproval(t, db.DB, id)
				if after.State != tc.wantKeep || after.State != before.State || after.Error != before.Error ||
					string(after.Result) != string(before.Result) || string(after.Progress) != string(before.Progress) ||
					after.FollowDone != before.FollowDone || after.Holder != before.Holder {
					t.Errorf("the late answer moved the request:\nbefore %+v\nafter  %+v", before, after)
				}
				notes, err := db.ApprovalNotes(ctx, id)
				if err != nil || len(notes) != 1 || notes[0].Kind != tc.kind || notes[0].Body != tc.body ||
					notes[0].Holder != "process-A" || notes[0].ApprovalID != id || !notes[0].At.Equal(db.clock.Now()) {
					t.Errorf("notes = %+v, %v", notes, err)
				}
				if tc.follow {
					// The new holder goes on.
					if err := other.ProgressHeld(ctx, id, json.RawMessage(`{"7":"DONE"}`), true); err != nil {
						t.Errorf("the new holder's progress: %v", err)
					}
				}
			})
		}
	})
}

// TestDB_HeldChanges_Concurrent: a held change from many goroutines of the
// holder and of another process applies once.
func TestDB_HeldChanges_Concurrent(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		other := db.second(t, "process-B")
		id := executing(t, db, db.DB, true)
		wins := race(t, 40, []*DB{db.DB, other}, func(d *DB, i int) error {
			if i%2 == 0 {
				return d.FinishHeld(ctx, id, nil)
			}
			return d.FailHeld(ctx, id, "x")
		})
		if wins != 1 {
			t.Fatalf("%d held changes applied, want 1", wins)
		}
		if a := mustApproval(t, db.DB, id); a.State != StateDone && a.State != StateFailed {
			t.Errorf("state %s", a.State)
		}
		notes, _ := db.ApprovalNotes(ctx, id)
		if len(notes) != 39 {
			t.Errorf("%d notes, want 39 (every losing call keeps its answer)", len(notes))
		}
	})
}

package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// race runs n calls of f at once, spread over the given handles (the
// "processes"), and returns how many returned nil. An error that is not a
// lost compare-and-set (ErrConflict, which ErrLeaseLost is too) fails the
// test.
func race(t *testing.T, n int, dbs []*DB, f func(db *DB, i int) error) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	start := make(chan struct{})
	for i := range n {
		db := dbs[i%len(dbs)]
		wg.Go(func() {
			<-start
			err := f(db, i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, ErrConflict):
				t.Errorf("call %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return wins
}

// raceBool is race for calls that report a win with true.
func raceBool(t *testing.T, n int, dbs []*DB, f func(db *DB, i int) (bool, error)) int {
	t.Helper()
	return race(t, n, dbs, func(db *DB, i int) error {
		ok, err := f(db, i)
		if err == nil && !ok {
			return ErrConflict
		}
		return err
	})
}

// approved creates a request and approves it through Decide on db, which
// leases it to db's holder.
func approved(t *testing.T, tdb *testDB, db *DB) int64 {
	t.Helper()
	id := mustCreate(t, tdb, newApproval())
	if _, err := db.Decide(context.Background(), id, StateApproved, "UAPPROVER", nil); err != nil {
		t.Fatalf("Decide approve: %v", err)
	}
	return id
}

// executing is approved, then claimed by db; sent says whether MarkSent ran.
func executing(t *testing.T, tdb *testDB, db *DB, sent bool) int64 {
	t.Helper()
	id := approved(t, tdb, db)
	ctx := context.Background()
	if err := db.ClaimExecution(ctx, id); err != nil {
		t.Fatalf("ClaimExecution: %v", err)
	}
	if sent {
		if err := db.MarkSent(ctx, id); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
	}
	return id
}

// following is executed by db and still followed.
func following(t *testing.T, tdb *testDB, db *DB) int64 {
	t.Helper()
	id := executing(t, tdb, db, true)
	if err := db.FinishHeld(context.Background(), id, []byte(`[{"id":7}]`)); err != nil {
		t.Fatalf("FinishHeld: %v", err)
	}
	return id
}

func mustApproval(t *testing.T, db *DB, id int64) *Approval {
	t.Helper()
	a, err := db.Approval(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// auditLines counts the audit lines whose action starts with prefix.
func auditLines(t *testing.T, db *DB, action string) int {
	t.Helper()
	es, err := db.RecentAudit(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

func ids(as []Approval) []int64 {
	var out []int64
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func sameIDs(got []Approval, want ...int64) bool {
	g := ids(got)
	if len(g) != len(want) {
		return false
	}
	for i := range g {
		if g[i] != want[i] {
			return false
		}
	}
	return true
}

// lapse moves the shared clock past every lease taken so far.
func lapse(tdb *testDB) { tdb.clock.Advance(LeaseTTL + time.Second) }

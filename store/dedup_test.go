package store

import (
	"bytes"
	"context"
	"errors"
	"github.com/paasbot/paasbot/store/storetest"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestDB_SeenOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("OK and expiry", func(t *testing.T) {
			db := openTestDB(t, e)
			steps := []struct {
				advance time.Duration
				key     string
				want    bool
			}{
				{0, "Ev1", true},
				{0, "Ev1", false},
				{0, "Ev2", true},
				{59 * time.Second, "Ev1", false},
				{time.Second, "Ev1", true}, // ttl over: seen anew
				{0, "Ev1", false},
			}
			for i, s := range steps {
				db.clock.Advance(s.advance)
				got, err := db.SeenOnce(ctx, s.key, time.Minute)
				if err != nil || got != s.want {
					t.Errorf("step %d: SeenOnce(%q) = %v, %v; want %v", i, s.key, got, err, s.want)
				}
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			db := openTestDB(t, e)
			procs := []*DB{db.DB, db.second(t, "process-B")}
			if wins := raceBool(t, 50, procs, func(d *DB, _ int) (bool, error) { return d.SeenOnce(ctx, "retried-envelope", time.Hour) }); wins != 1 {
				t.Errorf("%d firsts, want 1", wins)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			db := openTestDB(t, e)
			if _, err := db.SeenOnce(ctx, "", time.Minute); !errors.Is(err, ErrInvalid) {
				t.Errorf("empty key: %v", err)
			}
			if _, err := db.SeenOnce(ctx, "k", 0); !errors.Is(err, ErrInvalid) {
				t.Errorf("zero ttl: %v", err)
			}
		})
	})
}

func TestDB_PurgeExpired(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		db.SeenOnce(ctx, "short", time.Minute)
		db.SeenOnce(ctx, "long", time.Hour)
		db.clock.Advance(2 * time.Minute)
		n, err := db.PurgeExpired(ctx)
		if err != nil || n != 1 {
			t.Fatalf("PurgeExpired = %d, %v; want 1", n, err)
		}
		var keys int
		db.queryRow(`SELECT count(*) FROM dedup`).Scan(&keys)
		if keys != 1 {
			t.Errorf("%d keys left, want 1", keys)
		}
		if first, _ := db.SeenOnce(ctx, "long", time.Hour); first {
			t.Error("the unexpired key was purged")
		}
	})
}

func TestDB_RunJanitor(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithCancel(context.Background())
		clock := newFakeClock()
		var logs bytes.Buffer
		var logMu sync.Mutex
		db, err := Open(ctx, storetest.NewDatabase(t, e), mustSecret(t), WithClock(clock.Now),
			WithLogger(slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SeenOnce(ctx, "old", time.Minute)
		a := &Approval{Team: "T", Channel: "C", Requester: "U", Action: "paas.renew", ExpiresAt: clock.Now().Add(time.Minute)}
		id, _ := db.CreateApproval(ctx, a)
		clock.Advance(time.Hour)

		done := make(chan struct{})
		go func() { db.RunJanitor(ctx, time.Millisecond); close(done) }()
		deadline := time.After(10 * time.Second)
		for {
			var keys int
			db.db.QueryRowContext(context.Background(), `SELECT count(*) FROM dedup`).Scan(&keys)
			if keys == 0 {
				break
			}
			select {
			case <-deadline:
				t.Fatalf("janitor did not run: %d dedup keys left", keys)
			case <-time.After(5 * time.Millisecond):
			}
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("RunJanitor did not return after cancel")
		}
		// Approvals are the core's to expire (it updates their messages): the
		// janitor leaves an overdue request pending.
		if got, _ := db.Approval(context.Background(), id); got.State != StatePending {
			t.Errorf("janitor moved an overdue approval to %s; the core's sweep expires it", got.State)
		}
		logMu.Lock()
		defer logMu.Unlock()
		if !bytes.Contains(logs.Bytes(), []byte("janitor: purged dedup keys")) {
			t.Errorf("log = %s", logs.String())
		}
	})
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

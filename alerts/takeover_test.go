package alerts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/store"
)

// These tests are two replicas of one database: the env's scheduler on its
// store (process A) and a second scheduler on a second Open of the same
// file (process B, another lease holder), on one fake clock.

// TestScheduler_TakesOverOnlyWhatWasNeverPosted: A claims a slot and
// stops (its claim left as it was at each point); once its lease lapsed,
// B posts the slot if and only if A had posted nothing of it.
func TestScheduler_TakesOverOnlyWhatWasNeverPosted(t *testing.T) {
	loc := paris(t)
	slot := at(loc, 2026, 11, 23, 9, 0) // Monday
	tests := []struct {
		name string
		// left is what A did with its claim before it stopped.
		left      func(t *testing.T, db *store.DB, sid int64)
		later     time.Duration // how long after the slot B looks
		wantPosts int
		wantOut   string // outcome recorded on the claim ("" = unfinished)
	}{
		{"claimed, nothing posted", func(*testing.T, *store.DB, int64) {}, store.LeaseTTL + time.Second, 1, OutcomePosted},
		{"posting began", func(t *testing.T, db *store.DB, sid int64) {
			if err := db.BeginSlotPost(t.Context(), sid, slot); err != nil {
				t.Fatal(err)
			}
		}, store.LeaseTTL + time.Second, 0, ""},
		{"first message recorded", func(t *testing.T, db *store.DB, sid int64) {
			if err := db.RecordSlotMessage(t.Context(), sid, slot, "1700000000.000100"); err != nil {
				t.Fatal(err)
			}
		}, store.LeaseTTL + time.Second, 0, ""},
		{"lease still running", func(*testing.T, *store.DB, int64) {}, store.LeaseTTL - time.Second, 0, ""},
		{"older than the catch-up window", func(*testing.T, *store.DB, int64) {}, 25 * time.Hour, 0, OutcomeMissed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, slot.Add(-time.Hour))
			e.sim.SeedDemo(keyA, 3)
			e.putKey(userA, keyA)
			sid := e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * 1-5", Params{Days: 30})
			e.clock.Set(slot)
			if won, err := e.db.ClaimSlotLeased(t.Context(), sid, slot); err != nil || !won {
				t.Fatalf("A's claim: %v, %v", won, err)
			}
			tc.left(t, e.db, sid)

			b := e.newScheduler(e.openDB())
			e.clock.Set(slot.Add(tc.later))
			for range 2 { // looking twice posts no more than once
				if err := b.TakeOverLapsed(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if n := countIn(e.poster.Posts(), "C_OPS", "Expiry report"); n != tc.wantPosts || len(e.poster.Posts()) != tc.wantPosts {
				t.Errorf("B posted %d reports in %d messages, want %d", n, len(e.poster.Posts()), tc.wantPosts)
			}
			r, err := e.db.SlotRun(t.Context(), sid, slot)
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != tc.wantOut {
				t.Errorf("outcome %q, want %q", r.Outcome, tc.wantOut)
			}
			if tc.wantPosts == 1 && (r.Holder == e.db.Holder() || r.MessageTS == "" || r.PostingAt == nil) {
				t.Errorf("the take-over's claim: %+v (A is %s)", r, e.db.Holder())
			}
		})
	}
}

// leaseLapsingStore is process A's store whose lease lapses, and whose
// slot B takes over, just as A is about to post.
type leaseLapsingStore struct {
	*store.DB
	lapse func()
}

func (s *leaseLapsingStore) BeginSlotPost(ctx context.Context, subID int64, slot time.Time) error {
	s.lapse()
	return s.DB.BeginSlotPost(ctx, subID, slot)
}

// TestScheduler_ALateReplicaPostsNothing: A scans while its lease lapses
// (a stalled process) and B takes the slot over and posts it; A, resuming,
// finds the claim gone and posts nothing, and leaves B's outcome alone.
func TestScheduler_ALateReplicaPostsNothing(t *testing.T) {
	loc := paris(t)
	slot := at(loc, 2026, 11, 23, 9, 0)
	e := newEnv(t, slot.Add(-time.Hour))
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	sid := e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * 1-5", Params{Days: 30})
	b := e.newScheduler(e.openDB())
	var logs testutil.LogBuffer
	a := New(Config{Store: &leaseLapsingStore{DB: e.db, lapse: func() {
		e.clock.Advance(store.LeaseTTL + time.Second)
		if err := b.TakeOverLapsed(context.Background()); err != nil {
			t.Error(err)
		}
	}}, Gandi: e.client, Poster: e.poster, Now: e.clock.Now, DefaultTZ: "Europe/Paris", Logger: logs.Logger()})
	e.clock.Set(slot)
	if err := a.RunDue(t.Context(), slot); err != nil {
		t.Fatal(err)
	}
	if n := countIn(e.poster.Posts(), "C_OPS", "Expiry report"); n != 1 || len(e.poster.Posts()) != 1 {
		t.Errorf("%d reports in %d messages, want the one of B", n, len(e.poster.Posts()))
	}
	r, err := e.db.SlotRun(t.Context(), sid, slot)
	if err != nil {
		t.Fatal(err)
	}
	if r.Holder == e.db.Holder() || r.Outcome != OutcomePosted {
		t.Errorf("claim after both: holder %s (A is %s), outcome %q", r.Holder, e.db.Holder(), r.Outcome)
	}
	if !strings.Contains(logs.String(), "taken over by another process") {
		t.Errorf("A did not say why it posted nothing:\n%s", logs.String())
	}
}

// blockingStore is a database that answers nothing until its caller's
// context ends (then the driver's error wrapping ctx.Err()), telling
// reading once a call waits.
type blockingStore struct {
	*store.DB
	reading chan struct{}
}

func (s *blockingStore) wait(ctx context.Context) error {
	select {
	case s.reading <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return fmt.Errorf("store: query: %w", ctx.Err())
}

func (s *blockingStore) Subscriptions(ctx context.Context, team string) ([]store.Subscription, error) {
	return nil, s.wait(ctx)
}

func (s *blockingStore) LapsedSlots(ctx context.Context) ([]store.SlotRun, error) {
	return nil, s.wait(ctx)
}

// TestScheduler_StopLogsNoError: a shutdown that cancels the scheduler
// while it waits on the database or on Gandi is not an error, and is not
// logged as one.
func TestScheduler_StopLogsNoError(t *testing.T) {
	loc := paris(t)
	tests := []struct {
		name  string
		store func(e *env, reading chan struct{}) Store
	}{
		{"waiting on the database", func(e *env, reading chan struct{}) Store { return &blockingStore{DB: e.db, reading: reading} }},
		{"waiting on Gandi", func(e *env, reading chan struct{}) Store {
			blocking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				select {
				case reading <- struct{}{}:
				default:
				}
				<-r.Context().Done()
			}))
			e.t.Cleanup(blocking.Close)
			e.mu.Lock()
			e.endpoint = blocking.URL
			e.mu.Unlock()
			return e.db
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
			e.sim.SeedDemo(keyA, 3)
			e.putKey(userA, keyA)
			e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * 1-5", Params{Days: 30})
			reading := make(chan struct{}, 1)
			var logs testutil.LogBuffer
			s := New(Config{Store: tc.store(e, reading), Gandi: e.client, Poster: e.poster, Now: e.clock.Now,
				DefaultTZ: "Europe/Paris", Logger: logs.Logger()})
			e.clock.Set(at(loc, 2026, 11, 23, 9, 0))
			if err := s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			<-reading
			past, cancel := context.WithCancel(context.Background())
			cancel() // Stop's deadline is gone: it cancels what runs
			if err := s.Stop(past); !errors.Is(err, context.Canceled) {
				t.Errorf("Stop = %v, want its deadline's error", err)
			}
			if out := logs.String(); strings.Contains(out, "level=ERROR") {
				t.Errorf("stopping logged an error:\n%s", out)
			}
			if len(e.poster.Posts()) != 0 {
				t.Errorf("the stopped scheduler posted %+v", e.poster.Posts())
			}
		})
	}
}

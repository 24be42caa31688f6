package alerts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

func TestScheduler_KeyGonePausesOnce(t *testing.T) {
	loc := paris(t)
	tests := []struct {
		name  string
		setup func(e *env)
	}{
		{"no key stored", func(e *env) {}},
		{"key refused by Gandi", func(e *env) { e.putKey(userNK, "cccccccccccccccccccccccc") }},
		{"key deleted (logout)", func(e *env) {
			e.putKey(userNK, keyA)
			if err := e.db.DeleteAPIKey(context.Background(), store.Identity{Team: team, User: userNK}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
			e.sim.SeedDemo(keyA, 3)
			tc.setup(e)
			id1 := e.subscribe(userNK, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
			id2 := e.subscribe(userNK, "C_DEV", KindUpgrade, "0 9 * * *", Params{Quiet: true})

			e.runDue(at(loc, 2026, 11, 23, 9, 0))
			e.runDue(at(loc, 2026, 11, 24, 9, 0)) // paused: skipped, nothing more said
			posts := e.poster.Posts()
			if len(posts) != 2 {
				t.Fatalf("%d posts, want one notice per channel: %+v", len(posts), posts)
			}
			for _, p := range posts {
				body := reply.ExpandMentions(text(p.Msg), func(id string) string { return "<@" + id + ">" })
				if !strings.Contains(body, "paused: <@UNOKEY>'s Gandi key is gone or refused") ||
					!strings.Contains(body, "/paas alerts takeover ") {
					t.Errorf("notice in %s: %q", p.Channel, body)
				}
				if strings.Contains(body, "cccc") {
					t.Errorf("the key leaked: %q", body)
				}
			}
			for _, id := range []int64{id1, id2} {
				sub, err := e.db.Subscription(context.Background(), id)
				if err != nil || !sub.Paused {
					t.Errorf("subscription %d paused = %v (%v)", id, sub != nil && sub.Paused, err)
				}
			}
			if e.sim.Calls("paas.list") != 0 {
				t.Errorf("paas.list was called with a refused key")
			}

			// Someone with a key takes one over: it runs again at its next slot.
			e.putKey(userA, keyA)
			if err := e.db.TakeOverSubscription(context.Background(), id1, userA); err != nil {
				t.Fatal(err)
			}
			e.poster.Reset()
			e.runDue(at(loc, 2026, 11, 25, 9, 0))
			if posts := e.poster.Posts(); len(posts) != 1 || !strings.Contains(posts[0].Msg.Title, "Expiry report") {
				t.Errorf("after takeover: %+v", posts)
			}
		})
	}
}

// deadAddress returns an http URL on which nothing listens.
func deadAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/xmlrpc/"
}

func TestScheduler_ScanFailurePostsOneLineAndRetries(t *testing.T) {
	t.Parallel() // own simulator and database
	loc := paris(t)
	tests := []struct {
		name   string
		break_ func(e *env)
		reason string
	}{
		{"Gandi unreachable", func(e *env) { e.endpoint = deadAddress(t) }, "Gandi isn't answering"},
		{"HTTP 503", func(e *env) {
			// paas.list is a read: the client tries it ReadAttempts times.
			e.sim.SetFault(gandisim.FaultRule{Method: "paas.list", HTTPStatus: 503, RetryAfter: "0", Times: gandi.ReadAttempts})
		}, "Gandi asks us to slow down"},
		{"internal fault", func(e *env) {
			e.sim.SetFault(gandisim.FaultRule{Method: "paas.count", Code: gandisim.CodeInternal, Times: 1})
		}, "Gandi answered fault 150000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, at(loc, 2026, 11, 23, 8, 0)) // Monday
			e.sim.SeedDemo(keyA, 3)
			e.putKey(userA, keyA)
			e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * 1-5", Params{Days: 30, Quiet: true})
			e.subscribe(userA, "C_OPS", KindUpgrade, "0 9 * * 1-5", Params{Quiet: true})
			e.mu.Lock()
			tc.break_(e)
			e.mu.Unlock()

			e.runDue(at(loc, 2026, 11, 23, 9, 0))
			posts := e.poster.Posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts, want one line for the channel: %+v", len(posts), posts)
			}
			want := "Couldn't scan for alert #1 expiry, #2 upgrade: " + tc.reason + "; will retry at the next slot Tue 09:00 CET."
			if got := posts[0].Msg.Text; got != want {
				t.Errorf("line:\n got %q\nwant %q", got, want)
			}
			// Not retried within the slot; retried at the next one.
			e.mu.Lock()
			e.endpoint = ""
			e.mu.Unlock()
			e.runDue(at(loc, 2026, 11, 23, 9, 30))
			if n := len(e.poster.Posts()); n != 1 {
				t.Errorf("%d posts within the failed slot", n)
			}
			e.runDue(at(loc, 2026, 11, 24, 9, 0))
			if n := countIn(e.poster.Posts(), "C_OPS", "Expiry report"); n != 1 {
				t.Errorf("%d expiry reports at the next slot, want 1", n)
			}
		})
	}
}

func TestScheduler_Quiet(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 1) // shop-prod only: expires in 200 days, no upgrade
	e.putKey(userA, keyA)
	quiet := e.subscribe(userA, "C_QUIET", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.subscribe(userA, "C_LOUD", KindUpgrade, "0 9 * * *", Params{Quiet: false})
	e.runDue(at(loc, 2026, 11, 23, 9, 0))
	posts := e.poster.Posts()
	if len(posts) != 1 || posts[0].Channel != "C_LOUD" || !strings.HasPrefix(posts[0].Msg.Text, "Nothing to report") {
		t.Fatalf("posts = %+v", posts)
	}
	if _, ok := e.lastSlot(quiet); !ok {
		t.Error("the quiet slot was not recorded")
	}
}

func TestScheduler_PostFailureIsNotRetriedWithinSlot(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.poster.failOn = map[int]bool{1: true}
	e.runDue(at(loc, 2026, 11, 23, 9, 0))
	e.runDue(at(loc, 2026, 11, 23, 9, 1))
	if n := len(e.poster.Posts()); n != 0 {
		t.Errorf("%d posts: a failed slot was retried", n)
	}
	if e.metric.Get("expiry") != 0 {
		t.Error("a failed post was counted")
	}
}

func TestScheduler_RunNow(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 1)
	e.putKey(userA, keyA)
	id := e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	ctx := context.Background()

	if err := e.sched.RunNow(ctx, id); err != nil {
		t.Fatal(err)
	}
	posts := e.poster.Posts()
	if len(posts) != 1 || !strings.HasPrefix(posts[0].Msg.Text, "Nothing to report") {
		t.Fatalf("RunNow of an empty quiet report: %+v", posts)
	}
	if _, ok := e.lastSlot(id); ok {
		t.Error("RunNow claimed a scheduled slot")
	}
	if e.metric.Get("expiry") != 1 {
		t.Error("RunNow's report was not counted")
	}
	// The scheduled slot still runs.
	e.runDue(at(loc, 2026, 11, 23, 9, 0))
	if _, ok := e.lastSlot(id); !ok {
		t.Error("the 09:00 slot did not run after RunNow")
	}

	if err := e.sched.RunNow(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	gone := e.subscribe(userNK, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30})
	e.poster.Reset()
	if err := e.sched.RunNow(ctx, gone); !errors.Is(err, ErrKeyGone) {
		t.Errorf("no key: %v", err)
	}
	if posts := e.poster.Posts(); len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "paused") {
		t.Errorf("pause notice: %+v", posts)
	}
	if err := e.sched.RunNow(ctx, gone); !errors.Is(err, ErrPaused) {
		t.Errorf("paused: %v", err)
	}
	e.mu.Lock()
	e.endpoint = deadAddress(t)
	e.mu.Unlock()
	var se *ScanError
	if err := e.sched.RunNow(ctx, id); !errors.As(err, &se) || se.Reason != "Gandi isn't answering" {
		t.Errorf("dead Gandi: %v", err)
	}
}

// A shutdown that lands while an owner's account is being scanned must not
// lose the slot, nor tell the channel that Gandi failed: the claims go
// back, nothing is posted, and the next process's catch-up posts the slot
// exactly once.
func TestScheduler_StoppedMidScanPostsSlotAfterRestart(t *testing.T) {
	loc := paris(t)
	tests := []struct {
		name string
		// stop interrupts the scheduler of e while its scan is blocked.
		stop func(t *testing.T, e *env, slot time.Time, scanning <-chan struct{})
	}{
		{"Stop's deadline passes", func(t *testing.T, e *env, slot time.Time, scanning <-chan struct{}) {
			if err := e.sched.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			<-scanning
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the deadline is already gone: Stop must cancel the scan itself
			if err := e.sched.Stop(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("Stop = %v, want the deadline's error", err)
			}
		}},
		{"the run's context ends", func(t *testing.T, e *env, slot time.Time, scanning <-chan struct{}) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-scanning; cancel() }()
			if err := e.sched.RunDue(ctx, slot); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, at(loc, 2026, 11, 23, 8, 0)) // Monday
			e.sim.SeedDemo(keyA, 3)
			e.putKey(userA, keyA)
			id := e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * 1-5", Params{Days: 30, Quiet: true})
			// Gandi holds every request until it is cancelled.
			scanning := make(chan struct{}, 1)
			blocking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Read the body first: only then does the server notice the
				// client going away and end r.Context().
				io.Copy(io.Discard, r.Body)
				select {
				case scanning <- struct{}{}:
				default:
				}
				<-r.Context().Done()
			}))
			defer blocking.Close()
			e.mu.Lock()
			e.endpoint = blocking.URL
			e.mu.Unlock()

			slot := at(loc, 2026, 11, 23, 9, 0)
			e.clock.Set(slot.Add(time.Second))
			tc.stop(t, e, slot.Add(time.Second), scanning)
			if posts := e.poster.Posts(); len(posts) != 0 {
				t.Errorf("the stopped scan posted %+v", posts)
			}
			if last, ok := e.lastSlot(id); ok {
				t.Errorf("slot %v still claimed after the stop", last)
			}

			// Restart: a new scheduler on the same database, Gandi healthy.
			e.mu.Lock()
			e.endpoint = ""
			e.mu.Unlock()
			e.sched = e.newScheduler(e.db)
			e.runDue(slot.Add(2 * time.Minute))
			e.runDue(slot.Add(3 * time.Minute))
			posts := e.poster.Posts()
			if n := countIn(posts, "C_OPS", "Expiry report"); n != 1 || len(posts) != 1 {
				t.Errorf("after the restart: %d expiry reports in %d posts, want exactly 1", n, len(posts))
			}
			if last, ok := e.lastSlot(id); !ok || !last.Equal(slot) {
				t.Errorf("last slot = %v, %v; want %v", last, ok, slot)
			}
		})
	}
}

func TestScanFailureReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"cancelled request", &gandi.TransportError{Method: "paas.list", Err: fmt.Errorf("post: %w", context.Canceled)}, "paasbot was stopping"},
		{"connection refused", &gandi.TransportError{Method: "paas.list", Err: errors.New("connection refused")}, "Gandi isn't answering"},
		{"request timeout", fmt.Errorf("scan: %w", context.DeadlineExceeded), "Gandi isn't answering"},
		{"unknown", errors.New("boom"), "an internal error (see paasbot's log)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := scanFailureReason(tc.err); got != tc.want {
				t.Errorf("scanFailureReason(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

// stoppingPoster is a Slack that is cut off by the shutdown: its first
// Post ends the run's context and fails with the context's error, as a
// request cancelled in flight does; later posts go to next.
type stoppingPoster struct {
	next   Poster
	cancel context.CancelFunc
	mu     sync.Mutex
	done   bool
}

func (p *stoppingPoster) Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error) {
	p.mu.Lock()
	first := !p.done
	p.done = true
	p.mu.Unlock()
	if first {
		p.cancel()
		return reply.Ref{}, fmt.Errorf("chat.postMessage: %w", ctx.Err())
	}
	return p.next.Post(ctx, channel, m)
}

func (p *stoppingPoster) PostThread(ctx context.Context, parent reply.Ref, m reply.Message) (reply.Ref, error) {
	return p.next.PostThread(ctx, parent, m)
}

// A shutdown that lands after the scan, while the report is being posted
// and before any of it reached the channel, gives the slot back too.
func TestScheduler_StoppedBeforePostPostsSlotAfterRestart(t *testing.T) {
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0)) // Monday
	e.sim.SeedDemo(keyA, 3)
	e.putKey(userA, keyA)
	id := e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * 1-5", Params{Days: 30, Quiet: true})
	slot := at(loc, 2026, 11, 23, 9, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sched := New(Config{Store: e.db, Gandi: e.client, Poster: &stoppingPoster{next: e.poster, cancel: cancel},
		Now: e.clock.Now, DefaultTZ: "Europe/Paris"})
	e.clock.Set(slot)
	if err := sched.RunDue(ctx, slot); err != nil {
		t.Fatal(err)
	}
	if last, ok := e.lastSlot(id); ok {
		t.Fatalf("slot %v still claimed after the stop", last)
	}
	e.sched = e.newScheduler(e.db) // the restart
	e.runDue(slot.Add(time.Minute))
	e.runDue(slot.Add(2 * time.Minute))
	if n := countIn(e.poster.Posts(), "C_OPS", "Expiry report"); n != 1 {
		t.Errorf("%d expiry reports after the restart, want 1", n)
	}
}

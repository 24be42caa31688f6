package commands

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// Users of the approval tests: Slack-shaped ids so that mentions render.
const (
	apvTeam      = "T1"
	apvChannel   = "C1"
	apvRequester = "UDANA"
	apvApprover  = "USAM"
	apvOther     = "UEVE"
	apvKey       = "dana0000key0000000000001"
)

// apvClock is a fake clock shared by the simulator, the store and the core.
type apvClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *apvClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *apvClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// sleep is the waits' pause on the fake clock: time passes at once.
func (c *apvClock) sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

// apvNotifier records what the core posts, updates and sends privately.
// It is safe for concurrent use.
type apvNotifier struct {
	mu       sync.Mutex
	n        int
	posts    []apvPost
	updates  []apvPost
	privates []apvPrivate
}

type apvPost struct {
	Ref reply.Ref
	Msg reply.Message
}

type apvPrivate struct {
	Channel, User string
	Msg           reply.Message
}

func (r *apvNotifier) Post(_ context.Context, channel string, m reply.Message) (reply.Ref, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	ref := reply.Ref{Channel: channel, ID: fmt.Sprintf("ts.%d", r.n)}
	r.posts = append(r.posts, apvPost{ref, m})
	return ref, nil
}

func (r *apvNotifier) Update(_ context.Context, ref reply.Ref, m reply.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, apvPost{ref, m})
	return nil
}

func (r *apvNotifier) PostPrivate(_ context.Context, channel, user string, m reply.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.privates = append(r.privates, apvPrivate{channel, user, m})
	return nil
}

func (r *apvNotifier) snapshot() (posts, updates []apvPost, privates []apvPrivate) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]apvPost(nil), r.posts...), append([]apvPost(nil), r.updates...), append([]apvPrivate(nil), r.privates...)
}

// lastUpdate is the latest content of the message at ref.
func (r *apvNotifier) lastUpdate(t *testing.T, ref reply.Ref) reply.Message {
	t.Helper()
	_, updates, _ := r.snapshot()
	for i := len(updates) - 1; i >= 0; i-- {
		if updates[i].Ref == ref {
			return updates[i].Msg
		}
	}
	t.Fatalf("message %v was never updated", ref)
	return reply.Message{}
}

// apvLogBuffer is a log sink safe for concurrent writers.
type apvLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *apvLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *apvLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// apvRig is a core on the simulator and a real store, with a fake clock.
type apvRig struct {
	t     testing.TB
	clock *apvClock
	sim   *gandisim.Server
	url   string
	db    *store.DB
	dir   string
	note  *apvNotifier
	logs  *apvLogBuffer
	core  *Core
	ids   map[string]int // demo instance ids by name
}

func newApvRig(t testing.TB, approvers ...string) *apvRig {
	t.Helper()
	ctx := context.Background()
	r := &apvRig{t: t, clock: &apvClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}, note: &apvNotifier{}, logs: &apvLogBuffer{}}
	r.sim, r.url = gandisim.NewTestServer(t, gandisim.Options{Now: r.clock.Now, Seed: 1})
	r.sim.SeedDemo(apvKey, 3)
	r.dir = t.TempDir()
	dbSecret, _, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	r.db, err = store.Open(ctx, filepath.Join(r.dir, "paasbot.db"), dbSecret, store.WithClock(r.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.db.Close() })
	if _, err := r.db.PutAPIKey(ctx, store.Identity{Team: apvTeam, User: apvRequester}, apvKey); err != nil {
		t.Fatal(err)
	}
	r.core = r.newCore(approvers...)
	insts, err := r.gandi().PaaS.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.ids = map[string]int{}
	for _, in := range insts {
		r.ids[in.Name] = in.ID
	}
	return r
}

func (r *apvRig) gandi() *gandi.Client { return gandi.NewClient(apvKey, gandi.WithEndpoint(r.url)) }

// newCore builds a core on the rig's store, simulator and notifier (a
// second one plays the process after a restart).
func (r *apvRig) newCore(approvers ...string) *Core {
	r.t.Helper()
	logger := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(Config{
		Store: r.db, Notifier: r.note, Approvers: approvers, Now: r.clock.Now, Logger: logger,
		Gandi: func(key secret.Value) *gandi.Client {
			return gandi.NewClient(key, gandi.WithEndpoint(r.url), gandi.WithLogger(logger))
		},
	})
	if err != nil {
		r.t.Fatal(err)
	}
	rt := c.runtime()
	rt.sleep = r.clock.sleep
	r.t.Cleanup(c.Close)
	return c
}

func (r *apvRig) req(user string) Request {
	return Request{Team: apvTeam, User: user, Channel: apvChannel}
}

func (r *apvRig) click(user, action string, id int64) reply.Message {
	return r.core.Click(context.Background(), Click{Team: apvTeam, User: user, Channel: apvChannel,
		Action: action, Value: fmt.Sprint(id), Message: reply.Ref{Channel: apvChannel, ID: "ts.1"}})
}

// renewPlan is what the renew handler hands to propose.
func (r *apvRig) renewPlan(name string) Plan {
	id := r.ids[name]
	target := instanceRef{ID: id, Name: name}.Label()
	return Plan{Action: ActionRenew, InstanceID: id, Target: target, Renew: &gandi.RenewOptions{Duration: "12m"},
		Summary: []reply.Field{{Label: "Instance", Value: target}, {Label: "Duration", Value: "12m"}}}
}

// propose proposes p as the requester and returns the approval's id.
func (r *apvRig) propose(p Plan) (int64, reply.Message) {
	r.t.Helper()
	m, err := r.core.propose(context.Background(), r.req(apvRequester), p)
	if err != nil {
		r.t.Fatalf("propose: %v", err)
	}
	pending, err := r.db.PendingApprovals(context.Background(), apvTeam)
	if err != nil || len(pending) == 0 {
		r.t.Fatalf("no pending approval after propose (%v); reply: %s", err, apvText(m))
	}
	return pending[len(pending)-1].ID, m
}

func (r *apvRig) approval(id int64) *store.Approval {
	r.t.Helper()
	a, err := r.db.Approval(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return a
}

// waitFollowed waits until the follow-up of id has ended: the core's
// background work (no Start, so only follow-ups) has drained.
func (r *apvRig) waitFollowed(id int64) *store.Approval {
	r.t.Helper()
	r.core.Wait()
	a := r.approval(id)
	if !a.FollowDone {
		r.t.Fatalf("approval %d still followed: %+v", id, a)
	}
	return a
}

func (r *apvRig) audit() string {
	r.t.Helper()
	es, err := r.db.RecentAudit(context.Background(), apvTeam, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s\n", e.Actor, e.Action, e.Target, e.Outcome, e.Params)
	}
	return b.String()
}

// apvText flattens every visible part of m, to search it.
func apvText(m reply.Message) string {
	var b strings.Builder
	b.WriteString(m.Title + "\n" + m.Text + "\n")
	for _, f := range m.Fields {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	if m.Table != nil {
		b.WriteString(strings.Join(m.Table.Columns, " ") + "\n")
		for _, row := range m.Table.Rows {
			b.WriteString(strings.Join(row, " | ") + "\n")
		}
	}
	for _, n := range m.Notes {
		b.WriteString(n + "\n")
	}
	for _, btn := range m.Buttons {
		b.WriteString("[" + btn.Label + " " + btn.Action + " " + btn.Value + " " + btn.Command + "]\n")
		if btn.Confirm != nil {
			b.WriteString(btn.Confirm.Title + " " + btn.Confirm.Text + "\n")
		}
	}
	return b.String()
}

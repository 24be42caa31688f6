package approvals

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
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

// apvRig is an engine on the simulator over real HTTP and a real store,
// with a fake clock: the end-to-end rig of the engine.
type apvRig struct {
	t      testing.TB
	clock  *testutil.Clock
	sim    *gandisim.Server
	url    string
	http   *http.Client // the simulator's clients share it
	db     *store.DB    // the current process's handle (its holder)
	path   string
	secret store.Secret
	note   *testutil.Notifier
	logs   *testutil.LogBuffer
	engine *Engine
	ids    map[string]int // demo instance ids by name
}

func newApvRig(t testing.TB, approvers ...string) *apvRig {
	t.Helper()
	ctx := context.Background()
	r := &apvRig{t: t, clock: testutil.NewClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)),
		note: &testutil.Notifier{}, logs: &testutil.LogBuffer{}}
	r.sim, r.url, r.http = testutil.Sim(t, gandisim.Options{Now: r.clock.Now, Seed: 1})
	r.sim.SeedDemo(apvKey, 3)
	r.path = filepath.Join(t.TempDir(), "paasbot.db")
	r.db, r.secret = testutil.OpenStoreAt(t, r.path, r.clock.Now)
	if _, err := r.db.PutAPIKey(ctx, store.Identity{Team: apvTeam, User: apvRequester}, apvKey); err != nil {
		t.Fatal(err)
	}
	r.engine = r.newEngine(approvers...)
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

// ignoringDryRun puts the rig on a simulator that runs and bills what it
// is asked to dry-run, with the same demo data.
func (r *apvRig) ignoringDryRun() {
	r.t.Helper()
	r.sim, r.url, r.http = testutil.Sim(r.t, gandisim.Options{Now: r.clock.Now, Seed: 1, IgnoreDryRun: true})
	r.sim.SeedDemo(apvKey, 3)
}

// gated puts a testutil.Gate between the engine and the simulator.
func (r *apvRig) gated() *testutil.Gate {
	r.t.Helper()
	g := testutil.NewGate(r.t, r.url)
	r.url = g.URL
	return g
}

func (r *apvRig) gandi() *gandi.Client {
	return gandi.NewClient(apvKey, gandi.WithEndpoint(r.url), gandi.WithHTTPClient(r.http))
}

// client is the engine's view of the simulator with key.
func (r *apvRig) client(key secret.Value, _ time.Duration) Client {
	c := gandi.NewClient(key, gandi.WithEndpoint(r.url), gandi.WithHTTPClient(r.http), gandi.WithLogger(r.logs.Logger()))
	return Client{PaaS: c.PaaS, Vhosts: c.Vhosts, Operations: c.Operations, Catalog: c.Catalog}
}

// newEngine builds an engine on the rig's store, simulator and notifier (a
// second one plays the process after a restart).
func (r *apvRig) newEngine(approvers ...string) *Engine {
	r.t.Helper()
	return r.newEngineWith(func(c *Config) { c.Approvers = approvers })
}

// newEngineWith is newEngine with tweak changing its Config first.
func (r *apvRig) newEngineWith(tweak func(*Config)) *Engine {
	r.t.Helper()
	cfg := Config{Store: r.db, Notifier: r.note, Now: r.clock.Now, Sleep: r.clock.Sleep, Logger: r.logs.Logger(), Gandi: r.client}
	tweak(&cfg)
	e, err := New(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(e.Close)
	return e
}

// crashedAt plays the process that approved request id and stopped at
// point: "approved" (decided, never claimed), "claimed" (claimed for
// execution, nothing sent) or "sent" (marked sent: the call may have
// left). restart then plays the next process.
func (r *apvRig) crashedAt(id int64, point string) {
	r.t.Helper()
	ctx := r.t.Context()
	if _, err := r.db.Decide(ctx, id, store.StateApproved, apvApprover, nil); err != nil {
		r.t.Fatal(err)
	}
	steps := map[string][]func(context.Context, int64) error{
		"approved": nil,
		"claimed":  {r.db.ClaimExecution},
		"sent":     {r.db.ClaimExecution, r.db.MarkSent},
	}
	moves, ok := steps[point]
	if !ok {
		r.t.Fatalf("no crash point %q", point)
	}
	for _, move := range moves {
		if err := move(ctx, id); err != nil {
			r.t.Fatal(err)
		}
	}
}

// restart stops the engine, lets the stopped process's leases lapse, and
// starts another process on the same database: a new store handle (a new
// holder) and a new engine.
func (r *apvRig) restart(approvers ...string) {
	r.t.Helper()
	r.engine.Close()
	r.clock.Advance(store.LeaseTTL + time.Second)
	r.db = r.openProcess()
	r.engine = r.newEngine(approvers...)
	if err := r.engine.Start(r.t.Context()); err != nil {
		r.t.Fatal(err)
	}
}

// openProcess opens the rig's database again, as another process would:
// its own holder, the rig's clock.
func (r *apvRig) openProcess() *store.DB {
	r.t.Helper()
	db, err := store.Open(r.t.Context(), r.path, r.secret, store.WithClock(r.clock.Now))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	return db
}

func (r *apvRig) req(user string) Actor {
	return Actor{Team: apvTeam, User: user, Channel: apvChannel}
}

// click decides request id as user, the way a button press reaches the
// engine, and answers the way the core renders the outcome: an error
// becomes a private error message showing what apperr.Message shows.
func (r *apvRig) click(user, action string, id int64) reply.Message {
	decide := map[string]func(context.Context, Actor, int64) (reply.Message, error){
		"approval.approve": r.engine.Approve, "approval.deny": r.engine.Deny, "approval.cancel": r.engine.Cancel,
	}[action]
	m, err := decide(context.Background(), r.req(user), id)
	if err != nil {
		return errorReply(err)
	}
	return m
}

// errorReply is what the core answers for err.
func errorReply(err error) reply.Message {
	return reply.Message{Visibility: reply.Private, Tone: reply.Error, Text: apperr.Message(context.Background(), nil, "", err)}
}

// renewPlan is what the renew handler hands to Propose.
func (r *apvRig) renewPlan(name string) Plan {
	id := r.ids[name]
	target := InstanceLabel(id, name)
	return Plan{Action: ActionRenew, InstanceID: id, Target: target, Renew: &gandi.RenewOptions{Duration: "12m"},
		Summary: []reply.Field{{Label: "Instance", Value: target}, {Label: "Duration", Value: "12m"}}}
}

// proposeRaw proposes p as the requester, with the key the store holds
// for them (as the core reads it), and returns the engine's answer.
func (r *apvRig) proposeRaw(p Plan) (reply.Message, error) {
	r.t.Helper()
	key, _, err := r.db.APIKey(context.Background(), store.Identity{Team: apvTeam, User: apvRequester})
	if err != nil {
		r.t.Fatal(err)
	}
	return r.engine.Propose(context.Background(), r.req(apvRequester), key, p)
}

// propose proposes p as the requester and returns the approval's id.
func (r *apvRig) propose(p Plan) (int64, reply.Message) {
	r.t.Helper()
	m, err := r.proposeRaw(p)
	if err != nil {
		r.t.Fatalf("propose: %v", err)
	}
	pending, err := r.db.PendingApprovals(context.Background(), apvTeam)
	if err != nil || len(pending) == 0 {
		r.t.Fatalf("no pending approval after propose (%v); reply: %s", err, testutil.Text(m))
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

// waitFollowed waits until the follow-up of id has ended: no follow-up
// runs any more.
func (r *apvRig) waitFollowed(id int64) *store.Approval {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.engine.WaitFollowUps(ctx); err != nil {
		r.t.Fatalf("follow-ups still running: %v", err)
	}
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

// drain waits until the engine's background work has ended: the follow-ups
// of a test that never called Start, or everything after its context ended.
func drain(e *Engine) { e.runtime().wg.Wait() }

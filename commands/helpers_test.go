package commands

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

var _ Store = (*store.DB)(nil)

const (
	testKey  = "test0000key0000000000001"
	testTeam = "T1"
	alice    = "UALICE"
)

// testNow is the fixed clock of the core and the simulator.
var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type testEnv struct {
	core   *Core
	engine *approvals.Engine
	sim    *gandisim.Server
	url    string // the simulator's endpoint
	db     *store.DB
	notes  *testutil.Notifier
}

// Wiring is what this package's tests build a core and its approvals
// engine with (the external tests use it too). DB and Client are
// required; Notifier defaults to a testutil.Notifier.
type Wiring struct {
	DB        *store.DB
	Client    func(secret.Value) *gandi.Client
	Notifier  approvals.Notifier
	Approvers []string
	Now       func() time.Time
	Sleep     func(context.Context, time.Duration) error // the engine's pauses
	Logger    *slog.Logger
	Alerts    AlertScheduler
	// Store, when set, is the core's store instead of DB.
	Store Store
}

// Wire builds, as cmd/paasbot does, an engine and a core on w; the engine
// is closed when the test ends.
func Wire(t testing.TB, w Wiring) (*Core, *approvals.Engine) {
	t.Helper()
	if w.Notifier == nil {
		w.Notifier = &testutil.Notifier{}
	}
	engine, err := approvals.New(approvals.Config{Store: w.DB, Notifier: w.Notifier, Approvers: w.Approvers, Now: w.Now, Sleep: w.Sleep, Logger: w.Logger,
		Gandi: func(k secret.Value, _ time.Duration) approvals.Client {
			c := w.Client(k)
			return approvals.Client{PaaS: c.PaaS, Vhosts: c.Vhosts, Operations: c.Operations, Catalog: c.Catalog}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)
	var st Store = w.DB
	if w.Store != nil {
		st = w.Store
	}
	core, err := New(Config{Store: st, Approvals: engine, Notifier: w.Notifier, Now: w.Now, Logger: w.Logger, Alerts: w.Alerts,
		Gandi: func(k secret.Value) Gandi {
			return FromClient(w.Client(k))
		}})
	if err != nil {
		t.Fatal(err)
	}
	return core, engine
}

// setup starts the real simulator with n demo instances for testKey,
// opens a real store under t.TempDir() holding testKey for alice, and
// builds a core and its engine on both.
func setup(t *testing.T, n int, approvers ...string) *testEnv {
	t.Helper()
	return setupTB(t, n, approvers...)
}

// setupB is setup for benchmarks.
func setupB(b *testing.B, n int) *testEnv {
	b.Helper()
	return setupTB(b, n)
}

func setupTB(t testing.TB, n int, approvers ...string) *testEnv {
	t.Helper()
	return setupOn(t, n, nil, approvers...)
}

// setupClock is setup on a clock that the engine's pauses move forward,
// so that approved operations run to their end at once.
func setupClock(t *testing.T, n int, approvers ...string) *testEnv {
	t.Helper()
	return setupOn(t, n, testutil.NewClock(testNow), approvers...)
}

// setupOn is setup on clock (nil: testNow, standing still).
func setupOn(t testing.TB, n int, clock *testutil.Clock, approvers ...string) *testEnv {
	t.Helper()
	return setupSimOn(t, n, clock, gandisim.Options{}, approvers...)
}

// setupSim is setup with simulator options (latency, recorded spans); its
// seed and clock are always setup's.
func setupSim(t testing.TB, n int, opts gandisim.Options) *testEnv {
	t.Helper()
	return setupSimOn(t, n, nil, opts)
}

func setupSimOn(t testing.TB, n int, clock *testutil.Clock, opts gandisim.Options, approvers ...string) *testEnv {
	t.Helper()
	now := func() time.Time { return testNow }
	var sleep func(context.Context, time.Duration) error
	if clock != nil {
		now, sleep = clock.Now, clock.Sleep
	}
	opts.Seed, opts.Now = 1, now
	sim, url, hc := testutil.Sim(t, opts)
	sim.SeedDemo(testKey, n)
	db := testutil.OpenStore(t, now)
	if _, err := db.PutAPIKey(t.Context(), store.Identity{Team: testTeam, User: alice}, testKey); err != nil {
		t.Fatal(err)
	}
	rec := &testutil.Notifier{}
	core, engine := Wire(t, Wiring{DB: db, Notifier: rec, Approvers: approvers, Now: now, Sleep: sleep,
		Client: func(k secret.Value) *gandi.Client {
			if k == "panic-key-0000000000000" {
				panic("boom")
			}
			return gandi.NewClient(k, gandi.WithEndpoint(url), gandi.WithHTTPClient(hc))
		}})
	return &testEnv{core: core, engine: engine, sim: sim, url: url, db: db, notes: rec}
}

// run types text as user (alice by default).
func (e *testEnv) run(t *testing.T, text string) reply.Message {
	t.Helper()
	return e.runAs(t, alice, text)
}

func (e *testEnv) runAs(t *testing.T, user, text string) reply.Message {
	t.Helper()
	return e.core.Handle(context.Background(), Request{Team: testTeam, User: user, Channel: "C1", Text: text})
}

func wantOK(t *testing.T, m reply.Message, subs ...string) {
	t.Helper()
	if m.Tone == reply.Error {
		t.Fatalf("unexpected error reply: %s", m.Text)
	}
	for _, s := range subs {
		if !strings.Contains(testutil.Text(m), s) {
			t.Errorf("reply lacks %q:\n%s", s, testutil.Text(m))
		}
	}
}

func wantErr(t *testing.T, m reply.Message, subs ...string) {
	t.Helper()
	if m.Tone != reply.Error {
		t.Fatalf("want an error reply, got:\n%s", testutil.Text(m))
	}
	for _, s := range subs {
		if !strings.Contains(m.Text, s) {
			t.Errorf("error %q lacks %q", m.Text, s)
		}
	}
}

func column(m reply.Message, name string) []string {
	if m.Table == nil {
		return nil
	}
	idx := -1
	for i, c := range m.Table.Columns {
		if c == name {
			idx = i
		}
	}
	var out []string
	for _, r := range m.Table.Rows {
		if idx >= 0 && idx < len(r) {
			out = append(out, r[idx])
		}
	}
	return out
}

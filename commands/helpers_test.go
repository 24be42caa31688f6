package commands

import (
	"context"
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

var _ Store = (*store.DB)(nil)

const (
	testKey  = "test0000key0000000000001"
	testTeam = "T1"
	alice    = "UALICE"
)

// testNow is the fixed clock of the core and the simulator.
var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type testEnv struct {
	core  *Core
	sim   *gandisim.Server
	db    *store.DB
	notes *recorder
}

// recorder is a Notifier that keeps what it was asked to deliver.
type recorder struct {
	mu      sync.Mutex
	private []reply.Message
}

func (r *recorder) Post(context.Context, string, reply.Message) (reply.Ref, error) {
	return reply.Ref{Channel: "C", ID: "1"}, nil
}
func (r *recorder) Update(context.Context, reply.Ref, reply.Message) error { return nil }
func (r *recorder) PostPrivate(_ context.Context, _, _ string, m reply.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.private = append(r.private, m)
	return nil
}

// setup starts the real simulator with n demo instances for testKey,
// opens a real store under t.TempDir() holding testKey for alice, and
// builds a core on both.
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
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 1, Now: func() time.Time { return testNow }})
	sim.SeedDemo(testKey, n)
	dbSecret, _, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "paasbot.db"), dbSecret, store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.PutAPIKey(ctx, store.Identity{Team: testTeam, User: alice}, testKey); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	core, err := New(Config{
		Store: db, Notifier: rec, Approvers: approvers, Now: func() time.Time { return testNow },
		Gandi: func(k secret.Value) *gandi.Client {
			if k == "panic-key-0000000000000" {
				panic("boom")
			}
			return gandi.NewClient(k, gandi.WithEndpoint(url))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{core: core, sim: sim, db: db, notes: rec}
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

// plain flattens a message for substring assertions.
func plain(m reply.Message) string {
	var b strings.Builder
	b.WriteString(m.Title + "\n" + m.Text + "\n")
	for _, f := range m.Fields {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	if m.Table != nil {
		b.WriteString(strings.Join(m.Table.Columns, " | ") + "\n")
		for _, r := range m.Table.Rows {
			b.WriteString(strings.Join(r, " | ") + "\n")
		}
	}
	for _, n := range m.Notes {
		b.WriteString(n + "\n")
	}
	for _, bt := range m.Buttons {
		b.WriteString("[" + bt.Action + " " + bt.Value + "]\n")
	}
	return b.String()
}

func wantOK(t *testing.T, m reply.Message, subs ...string) {
	t.Helper()
	if m.Tone == reply.Error {
		t.Fatalf("unexpected error reply: %s", m.Text)
	}
	for _, s := range subs {
		if !strings.Contains(plain(m), s) {
			t.Errorf("reply lacks %q:\n%s", s, plain(m))
		}
	}
}

func wantErr(t *testing.T, m reply.Message, subs ...string) {
	t.Helper()
	if m.Tone != reply.Error {
		t.Fatalf("want an error reply, got:\n%s", plain(m))
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

// Package testutil holds the test rigs that several packages' tests share:
// a fake clock, a log buffer, a recording notifier, a real store under
// t.TempDir(), the flattening of a reply for substring assertions and a
// fake process environment. It imports no package that has tests using
// it (commands, approvals, alerts, bot), so that their internal tests can.
package testutil

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// Clock is a settable fake clock shared by a simulator, a store and the
// code under test, in UTC. It is safe for concurrent use.
type Clock struct{ ns atomic.Int64 } // Unix nanoseconds

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.Set(t)
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// Advance moves the clock d forward.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Sleep is a pause on the clock: d passes at once. It returns ctx's error,
// so that a cancelled wait still stops.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

// LogBuffer is a log sink safe for concurrent writers.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *LogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *LogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Logger is a debug-level text logger writing into s.
func (s *LogBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Post is a message a Notifier was asked to post or update.
type Post struct {
	Ref reply.Ref
	Msg reply.Message
}

// Private is a message a Notifier was asked to show one person.
type Private struct {
	Channel, User string
	Msg           reply.Message
}

// Notifier records what it is asked to post, update and send privately;
// posts get the references ts.1, ts.2… in their channel. It implements the
// notifiers the approvals engine, the core and the scheduler declare, and
// is safe for concurrent use.
type Notifier struct {
	mu       sync.Mutex
	n        int
	posts    []Post
	updates  []Post
	privates []Private
}

// Post records m as posted in channel.
func (r *Notifier) Post(_ context.Context, channel string, m reply.Message) (reply.Ref, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	ref := reply.Ref{Channel: channel, ID: fmt.Sprintf("ts.%d", r.n)}
	r.posts = append(r.posts, Post{ref, m})
	return ref, nil
}

// Update records m as the new content of ref.
func (r *Notifier) Update(_ context.Context, ref reply.Ref, m reply.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, Post{ref, m})
	return nil
}

// PostPrivate records m as shown to user.
func (r *Notifier) PostPrivate(_ context.Context, channel, user string, m reply.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.privates = append(r.privates, Private{channel, user, m})
	return nil
}

// Snapshot returns copies of what was recorded so far.
func (r *Notifier) Snapshot() (posts, updates []Post, privates []Private) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Post(nil), r.posts...), append([]Post(nil), r.updates...), append([]Private(nil), r.privates...)
}

// LastUpdate is the latest content of the message at ref; the test fails
// when it was never updated.
func (r *Notifier) LastUpdate(t testing.TB, ref reply.Ref) reply.Message {
	t.Helper()
	_, updates, _ := r.Snapshot()
	for i := len(updates) - 1; i >= 0; i-- {
		if updates[i].Ref == ref {
			return updates[i].Msg
		}
	}
	t.Fatalf("message %v was never updated", ref)
	return reply.Message{}
}

// OpenStore opens a new SQLite database under t.TempDir() with the clock
// now (nil: the real one), closed when the test ends.
func OpenStore(t testing.TB, now func() time.Time) *store.DB {
	t.Helper()
	db, _ := OpenStoreAt(t, filepath.Join(t.TempDir(), "paasbot.db"), now)
	return db
}

// OpenStoreAt is OpenStore at path, returning the secret too so that a
// test can open the same file again. The file starts as a copy of one
// database that store.Open created and migrated once per test binary
// (under the same secret): a real, migrated SQLite file, for a tenth of
// the cost of migrating each one.
func OpenStoreAt(t testing.TB, path string, now func() time.Time) (*store.DB, store.Secret) {
	t.Helper()
	tpl, err := template()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, tpl.file, 0o600); err != nil {
		t.Fatal(err)
	}
	var opts []store.Option
	if now != nil {
		opts = append(opts, store.WithClock(now))
	}
	db, err := store.Open(t.Context(), path, tpl.secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, tpl.secret
}

// storeTemplate is a freshly migrated database file and its secret.
type storeTemplate struct {
	file   []byte
	secret store.Secret
}

// template makes the storeTemplate of this test binary, once.
var template = sync.OnceValues(func() (storeTemplate, error) {
	dir, err := os.MkdirTemp("", "paasbot-testutil-")
	if err != nil {
		return storeTemplate{}, err
	}
	defer os.RemoveAll(dir)
	s, _, err := store.NewSecret()
	if err != nil {
		return storeTemplate{}, err
	}
	path := filepath.Join(dir, "template.db")
	db, err := store.Open(context.Background(), path, s)
	if err != nil {
		return storeTemplate{}, err
	}
	if err := db.Close(); err != nil { // checkpoints the WAL into the file
		return storeTemplate{}, err
	}
	b, err := os.ReadFile(path)
	return storeTemplate{file: b, secret: s}, err
})

// Text flattens every visible part of m (title, text, fields, table,
// notes, buttons with their confirm dialogs), one part a line, for
// substring assertions.
func Text(m reply.Message) string {
	var b strings.Builder
	b.WriteString(m.Title + "\n" + m.Text + "\n")
	for _, f := range m.Fields {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	if m.Table != nil {
		b.WriteString(strings.Join(m.Table.Columns, " | ") + "\n")
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

// SameMethods fails t unless every method of fake is a method of real
// with the same signature (receivers aside): a fake of a real type
// satisfies only interfaces the real type satisfies.
func SameMethods(t testing.TB, fake, real any) {
	t.Helper()
	ft, rt := reflect.TypeOf(fake), reflect.TypeOf(real)
	for i := range ft.NumMethod() {
		fm := ft.Method(i)
		rm, ok := rt.MethodByName(fm.Name)
		if !ok {
			t.Errorf("%v.%s: %v has no such method", ft, fm.Name, rt)
			continue
		}
		if !sameSignature(fm.Type, rm.Type) {
			t.Errorf("%v.%s is %v, %v's is %v", ft, fm.Name, fm.Type, rt, rm.Type)
		}
	}
}

// sameSignature compares two method types, their receivers aside.
func sameSignature(a, b reflect.Type) bool {
	if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() {
		return false
	}
	for i := 1; i < a.NumIn(); i++ {
		if a.In(i) != b.In(i) {
			return false
		}
	}
	for i := range a.NumOut() {
		if a.Out(i) != b.Out(i) {
			return false
		}
	}
	return true
}

// Sim starts the Gandi simulator for the test (gandisim.NewTestServer) and
// returns it, its endpoint, and an HTTP client of its own for the test's
// Gandi clients. The client's idle connections are closed before the
// simulator shuts down: a connection the transport dialled but never used
// (it lost a race with a connection freed at the same moment) would
// otherwise hold the server's Shutdown for its 5 s grace.
func Sim(t testing.TB, opts gandisim.Options) (*gandisim.Server, string, *http.Client) {
	t.Helper()
	sim, url := gandisim.NewTestServer(t, opts)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections) // runs before the simulator's cleanup
	return sim, url, &http.Client{Transport: tr}
}

package gandisim

import (
	"bytes"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	keyA = "aaaaaaaaaaaaaaaaaaaaaaaa"
	keyB = "bbbbbbbbbbbbbbbbbbbbbbbb"
)

// env is a simulator behind a real HTTP server, with a fake clock and two
// accounts; A has the demo data.
type env struct {
	t     *testing.T
	s     *Server
	url   string
	clock *fakeClock
}

func setup(t *testing.T, n int) *env {
	t.Helper()
	clock := newClock()
	s, url := NewTestServer(t, Options{Now: clock.Now, Seed: 42})
	s.AddAccount(keyB, "BBB-GANDI")
	s.SeedDemo(keyA, n)
	return &env{t: t, s: s, url: url, clock: clock}
}

// call sends one request with the simulator's own codec and returns the
// decoded answer or the fault.
func (e *env) call(method string, args ...any) (any, *Fault) {
	e.t.Helper()
	body, err := encodeCall(method, args, e.s.loc)
	if err != nil {
		e.t.Fatalf("encode %s: %v", method, err)
	}
	return e.raw(body)
}

func (e *env) raw(body []byte) (any, *Fault) {
	e.t.Helper()
	resp, err := http.Post(e.url, "text/xml", bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("HTTP %d, want 200", resp.StatusCode)
	}
	v, err := decodeResponse(resp.Body, e.s.loc)
	var f *Fault
	if errors.As(err, &f) {
		return nil, f
	}
	if err != nil {
		e.t.Fatalf("decode answer: %v", err)
	}
	return v, nil
}

// ok calls and fails the test on a fault.
func (e *env) ok(method string, args ...any) any {
	e.t.Helper()
	v, f := e.call(method, args...)
	if f != nil {
		e.t.Fatalf("%s: unexpected fault %d %s", method, f.Code, f.String)
	}
	return v
}

// fault calls and fails the test unless the answer is a fault with code.
func (e *env) fault(code int, method string, args ...any) *Fault {
	e.t.Helper()
	v, f := e.call(method, args...)
	if f == nil {
		e.t.Fatalf("%s: got %v, want fault %d", method, v, code)
	}
	if f.Code != code {
		e.t.Fatalf("%s: fault %d %q, want code %d", method, f.Code, f.String, code)
	}
	return f
}

func list(t *testing.T, v any) []map[string]any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("got %T, want array", v)
	}
	out := make([]map[string]any, len(l))
	for i, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			t.Fatalf("item %d is %T, want struct", i, x)
		}
		out[i] = m
	}
	return out
}

func names(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, m := range items {
		out[i], _ = m["name"].(string)
	}
	return out
}

// idOf returns the id of the caller's instance called name.
func (e *env) idOf(key, name string) int {
	e.t.Helper()
	items := list(e.t, e.ok("paas.list", key, map[string]any{"name": name}))
	if len(items) != 1 {
		e.t.Fatalf("%d instances named %q", len(items), name)
	}
	return items[0]["id"].(int)
}

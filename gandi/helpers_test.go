package gandi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "TESTKEY-0123456789abcdef"

// call is one request the fake server received, decoded.
type call struct {
	Method string
	Key    any   // the first param, which must be the API key
	Params []any // the other params as plain Go values
}

// fakeGandi is an httptest server that records calls and answers with the
// reply function.
type fakeGandi struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	calls []call
	slept []time.Duration // the client's pauses between attempts
}

// reply writes the answer to one call.
type reply func(w http.ResponseWriter, c call)

// setup starts a fake server answering with r and a Client bound to it.
func setup(t *testing.T, r reply, opts ...Option) (*Client, *fakeGandi) {
	t.Helper()
	f := &fakeGandi{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			t.Errorf("HTTP method %s, want POST", req.Method)
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Errorf("reading request: %v", err)
			return
		}
		c, err := decodeCall(body)
		if err != nil {
			t.Errorf("request is not a valid XML-RPC call: %v\n%s", err, body)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		r(w, c)
	}))
	t.Cleanup(f.srv.Close)
	opts = append([]Option{WithEndpoint(f.srv.URL + "/xmlrpc/"), withSleep(f.sleep)}, opts...)
	return NewClient(testKey, opts...), f
}

// sleep records a pause of the client instead of waiting it out.
func (f *fakeGandi) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.slept = append(f.slept, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeGandi) pauses() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// allCalls returns every call received so far.
func (f *fakeGandi) allCalls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// Test-only options: production code has no use for them.
func withSleep(fn func(context.Context, time.Duration) error) Option {
	return func(c *Client) { c.sleep = fn }
}

func withMaxResponse(n int64) Option { return func(c *Client) { c.maxResponse = n } }

func withClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

func decodeCall(body []byte) (call, error) {
	method, params, err := parseCall(body, paris())
	if err != nil {
		return call{}, err
	}
	c := call{Method: method}
	for i, p := range params {
		if i == 0 {
			c.Key = toAny(p)
			continue
		}
		c.Params = append(c.Params, toAny(p))
	}
	return c, nil
}

// lastCall returns the only or last call received.
func (f *fakeGandi) lastCall() call {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		f.t.Fatal("no call received")
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeGandi) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// fixture reads testdata/name.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// answerFile replies with a testdata file.
func answerFile(t *testing.T, name string) reply {
	body := fixture(t, name)
	return func(w http.ResponseWriter, _ call) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, body)
	}
}

// answerText replies with a literal body and status.
func answerText(status int, body string) reply {
	return func(w http.ResponseWriter, _ call) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func ptr[T any](v T) *T { return &v }

// parseCall parses a methodCall into its method name and params, so that
// the tests check what the client sends (the client itself never reads
// one).
func parseCall(body []byte, loc *time.Location) (string, []value, error) {
	p, err := newParser(body, loc)
	if err != nil {
		return "", nil, err
	}
	if err := p.expectStart("methodCall"); err != nil {
		return "", nil, err
	}
	if err := p.expectStart("methodName"); err != nil {
		return "", nil, err
	}
	name, err := p.text()
	if err != nil {
		return "", nil, err
	}
	var params []value
	for {
		t, err := p.s.next()
		if err != nil {
			return "", nil, err
		}
		switch t.kind {
		case tokStart:
			switch t.name {
			case "params":
			case "param":
				if err := p.expectStart("value"); err != nil {
					return "", nil, err
				}
				v, err := p.value(0)
				if err != nil {
					return "", nil, err
				}
				params = append(params, v)
			default:
				return "", nil, fmt.Errorf("unexpected <%s> in methodCall", clip(t.name))
			}
		case tokEnd:
			if t.name == "methodCall" {
				return strings.TrimSpace(name), params, nil
			}
		}
	}
}

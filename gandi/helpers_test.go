package gandi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
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
	opts = append([]Option{WithEndpoint(f.srv.URL + "/xmlrpc/")}, opts...)
	return NewClient(testKey, opts...), f
}

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

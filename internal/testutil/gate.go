package testutil

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
)

// Gate is an HTTP proxy in front of a Gandi endpoint (the simulator) that
// can hold chosen calls: a held call is read, reported on Arrived, and
// forwarded only once the test releases it, or once its client has gone
// (a killed process): Gandi then runs it as it would a request whose
// answer nobody read. Tests use it to stop paasbot at a precise point of
// a paid call: before it is sent (hold the paas.info paasbot reads just
// before), after (hold the call itself), while following (hold
// operation.info).
type Gate struct {
	URL  string // the gate's XML-RPC endpoint
	next string

	mu    sync.Mutex
	holds []*Hold
	seen  map[string]int
}

// Hold is one armed hold: the nth call of Method from now on.
type Hold struct {
	Method  string
	nth     int
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

// Arrived is closed when the held call has reached the gate.
func (h *Hold) Arrived() <-chan struct{} { return h.arrived }

// Release lets the held call through (idempotent).
func (h *Hold) Release() { h.once.Do(func() { close(h.release) }) }

var methodName = regexp.MustCompile(`<methodName>([^<]+)</methodName>`)

// NewGate serves a gate in front of the XML-RPC endpoint next until t
// ends; held calls are released at the end.
func NewGate(t testing.TB, next string) *Gate {
	t.Helper()
	g := &Gate{next: next, seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() {
		g.mu.Lock()
		for _, h := range g.holds {
			h.Release()
		}
		g.mu.Unlock()
		srv.Close()
	})
	g.URL = srv.URL + "/xmlrpc/"
	return g
}

// Hold arms a hold of the nth call of method counted from now (1: the
// next one).
func (g *Gate) Hold(method string, nth int) *Hold {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := &Hold{Method: method, nth: g.seen[method] + nth, arrived: make(chan struct{}), release: make(chan struct{})}
	g.holds = append(g.holds, h)
	return h
}

func (g *Gate) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	method := ""
	if m := methodName.FindSubmatch(body); m != nil {
		method = string(m[1])
	}
	g.mu.Lock()
	g.seen[method]++
	var held *Hold
	for _, h := range g.holds {
		if h.Method == method && h.nth == g.seen[method] {
			held = h
		}
	}
	g.mu.Unlock()
	if held != nil {
		close(held.arrived)
		select {
		case <-held.release:
		case <-r.Context().Done():
		}
	}
	resp, err := http.Post(g.next, "text/xml", bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

package gandi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/secret"
)

// heldServer answers paas.count for any key, holding the calls of the keys
// in hold until release is closed, and records the most calls of one key
// in flight at once.
type heldServer struct {
	mu       sync.Mutex
	inFlight map[string]int
	most     map[string]int
	arrived  map[string]int
	changed  chan struct{}
	hold     map[string]bool
	release  chan struct{}
}

func (h *heldServer) reply(t *testing.T) reply {
	count := fixture(t, "count.xml")
	return func(w http.ResponseWriter, c call) {
		key, _ := c.Key.(string)
		h.mu.Lock()
		h.inFlight[key]++
		h.arrived[key]++
		h.most[key] = max(h.most[key], h.inFlight[key])
		close(h.changed)
		h.changed = make(chan struct{})
		held := h.hold[key]
		h.mu.Unlock()
		if held {
			<-h.release
		}
		h.mu.Lock()
		h.inFlight[key]--
		h.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, count)
	}
}

// waitArrived blocks until key's calls that reached the server are n.
func (h *heldServer) waitArrived(t *testing.T, key string, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.mu.Lock()
		got, ch := h.arrived[key], h.changed
		h.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%d calls of a key arrived, want %d", got, n)
		}
	}
}

// TestKeyLimiter: with two slots per key, ten concurrent calls of one key
// never have more than two open at Gandi, and another key's calls run to
// the end while the first key's are all stuck.
func TestKeyLimiter(t *testing.T) {
	const keyA, keyB = "AAAAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBBBB"
	h := &heldServer{inFlight: map[string]int{}, most: map[string]int{}, arrived: map[string]int{},
		changed: make(chan struct{}), hold: map[string]bool{keyA: true}, release: make(chan struct{})}
	_, fake := setup(t, h.reply(t))
	lim := NewKeyLimiter(2)
	client := func(key string) *Client {
		return NewClient(secret.Value(key), WithEndpoint(fake.srv.URL+"/xmlrpc/"), WithKeyLimiter(lim))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 10 {
		wg.Go(func() {
			_, err := client(keyA).PaaS.Count(t.Context(), nil)
			errs <- err
		})
	}
	h.waitArrived(t, keyA, 2)

	var b sync.WaitGroup
	for range 10 {
		b.Go(func() {
			_, err := client(keyB).PaaS.Count(t.Context(), nil)
			errs <- err
		})
	}
	b.Wait()
	h.mu.Lock()
	arrivedA, arrivedB := h.arrived[keyA], h.arrived[keyB]
	h.mu.Unlock()
	if arrivedB != 10 || arrivedA != 2 {
		t.Errorf("while A's two calls are stuck: %d of B's calls and %d of A's reached Gandi, want 10 and 2", arrivedB, arrivedA)
	}

	close(h.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("call failed: %v", err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.most[keyA] != 2 || h.most[keyB] > 2 {
		t.Errorf("most calls in flight: A %d, B %d, want 2 and at most 2", h.most[keyA], h.most[keyB])
	}
	if n := lim.tracked(); n != 0 {
		t.Errorf("the limiter still tracks %d keys with no call running", n)
	}
}

// TestKeyLimiter_WaitEndsWithTheCall: a call waiting for a slot fails
// with its own deadline, and gives up its place.
func TestKeyLimiter_WaitEndsWithTheCall(t *testing.T) {
	h := &heldServer{inFlight: map[string]int{}, most: map[string]int{}, arrived: map[string]int{},
		changed: make(chan struct{}), hold: map[string]bool{testKey: true}, release: make(chan struct{})}
	lim := NewKeyLimiter(1)
	c, _ := setup(t, h.reply(t), WithKeyLimiter(lim))
	done := make(chan error, 1)
	go func() {
		_, err := c.PaaS.Count(t.Context(), nil)
		done <- err
	}()
	h.waitArrived(t, testKey, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.PaaS.Count(ctx, nil)
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting call: %v, want a *TransportError wrapping context.DeadlineExceeded", err)
	}
	close(h.release)
	if err := <-done; err != nil {
		t.Errorf("held call: %v", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.arrived[testKey] != 1 || lim.tracked() != 0 {
		t.Errorf("%d calls reached Gandi, %d keys tracked; want 1 and 0", h.arrived[testKey], lim.tracked())
	}
}

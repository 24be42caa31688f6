package slacktest

import (
	"maps"
	"slices"
	"testing"
	"time"
)

// Acks returns every ack received so far, in arrival order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acks)
}

// Deliveries returns every envelope write so far, redeliveries included.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.delivered)
}

// Envelope returns what became of the envelope with this id.
func (s *Server) Envelope(id string) (Envelope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.envelopes[id]
	if !ok {
		return Envelope{}, false
	}
	return e.snapshot(), true
}

func (e *envelope) snapshot() Envelope {
	return Envelope{
		ID: e.id, Type: e.typ, Payload: e.payload, ResponseURL: e.responseURL,
		TriggerID: e.triggerID, Deliveries: e.deliveries, Acked: e.acked,
	}
}

// Calls returns every Web API call so far (tokens removed).
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the calls of one Web API method.
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages posted in channel (every channel when
// channel is ""), ephemeral and deleted ones included, in posting order.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if channel == "" || m.Channel == channel {
			out = append(out, m.clone())
		}
	}
	return out
}

// Message returns the latest version of the message at channel and ts.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessageLocked(channel, ts); m != nil {
		return m.clone(), true
	}
	return Message{}, false
}

func (m *Message) clone() Message {
	c := *m
	c.Versions = slices.Clone(m.Versions)
	c.SeenBy = slices.Clone(m.SeenBy)
	return c
}

// ResponseURLPosts returns every post to a response_url, refused ones
// included.
func (s *Server) ResponseURLPosts() []ResponseURLPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posts)
}

// Views returns every modal opened so far (views.open, or pushed by a
// view_submission ack), in opening order. Home tabs are HomeView's.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, 0, len(s.viewOrder))
	for _, id := range s.viewOrder {
		out = append(out, *s.views[id])
	}
	return out
}

// ConnectionCount is the number of sockets open now.
func (s *Server) ConnectionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// ConnectionsOpened is the number of sockets opened since the start; it
// grows by one on every reconnect.
func (s *Server) ConnectionsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// WaitForConnections waits until at least n sockets are open.
func (s *Server) WaitForConnections(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitUntil(timeout, func() bool { return s.ConnectionCount() >= n }) {
		t.Fatalf("slacktest: %d sockets open after %v, want at least %d", s.ConnectionCount(), timeout, n)
	}
}

// WaitForConnectionsOpened waits until at least n sockets have been opened
// since the start (reconnects included).
func (s *Server) WaitForConnectionsOpened(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitUntil(timeout, func() bool {
		return s.ConnectionsOpened() >= n && s.ConnectionCount() > 0
	}) {
		t.Fatalf("slacktest: %d sockets opened (%d open) after %v, want at least %d",
			s.ConnectionsOpened(), s.ConnectionCount(), timeout, n)
	}
}

// WaitForAck waits for the first ack of envelopeID and returns it.
func (s *Server) WaitForAck(t testing.TB, envelopeID string, timeout time.Duration) Ack {
	t.Helper()
	var got Ack
	ok := s.waitUntil(timeout, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, a := range s.acks {
			if a.EnvelopeID == envelopeID {
				got = a
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("slacktest: envelope %s not acked within %v", envelopeID, timeout)
	}
	return got
}

// WaitForDeliveries waits until envelopeID was written to a socket n times
// (1 + redeliveries) and returns those deliveries.
func (s *Server) WaitForDeliveries(t testing.TB, envelopeID string, n int, timeout time.Duration) []Delivery {
	t.Helper()
	var got []Delivery
	ok := s.waitUntil(timeout, func() bool {
		got = got[:0]
		for _, d := range s.Deliveries() {
			if d.EnvelopeID == envelopeID {
				got = append(got, d)
			}
		}
		return len(got) >= n
	})
	if !ok {
		t.Fatalf("slacktest: envelope %s delivered %d times within %v, want %d", envelopeID, len(got), timeout, n)
	}
	return got
}

// WaitForMessage waits for a posted message (latest version, any channel)
// that match accepts, and returns it.
func (s *Server) WaitForMessage(t testing.TB, match func(Message) bool, timeout time.Duration) Message {
	t.Helper()
	var got Message
	ok := s.waitUntil(timeout, func() bool {
		for _, m := range s.Messages("") {
			if match(m) {
				got = m
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("slacktest: no matching message within %v; messages: %s", timeout, describeMessages(s.Messages("")))
	}
	return got
}

// WaitForResponseURLPost waits for a response_url post that match accepts.
func (s *Server) WaitForResponseURLPost(t testing.TB, match func(ResponseURLPost) bool, timeout time.Duration) ResponseURLPost {
	t.Helper()
	var got ResponseURLPost
	ok := s.waitUntil(timeout, func() bool {
		for _, p := range s.ResponseURLPosts() {
			if match(p) {
				got = p
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("slacktest: no matching response_url post within %v; posts: %d", timeout, len(s.ResponseURLPosts()))
	}
	return got
}

// WaitForView waits for an opened modal (latest version) that match accepts.
func (s *Server) WaitForView(t testing.TB, match func(View) bool, timeout time.Duration) View {
	t.Helper()
	var got View
	ok := s.waitUntil(timeout, func() bool {
		for _, v := range s.Views() {
			if match(v) {
				got = v
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("slacktest: no matching view within %v; views: %d", timeout, len(s.Views()))
	}
	return got
}

// WaitForCalls waits until method was called at least n times and returns
// its calls.
func (s *Server) WaitForCalls(t testing.TB, method string, n int, timeout time.Duration) []Call {
	t.Helper()
	ok := s.waitUntil(timeout, func() bool {
		return len(s.CallsTo(method)) >= n
	})
	if !ok {
		t.Fatalf("slacktest: %s called %d times within %v, want %d", method, len(s.CallsTo(method)), timeout, n)
	}
	return s.CallsTo(method)
}

func describeMessages(ms []Message) string {
	if len(ms) == 0 {
		return "none"
	}
	out := ""
	for _, m := range ms {
		out += "\n  " + m.Channel + " " + m.TS + ": " + truncate(m.AllText(), 120)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

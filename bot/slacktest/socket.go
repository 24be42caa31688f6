package slacktest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Disconnect reasons Slack sends before it closes a socket.
const (
	ReasonRefreshRequested = "refresh_requested"
	ReasonWarning          = "warning"
	ReasonLinkDisabled     = "link_disabled"
	ReasonTooManySockets   = "too_many_websockets"
)

// socketConn is one socket-mode WebSocket. Data frames are written under
// writeMu (gorilla allows one concurrent writer); pings use WriteControl,
// which may run beside it.
type socketConn struct {
	id      int
	ws      *websocket.Conn
	writeMu sync.Mutex
	done    chan struct{}
	once    sync.Once
}

func (c *socketConn) write(data []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// abort closes the TCP connection without a close frame, like a network cut.
func (c *socketConn) abort() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.UnderlyingConn().Close()
	})
}

// envelope is one socket-mode request and its delivery state.
type envelope struct {
	id          string
	typ         string
	payload     json.RawMessage
	acceptsResp bool
	responseURL string
	triggerID   string

	attempt     int    // retry_attempt of the latest delivery
	retryReason string // retry_reason of the latest delivery
	sentAt      time.Time
	sent        bool
	acked       bool
	deliveries  int
	timer       *time.Timer
	firstSent   chan struct{}
}

type wireEnvelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket] && !s.closed
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered the client
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.opened++
	c := &socketConn{id: s.opened, ws: ws, done: make(chan struct{})}
	s.conns[c.id] = c
	hello, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": len(s.conns),
		"debug_info": map[string]any{
			"host":                        "applink-slacktest",
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": s.cfg.appID},
	})
	s.wg.Add(2)
	s.mu.Unlock()

	if err := c.write(hello); err != nil {
		s.dropConn(c)
	}
	go s.readLoop(c)
	go s.pingLoop(c)

	// Envelopes that waited for a socket go out now, after hello.
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.notifyLocked()
	s.mu.Unlock()
	for _, e := range pending {
		s.deliver(e)
	}
}

func (s *Server) readLoop(c *socketConn) {
	defer s.wg.Done()
	defer s.dropConn(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &ack); err != nil || ack.EnvelopeID == "" {
			s.logf("socket %d: unreadable frame from the client: %q", c.id, truncate(string(data), 200))
			continue
		}
		s.recordAck(c.id, ack.EnvelopeID, ack.Payload)
	}
}

func (s *Server) pingLoop(c *socketConn) {
	defer s.wg.Done()
	tick := time.NewTicker(s.cfg.pingInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second)); err != nil {
				s.dropConn(c)
				return
			}
		}
	}
}

// dropConn forgets a socket and closes it.
func (s *Server) dropConn(c *socketConn) {
	s.mu.Lock()
	if _, ok := s.conns[c.id]; ok {
		delete(s.conns, c.id)
		s.notifyLocked()
	}
	s.mu.Unlock()
	c.abort()
}

func (s *Server) recordAck(connID int, envelopeID string, payload json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	a := Ack{EnvelopeID: envelopeID, ConnID: connID, At: s.cfg.now()}
	if len(payload) > 0 && string(payload) != "null" {
		a.Payload = append(json.RawMessage(nil), payload...)
	}
	if e, ok := s.envelopes[envelopeID]; ok {
		a.Known = true
		a.RetryAttempt = e.attempt
		a.Latency = a.At.Sub(e.sentAt)
		a.Duplicate = e.acked
		e.acked = true
		s.stopTimerLocked(e)
	}
	s.acks = append(s.acks, a)
	s.notifyLocked()
}

// enqueue registers a new envelope (its id already set) and delivers it,
// waiting until it was written to a socket or ctx ends. It returns the id.
func (s *Server) enqueue(ctx context.Context, e *envelope) string {
	s.mu.Lock()
	e.firstSent = make(chan struct{})
	s.envelopes[e.id] = e
	s.envOrder = append(s.envOrder, e.id)
	s.mu.Unlock()

	s.deliver(e)
	select {
	case <-e.firstSent:
	case <-ctx.Done():
		s.t.Errorf("slacktest: envelope %s (%s) not delivered before the context ended (%v); no socket connected?", e.id, e.typ, ctx.Err())
	}
	return e.id
}

// deliver writes e to one connected socket (round robin), or parks it until
// a socket connects, and arms the redelivery timer.
func (s *Server) deliver(e *envelope) {
	for {
		s.mu.Lock()
		if s.closed || e.acked {
			s.mu.Unlock()
			return
		}
		c := s.pickConnLocked()
		if c == nil {
			s.pending = append(s.pending, e)
			s.mu.Unlock()
			return
		}
		data, _ := json.Marshal(wireEnvelope{
			EnvelopeID:             e.id,
			Type:                   e.typ,
			Payload:                e.payload,
			AcceptsResponsePayload: e.acceptsResp,
			RetryAttempt:           e.attempt,
			RetryReason:            e.retryReason,
		})
		// Latency counts from just before the write: an ack can arrive
		// before write returns.
		e.sentAt = s.cfg.now()
		s.mu.Unlock()

		if err := c.write(data); err != nil {
			s.dropConn(c)
			continue // try another socket, or park it
		}

		s.mu.Lock()
		e.deliveries++
		s.delivered = append(s.delivered, Delivery{
			EnvelopeID: e.id, Type: e.typ, RetryAttempt: e.attempt,
			RetryReason: e.retryReason, ConnID: c.id, At: e.sentAt,
		})
		if !e.sent {
			e.sent = true
			close(e.firstSent)
		}
		if !e.acked && !s.closed && e.attempt < s.cfg.maxRetries {
			s.armRedeliveryLocked(e)
		}
		s.notifyLocked()
		s.mu.Unlock()
		return
	}
}

func (s *Server) armRedeliveryLocked(e *envelope) {
	s.stopTimerLocked(e)
	s.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(s.cfg.ackTimeout, func() {
		defer s.wg.Done()
		s.mu.Lock()
		if s.closed || e.acked || e.timer != t {
			s.mu.Unlock()
			return
		}
		e.timer = nil
		e.attempt++
		e.retryReason = "timeout"
		s.mu.Unlock()
		s.deliver(e)
	})
	e.timer = t
}

// stopTimerLocked cancels e's redelivery. A timer stopped before it fired
// never runs its function, so the WaitGroup is balanced here.
func (s *Server) stopTimerLocked(e *envelope) {
	if e.timer != nil && e.timer.Stop() {
		s.wg.Done()
	}
	e.timer = nil
}

func (s *Server) pickConnLocked() *socketConn {
	if len(s.conns) == 0 {
		return nil
	}
	ids := make([]int, 0, len(s.conns))
	for id := range s.conns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	s.rr++
	return s.conns[ids[s.rr%len(ids)]]
}

// Disconnect sends a "disconnect" message with reason to every connected
// socket, as Slack does before it rotates or closes them. slack-go handles
// it internally: it opens a new connection and closes the old one.
func (s *Server) Disconnect(reason string) {
	msg, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "applink-slacktest"},
	})
	for _, c := range s.openConns() {
		if err := c.write(msg); err != nil {
			s.dropConn(c)
		}
	}
}

// DropConnections cuts every socket abruptly (no close frame), like a
// network failure. Unacknowledged envelopes are redelivered after their ack
// timeout to whichever socket is connected by then.
func (s *Server) DropConnections() {
	for _, c := range s.openConns() {
		s.dropConn(c)
	}
}

// SendRawEnvelope writes data as one text frame to a connected socket,
// untouched and untracked (no redelivery), to test how the client copes with
// malformed input. It fails the test when no socket is connected before ctx
// ends.
func (s *Server) SendRawEnvelope(ctx context.Context, data []byte) {
	for {
		conns := s.openConns()
		if len(conns) > 0 {
			if err := conns[0].write(data); err == nil {
				return
			}
			s.dropConn(conns[0])
			continue
		}
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			s.t.Errorf("slacktest: raw envelope not sent: no socket connected (%v)", ctx.Err())
			return
		}
	}
}

func (s *Server) openConns() []*socketConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int, 0, len(s.conns))
	for id := range s.conns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*socketConn, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.conns[id])
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

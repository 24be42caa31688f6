package slacktest

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// envelope is one socket-mode request and its delivery state.
type envelope struct {
	id          string
	typ         string
	payload     json.RawMessage
	acceptsResp bool
	responseURL string
	triggerID   string
	viewID      string // the view a view_submission, view_closed or suggestion is about
	kind        string // the interactive payload's type, or the event's

	attempt     int    // retry_attempt of the latest delivery
	retryReason string // retry_reason of the latest delivery
	sentAt      time.Time
	lastConn    int
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

func (s *Server) recordAck(connID int, envelopeID string, payload json.RawMessage, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	a := Ack{EnvelopeID: envelopeID, ConnID: connID, At: at}
	if len(payload) > 0 && string(payload) != "null" {
		a.Payload = append(json.RawMessage(nil), payload...)
	}
	if e, ok := s.envelopes[envelopeID]; ok {
		a.Known = true
		a.RetryAttempt = e.attempt
		a.Latency = a.At.Sub(e.sentAt)
		a.Duplicate = e.acked
		if a.Latency > s.cfg.ackTimeout {
			// Too late: Slack has timed this delivery out and sends it
			// again, whether or not its redelivery timer was armed yet
			// (the ack can beat the write's return on a loaded machine).
			s.acks = append(s.acks, a)
			s.notifyLocked()
			return
		}
		e.acked = true
		s.stopTimerLocked(e)
		if !a.Duplicate {
			a.Refused = s.applyAckLocked(e, a.Payload)
		}
	}
	s.acks = append(s.acks, a)
	s.notifyLocked()
}

// applyAckLocked does what Slack does with the first ack of e, returning
// why Slack would refuse its payload.
func (s *Server) applyAckLocked(e *envelope, payload json.RawMessage) string {
	switch e.kind {
	case "view_submission":
		if v, ok := s.views[e.viewID]; ok {
			return s.applyViewAckLocked(v, payload)
		}
	case suggestionKind:
		return checkOptions(payload)
	}
	return ""
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

// deliver writes e to one connected socket (DeliverTo's, else round
// robin), or parks it until a socket connects, and arms the redelivery
// timer.
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
		s.mu.Unlock()
		if s.writeEnvelope(e, c) {
			return
		}
		s.dropConn(c) // try another socket, or park it
	}
}

// writeEnvelope writes e's current attempt to c and records the delivery;
// false when the write failed.
func (s *Server) writeEnvelope(e *envelope, c *socketConn) bool {
	s.mu.Lock()
	data, _ := json.Marshal(wireEnvelope{
		EnvelopeID: e.id, Type: e.typ, Payload: e.payload, AcceptsResponsePayload: e.acceptsResp,
		RetryAttempt: e.attempt, RetryReason: e.retryReason,
	})
	// Latency counts from just before the write: an ack can arrive
	// before write returns.
	e.sentAt = s.cfg.now()
	s.mu.Unlock()

	if err := c.write(data); err != nil {
		return false
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	e.deliveries++
	e.lastConn = c.id
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
	return true
}

// Redeliver sends envelope id again, acked or not, as Slack may: same
// envelope_id, retry_attempt one more than its latest delivery, and
// retry_reason reason (default "timeout"). connID names the socket; 0
// picks one other than the latest delivery's when there is one. It fails
// the test when the envelope is unknown or the socket is not open, and
// returns the delivery.
func (s *Server) Redeliver(id string, connID int, reason string) Delivery {
	if reason == "" {
		reason = "timeout"
	}
	s.mu.Lock()
	e, ok := s.envelopes[id]
	if !ok {
		s.mu.Unlock()
		s.t.Errorf("slacktest: Redeliver: no envelope %q", id)
		return Delivery{}
	}
	c := s.conns[connID]
	if connID == 0 {
		c = s.pickOtherConnLocked(e.lastConn)
	}
	if c == nil {
		s.mu.Unlock()
		s.t.Errorf("slacktest: Redeliver %s: socket %d is not open", id, connID)
		return Delivery{}
	}
	s.stopTimerLocked(e)
	e.attempt++
	e.retryReason = reason
	s.mu.Unlock()
	if !s.writeEnvelope(e, c) {
		s.dropConn(c)
		s.t.Errorf("slacktest: Redeliver %s: write to socket %d failed", id, c.id)
		return Delivery{}
	}
	ds := s.Deliveries()
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].EnvelopeID == id {
			return ds[i]
		}
	}
	return Delivery{}
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

// DeliverTo makes every later envelope (and redelivery) go to socket
// connID while it is open; 0 restores Slack's spreading over all sockets
// (round robin here). Envelopes go elsewhere while that socket is closed.
func (s *Server) DeliverTo(connID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.route = connID
}

func (s *Server) pickConnLocked() *socketConn {
	if c, ok := s.conns[s.route]; ok {
		return c
	}
	ids := s.connIDsLocked()
	if len(ids) == 0 {
		return nil
	}
	s.rr++
	return s.conns[ids[s.rr%len(ids)]]
}

// pickOtherConnLocked picks an open socket other than exclude when one
// exists, else exclude itself if open.
func (s *Server) pickOtherConnLocked(exclude int) *socketConn {
	for _, id := range s.connIDsLocked() {
		if id != exclude {
			return s.conns[id]
		}
	}
	return s.conns[exclude]
}

func (s *Server) connIDsLocked() []int {
	ids := make([]int, 0, len(s.conns))
	for id := range s.conns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

package slacktest

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxSockets is Slack's limit of socket-mode connections per app.
const maxSockets = 10

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
	if len(s.conns) >= maxSockets {
		// Slack allows 10 sockets per app and turns the next away.
		s.refused++
		s.notifyLocked()
		s.mu.Unlock()
		msg, _ := json.Marshal(map[string]any{"type": "disconnect", "reason": ReasonTooManySockets,
			"debug_info": map[string]any{"host": "applink-slacktest"}})
		_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = ws.WriteMessage(websocket.TextMessage, msg)
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
		// The ack arrived now, however long the fake's own lock then
		// takes (it is busy with every other call of the test).
		at := s.cfg.now()
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &ack); err != nil || ack.EnvelopeID == "" {
			s.logf("socket %d: unreadable frame from the client: %q", c.id, truncate(string(data), 200))
			continue
		}
		s.recordAck(c.id, ack.EnvelopeID, ack.Payload, at)
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

// DropConnection cuts socket connID abruptly, like the loss of the replica
// holding it; the others stay. Its unacknowledged envelopes are delivered
// again after their ack timeout to a socket still open. It reports whether
// the socket was open.
func (s *Server) DropConnection(connID int) bool {
	s.mu.Lock()
	c, ok := s.conns[connID]
	s.mu.Unlock()
	if ok {
		s.dropConn(c)
	}
	return ok
}

// ConnectionIDs lists the open sockets, oldest first. Ids count from 1 in
// opening order, so the n-th client to connect holds socket n until it
// reconnects.
func (s *Server) ConnectionIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connIDsLocked()
}

// RefusedConnections counts sockets turned away with too_many_websockets.
func (s *Server) RefusedConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *Server) openConns() []*socketConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*socketConn, 0, len(s.conns))
	for _, id := range s.connIDsLocked() {
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

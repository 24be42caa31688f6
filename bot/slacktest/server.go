package slacktest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	botToken   string
	appToken   string
	teamID     string
	teamDomain string
	botUserID  string
	botID      string
	appID      string

	pingInterval    time.Duration
	ackTimeout      time.Duration
	maxRetries      int
	triggerTTL      time.Duration
	responseURLTTL  time.Duration
	responseURLUses int
	now             func() time.Time
}

func defaultConfig() config {
	return config{
		botToken:        "xoxb-test",
		appToken:        "xapp-test",
		teamID:          "T0TEST",
		teamDomain:      "paasbot-test",
		botUserID:       "U0BOT",
		botID:           "B0BOT",
		appID:           "A0PAASBOT",
		pingInterval:    500 * time.Millisecond,
		ackTimeout:      3 * time.Second,
		maxRetries:      3,
		triggerTTL:      3 * time.Second,
		responseURLTTL:  30 * time.Minute,
		responseURLUses: 5,
		now:             time.Now,
	}
}

// WithBotToken sets the bot token (default "xoxb-test") the Web API accepts.
func WithBotToken(token string) Option { return func(c *config) { c.botToken = token } }

// WithAppToken sets the app-level token (default "xapp-test") that
// apps.connections.open accepts.
func WithAppToken(token string) Option { return func(c *config) { c.appToken = token } }

// WithTeamID sets the workspace id (default "T0TEST") put in payloads and
// auth.test.
func WithTeamID(id string) Option { return func(c *config) { c.teamID = id } }

// WithPingInterval sets how often each socket gets a WebSocket ping
// (default 500 ms). slack-go reconnects when it sees no ping for its own
// OptionPingInterval, so keep this well below the client's setting.
func WithPingInterval(d time.Duration) Option { return func(c *config) { c.pingInterval = d } }

// WithAckTimeout sets how long an envelope may stay unacknowledged before it
// is delivered again (default 3 s, Slack's rule). An ack arriving later than
// that, counted from the delivery it answers, does not stop the redelivery.
func WithAckTimeout(d time.Duration) Option { return func(c *config) { c.ackTimeout = d } }

// WithMaxRetries sets how many times an unacknowledged envelope is delivered
// again (default 3); 0 disables redelivery.
func WithMaxRetries(n int) Option { return func(c *config) { c.maxRetries = n } }

// WithClock replaces time.Now for every rule measured in wall time
// (trigger and response_url expiry, ack latency, message timestamps,
// channel pacing, call times). Redelivery timers still run on real time.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Server is a fake Slack: Web API, socket mode and response_url endpoints on
// one httptest server. All methods are safe for concurrent use.
type Server struct {
	t        testing.TB
	cfg      config
	srv      *httptest.Server
	upgrader websocket.Upgrader
	wg       sync.WaitGroup // socket goroutines and redelivery callbacks

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every recorded change
	closed  bool
	seq     int
	tsBase  int64

	tickets   map[string]bool
	conns     map[int]*socketConn
	rr        int
	route     int // DeliverTo's socket, 0 for round robin
	opened    int
	refused   int
	envelopes map[string]*envelope
	envOrder  []string
	pending   []*envelope
	acks      []Ack
	delivered []Delivery

	calls       []Call
	failNext    map[string][]string
	failChannel map[string]string
	rateLimits  map[string]*rateLimit
	revoked     map[string]bool
	pace        Pace
	buckets     map[string]*bucket

	convs    map[string]*conversation
	imByUser map[string]string
	users    map[string]User
	groups   map[string]UserGroup
	openFail map[string]string

	messages     []*Message
	triggers     map[string]*trigger
	responseURLs map[string]*responseURL
	posts        []ResponseURLPost
	views        map[string]*View
	viewOrder    []string
	homes        map[string]*View // Home tab by user
}

// New starts a fake Slack on 127.0.0.1 and registers its shutdown with
// t.Cleanup.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		t:            t,
		cfg:          cfg,
		changed:      make(chan struct{}),
		tsBase:       cfg.now().Unix(),
		tickets:      map[string]bool{},
		conns:        map[int]*socketConn{},
		envelopes:    map[string]*envelope{},
		failNext:     map[string][]string{},
		failChannel:  map[string]string{},
		rateLimits:   map[string]*rateLimit{},
		revoked:      map[string]bool{},
		buckets:      map[string]*bucket{},
		convs:        map[string]*conversation{},
		imByUser:     map[string]string{},
		users:        map[string]User{},
		groups:       map[string]UserGroup{},
		openFail:     map[string]string{},
		triggers:     map[string]*trigger{},
		responseURLs: map[string]*responseURL{},
		views:        map[string]*View{},
		homes:        map[string]*View{},
	}
	// slack-go sends Origin: https://api.slack.com, which gorilla's default
	// same-origin check would refuse.
	s.upgrader.CheckOrigin = func(*http.Request) bool { return true }
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleSocket)
	mux.HandleFunc("/response/", s.handleResponseURL)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.close)
	return s
}

// APIURL is the Web API base URL, with the trailing slash that
// slack.OptionAPIURL needs.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// BotToken is the bot token the Web API accepts.
func (s *Server) BotToken() string { return s.cfg.botToken }

// AppToken is the app-level token apps.connections.open accepts.
func (s *Server) AppToken() string { return s.cfg.appToken }

// TeamID is the workspace id put in every payload.
func (s *Server) TeamID() string { return s.cfg.teamID }

// BotUserID is the bot's user id, as auth.test answers it.
func (s *Server) BotUserID() string { return s.cfg.botUserID }

func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*socketConn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	for _, e := range s.envelopes {
		s.stopTimerLocked(e)
	}
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
	s.srv.Close()
	s.wg.Wait()
}

// nextID returns a fresh identifier with the given prefix. Callers hold s.mu.
func (s *Server) nextIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%06d", prefix, s.seq)
}

// nextTSLocked returns a unique, increasing Slack message timestamp.
func (s *Server) nextTSLocked() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", s.tsBase, s.seq)
}

// notifyLocked wakes every waiter. Callers hold s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitUntil blocks until cond is true or timeout elapses. cond runs without
// s.mu held (it may call the Server's accessors); the change channel is taken
// before cond runs, so no change between the two is missed.
func (s *Server) waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		closed := s.closed
		s.mu.Unlock()
		if cond() {
			return true
		}
		if closed {
			return false
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// logf logs through the test while the server is open; goroutines outliving
// the test must never call t.Logf.
func (s *Server) logf(format string, args ...any) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if !closed {
		s.t.Logf("slacktest: "+format, args...)
	}
}

func wsURL(httpURL string) string {
	return "ws" + strings.TrimPrefix(httpURL, "http")
}

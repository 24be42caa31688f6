package gandisim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris must load on machines without zoneinfo
)

// DemoAPIKey is the 24-character key accepted by a server seeded with
// SeedDemo in the sandbox and by `paasbot sim` when no key is given.
const DemoAPIKey = "demo0000sandbox000000key"

// DefaultOperationTime is how long an operation takes from BILL to DONE
// when Options.OperationTime is zero.
const DefaultOperationTime = 8 * time.Second

// MaxRequestBytes bounds a request body; larger bodies get fault code 1.
const MaxRequestBytes = 1 << 20

// Options configure a Server. The zero value is usable.
type Options struct {
	// Now is the clock of operations, dates and expiry; default time.Now.
	Now func() time.Time
	// Latency delays every answer (wall-clock, not Now).
	Latency time.Duration
	// Seed makes SeedDemo, fault injection and generated ids deterministic.
	Seed int64
	// Logger receives one debug line per call (never the API key); default
	// discards.
	Logger *slog.Logger
	// OperationTime is how long operations take from creation to DONE on
	// the Now clock; default DefaultOperationTime. Steps: BILL for the
	// first 10%, WAIT until 30%, RUN until the end.
	OperationTime time.Duration

	// FaultRate is the probability (0..1) that a call answers FaultCode
	// instead of running.
	FaultRate float64
	// FaultCode is the code of injected faults; default CodeInternal
	// (150000). CodeTooMany (510199) simulates rate limiting.
	FaultCode int
	// HTTPErrorRate is the probability that a call answers HTTP 503 with a
	// short text body instead of XML-RPC.
	HTTPErrorRate float64
	// SlowRate is the probability that a call is delayed by SlowLatency
	// (on top of Latency).
	SlowRate    float64
	SlowLatency time.Duration

	// RecordSpans records when each call arrived and was answered (Spans,
	// Rounds): tests count sequential round trips with it.
	RecordSpans bool

	// IgnoreDryRun makes the server ignore "--dry-run" as a server that
	// does not know the flag would: the key is dropped and the call runs,
	// and bills, for real (Calls counts it). The reference documents the
	// flag on paas.create and paas.vhost.create only; tests use this to
	// prove that nothing paid leaves paasbot before its approval.
	IgnoreDryRun bool
}

// FaultRule injects faults at run time into the next calls.
type FaultRule struct {
	// Method limits the rule to one method; empty means every method.
	Method string
	// Code is the XML-RPC fault code sent (e.g. CodeTooMany); ignored when
	// HTTPStatus is set.
	Code int
	// HTTPStatus, when non-zero, answers with this HTTP status (e.g. 503)
	// and a text body instead of XML-RPC.
	HTTPStatus int
	// RetryAfter is the Retry-After header sent with HTTPStatus: seconds
	// ("0", "30") or an HTTP date; empty sends "1", "-" sends none.
	RetryAfter string
	// Times is how many calls the rule hits; 0 means until ClearFaults.
	Times int
}

// Server is the simulated API. It is safe for concurrent use; one mutex
// guards all state.
type Server struct {
	opts   Options
	now    func() time.Time
	loc    *time.Location
	logger *slog.Logger
	secret []byte // derives the per-account vhost TXT keys

	mu         sync.Mutex
	rng        *rand.Rand
	accounts   map[string]*account
	proven     map[string]bool // domains proven by ProveDomain
	instances  map[int]*instance
	order      []int // instance ids in creation order
	vhosts     map[string]*vhost
	vhostNames map[int][]string // instance id → its vhost names
	snapshots  map[int]*snapshot
	ops        map[int]*operation
	opOrder    []int // operation ids, oldest first
	pending    []*operation
	nextID     map[string]int
	calls      map[string]int
	dryRuns    map[string]int
	failNext   map[string]string
	rules      []FaultRule
	types      []paasType
	table      map[string]methodSpec

	spans spanLog // when Options.RecordSpans
}

// New returns a server with no accounts; add them with AddAccount or
// SeedDemo.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OperationTime <= 0 {
		opts.OperationTime = DefaultOperationTime
	}
	if opts.FaultCode == 0 {
		opts.FaultCode = CodeInternal
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil { // cannot happen with time/tzdata linked in
		loc = time.FixedZone("CET", 3600)
	}
	mac := hmac.New(sha256.New, []byte("gandisim vhost keys"))
	fmt.Fprintf(mac, "%d", opts.Seed)
	s := &Server{
		opts:       opts,
		now:        opts.Now,
		loc:        loc,
		logger:     logger.With("component", "gandisim"),
		secret:     mac.Sum(nil),
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		accounts:   map[string]*account{},
		proven:     map[string]bool{},
		instances:  map[int]*instance{},
		vhosts:     map[string]*vhost{},
		vhostNames: map[int][]string{},
		snapshots:  map[int]*snapshot{},
		ops:        map[int]*operation{},
		nextID:     map[string]int{},
		calls:      map[string]int{},
		dryRuns:    map[string]int{},
		failNext:   map[string]string{},
		types:      buildTypes(),
	}
	s.table = s.methods()
	return s
}

// Location is Europe/Paris, the zone of every date on the wire.
func (s *Server) Location() *time.Location { return s.loc }

// id hands out increasing ids per kind, starting at realistic offsets.
func (s *Server) id(kind string) int {
	base := map[string]int{"account": 2920000, "paas": 126000, "vhost": 160000, "snapshot": 400000, "op": 1000000, "server": 300000}[kind]
	s.nextID[kind]++
	return base + s.nextID[kind]
}

// AddAccount lets apiKey call the API as the contact handle (e.g.
// "XXX-GANDI"). Adding an existing key changes nothing. Keys are never
// logged.
func (s *Server) AddAccount(apiKey, handle string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addAccountLocked(apiKey, handle)
}

func (s *Server) addAccountLocked(apiKey, handle string) *account {
	if a, ok := s.accounts[apiKey]; ok {
		return a
	}
	a := &account{id: s.id("account"), key: apiKey, handle: handle, zones: map[string]bool{}}
	s.accounts[apiKey] = a
	return a
}

// AddZone records that the account of apiKey manages zone at Gandi DNS:
// vhosts in that zone need no TXT proof. It reports false for an unknown key.
func (s *Server) AddZone(apiKey, zone string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[apiKey]
	if ok {
		a.zones[normalizeFQDN(zone)] = true
	}
	return ok
}

// ProveDomain marks domain (and every name under it) as proven for every
// account, as if its TXT record had been published.
func (s *Server) ProveDomain(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.proven[normalizeFQDN(domain)] = true
}

// SetCredit gives the account of apiKey a prepaid balance in EUR; paid
// calls costing more answer CodeNoCredit. Accounts start unlimited. It
// reports false for an unknown key.
func (s *Server) SetCredit(apiKey string, euros float64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[apiKey]
	if ok {
		a.credit = &euros
	}
	return ok
}

// Calls counts the calls of method that the simulator ran for real: dry
// runs and injected faults are not counted, calls refused by validation
// are. Approval tests use it to assert "exactly one paas.renew".
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// DryRuns counts the dry-run calls of method.
func (s *Server) DryRuns(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dryRuns[method]
}

// ResetCalls zeroes Calls and DryRuns.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
	clear(s.dryRuns)
}

// FailNextOperations makes the operations returned by the next successful
// call of method (e.g. "paas.renew") end in ERROR with lastError instead of
// DONE; their effect is not applied (a failed create removes the instance).
func (s *Server) FailNextOperations(method, lastError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if lastError == "" {
		lastError = "operation failed"
	}
	s.failNext[method] = lastError
}

// SetFault adds a run-time fault injection rule; rules are tried in order.
func (s *Server) SetFault(r FaultRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Code == 0 && r.HTTPStatus == 0 {
		r.Code = s.opts.FaultCode
	}
	s.rules = append(s.rules, r)
}

// ClearFaults removes every rule added by SetFault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
}

// Advance settles every operation that has ended by the clock's now,
// applying its effects. Every API call does it first, so callers rarely
// need it.
func (s *Server) Advance() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.now())
}

// txtKey is the value a vhost's TXT record must hold: deterministic per
// account and fqdn, revealing nothing of the API key.
func (s *Server) txtKey(a *account, fqdn string) string {
	mac := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(mac, "%d\x00%s", a.id, normalizeFQDN(fqdn))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

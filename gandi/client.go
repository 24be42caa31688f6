package gandi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris must load in images without zoneinfo

	"github.com/paasbot/paasbot/secret"
)

// Defaults of NewClient.
const (
	DefaultEndpoint = "https://rpc.gandi.net/xmlrpc/"
	// OTEEndpoint is Gandi's test (OT&E) platform.
	OTEEndpoint            = "https://rpc.ote.gandi.net/xmlrpc/"
	DefaultTimeout         = 30 * time.Second
	DefaultMaxResponseSize = 16 << 20 // bytes; a 500-instance page is about 1 MB
)

const redacted = "[redacted]"

// Client calls the Gandi PaaS XML-RPC API with one API key. It is cheap to
// create (one per key per command is fine: share one *http.Client with
// WithHTTPClient) and safe for concurrent use. Every call takes a context
// whose deadline and cancellation stop the HTTP request. A bad answer fails
// only its own call. The API key never appears in errors, logs or in the
// formatted Client.
type Client struct {
	key         func() string // a closure, so that no fmt verb can print the key
	endpoint    string
	http        *http.Client
	timeout     time.Duration
	maxResponse int64
	logger      *slog.Logger
	observer    func(method string, took time.Duration, err error)
	limiter     *KeyLimiter // nil: no per-key limit
	now         func() time.Time
	// sleep pauses between attempts of a read call (tests replace it).
	sleep func(ctx context.Context, d time.Duration) error

	PaaS       *PaasService      // paas.*
	Vhosts     *VhostService     // paas.vhost.*
	Snapshots  *SnapshotService  // paas.snapshot.*
	Types      *TypeService      // paas.type.*
	Version    *VersionService   // version.info
	Operations *OperationService // operation.*
	Catalog    *CatalogService   // catalog.list
	// Datacenters and SnapshotProfiles are not in the PaaS reference;
	// Gandi's own CLI calls them to name what paas.create accepts.
	Datacenters      *DatacenterService      // hosting.datacenter.list
	SnapshotProfiles *SnapshotProfileService // paas.snapshotprofile.list

	svc services // what the service pointers point to: one allocation
}

// services holds the Client's services, so that NewClient allocates them
// with the Client (one is made per user key per command).
type services struct {
	paas       PaasService
	vhosts     VhostService
	snapshots  SnapshotService
	types      TypeService
	version    VersionService
	operations OperationService
	catalog    CatalogService
	dcs        DatacenterService
	profiles   SnapshotProfileService
}

// Option configures a Client.
type Option func(*Client)

// WithEndpoint sets the XML-RPC URL (default DefaultEndpoint; OTEEndpoint
// for Gandi's test platform; the simulator's URL in tests and sandbox).
func WithEndpoint(url string) Option { return func(c *Client) { c.endpoint = url } }

// WithHTTPClient sets the HTTP client; share one across Clients. Its own
// Timeout, if any, applies on top of WithTimeout.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithTimeout bounds each call, the retries and pauses of a read included
// (default DefaultTimeout; 0 or less: only the caller's context bounds it).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithLogger logs each HTTP request at debug level (method, duration,
// error; a retried read logs each attempt) and never the key or the
// params. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithObserver calls fn after every HTTP request with the method name, its
// duration and its error (nil on success): the hook for metrics. A read
// retried after "slow down" answers calls it once per attempt, so each
// 429 is counted. fn must be fast and safe for concurrent use.
func WithObserver(fn func(method string, took time.Duration, err error)) Option {
	return func(c *Client) { c.observer = fn }
}

// defaultHTTP is shared by Clients created without WithHTTPClient; it is
// never modified after creation.
var defaultHTTP = sync.OnceValue(func() *http.Client { return &http.Client{} })

// NewClient returns a client for apiKey, which is revealed only in the
// parameters of each call.
func NewClient(apiKey secret.Value, opts ...Option) *Client {
	c := &Client{
		key:         apiKey.Reveal,
		endpoint:    DefaultEndpoint,
		timeout:     DefaultTimeout,
		maxResponse: DefaultMaxResponseSize,
		logger:      slog.New(slog.DiscardHandler),
		now:         time.Now,
		sleep:       sleepCtx,
	}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		c.http = defaultHTTP()
	}
	c.svc = services{paas: PaasService{c}, vhosts: VhostService{c}, snapshots: SnapshotService{c},
		types: TypeService{c}, version: VersionService{c}, operations: OperationService{c},
		catalog: CatalogService{c}, dcs: DatacenterService{c}, profiles: SnapshotProfileService{c}}
	c.PaaS, c.Vhosts, c.Snapshots, c.Types = &c.svc.paas, &c.svc.vhosts, &c.svc.snapshots, &c.svc.types
	c.Version, c.Operations, c.Catalog = &c.svc.version, &c.svc.operations, &c.svc.catalog
	c.Datacenters, c.SnapshotProfiles = &c.svc.dcs, &c.svc.profiles
	return c
}

// Endpoint returns the URL the client calls.
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without its key.
func (c Client) String() string {
	return fmt.Sprintf("gandi.Client{endpoint: %s, key: %s}", c.endpoint, redacted)
}

// GoString is String, so %#v does not print the key either.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb, so no verb reveals the key.
func (c Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes slog print the client without its key.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Retries of read calls answered "slow down" (HTTP 429 or 503, or a fault
// with cause TOOMANY). Writes are never retried.
const (
	// ReadAttempts is how many times a read call is sent, the first
	// included, before its *RateLimitError is returned.
	ReadAttempts = 3
	// RetryBackoff is the first pause when the server sent no
	// Retry-After; each next pause doubles it.
	RetryBackoff = 250 * time.Millisecond
	// MaxRetryWait is the longest pause between two attempts: a longer
	// Retry-After, or one that would pass the call's deadline, ends the
	// call at once with the server's wait in the *RateLimitError.
	MaxRetryWait = 10 * time.Second
)

// callKind says whether a call may be sent twice. Every method of the
// services names its kind where it calls, so that whether a call can be
// retried is decided per method, never guessed from its name.
type callKind uint8

const (
	// read calls answer data and change nothing: lists, counts, infos,
	// version, catalog, operations, and the dry runs the reference
	// documents. They are retried on slow-down answers.
	read callKind = iota + 1
	// write calls may bill or change something: create, update, renew,
	// restart, delete, vhost create and delete. They are sent once,
	// whatever the answer: a second send could bill twice.
	write
)

// read sends a read call (see callKind), retrying slow-down answers.
func (c *Client) read(ctx context.Context, method string, out any, args ...any) error {
	return c.call(ctx, read, method, out, args...)
}

// write sends a write call (see callKind) exactly once.
func (c *Client) write(ctx context.Context, method string, out any, args ...any) error {
	return c.call(ctx, write, method, out, args...)
}

// call sends method(apikey, args...) and decodes the answer into out (a
// pointer; nil to ignore the answer). The client's timeout bounds the
// whole call, retries and pauses included.
func (c *Client) call(ctx context.Context, kind callKind, method string, out any, args ...any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var body bytes.Buffer
	params := make([]any, 0, len(args)+1)
	params = append(params, c.key())
	params = append(params, args...)
	if err := encodeCall(&body, method, params); err != nil {
		return c.scrub(fmt.Errorf("gandi: %s: encoding params: %w", method, err))
	}
	attempts := 1
	if kind == read {
		attempts = ReadAttempts
	}
	backoff := RetryBackoff
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, method, body.Bytes(), out)
		wait, slow := slowDown(err)
		if !slow {
			return err
		}
		if wait < 0 { // no Retry-After: back off
			wait = backoff
		}
		if attempt >= attempts || wait > MaxRetryWait || !c.fits(ctx, wait) {
			if wait <= 0 {
				wait = backoff
			}
			return &RateLimitError{Method: method, RetryAfter: wait, Attempts: attempt, Err: err}
		}
		if err := c.sleep(ctx, wait); err != nil {
			return &TransportError{Method: method, Err: err}
		}
		backoff = min(2*backoff, MaxRetryWait)
	}
}

// fits reports whether a pause of d leaves time for another attempt
// before ctx's deadline.
func (c *Client) fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || c.now().Add(d).Before(deadline)
}

// slowDown reports whether err asks to slow down, and the server's
// Retry-After (-1 when it sent none).
func slowDown(err error) (retryAfter time.Duration, ok bool) {
	var he *HTTPError
	if errors.As(err, &he) && he.slowDown() {
		if he.hasRetryAfter {
			return he.RetryAfter, true
		}
		return -1, true
	}
	if errors.Is(err, ErrTooManyRequests) {
		return -1, true
	}
	return 0, false
}

// attempt sends one HTTP request, within the key's slots when a
// KeyLimiter is set, logs and observes it (its time excludes the wait for
// a slot), and returns its outcome with the key scrubbed.
func (c *Client) attempt(ctx context.Context, method string, body []byte, out any) error {
	if c.limiter != nil {
		release, err := c.limiter.acquire(ctx, c.key())
		if err != nil {
			return &TransportError{Method: method, Err: err}
		}
		defer release()
	}
	start := c.now()
	err := c.scrub(c.send(ctx, method, body, out))
	took := c.now().Sub(start)
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "gandi call failed",
			slog.String("method", method), slog.Duration("took", took), slog.String("error", err.Error()))
	} else {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "gandi call",
			slog.String("method", method), slog.Duration("took", took))
	}
	if c.observer != nil {
		c.observer(method, took, err)
	}
	return err
}

// errorPageLimit bounds what is read of a non-200 answer: enough for a
// fault, not a proxy's whole error page.
const errorPageLimit = 64 << 10

// send makes one HTTP request and reads its answer into out.
func (c *Client) send(ctx context.Context, method string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return &TransportError{Method: method, Err: err}
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("User-Agent", "paasbot-gandi")

	resp, err := c.http.Do(req)
	if err != nil {
		return &TransportError{Method: method, Err: err}
	}
	defer resp.Body.Close()
	limit := c.maxResponse
	if resp.StatusCode != http.StatusOK {
		limit = errorPageLimit
	}
	data, readErr := readBody(resp, limit+1)
	if resp.StatusCode != http.StatusOK {
		he := &HTTPError{Method: method, StatusCode: resp.StatusCode, Status: resp.Status}
		if d := parseRetryAfter(resp.Header.Get("Retry-After"), c.now()); d >= 0 {
			he.RetryAfter, he.hasRetryAfter = d, true
		}
		if !he.slowDown() && readErr == nil {
			// A fault is an answer whatever the status: the call was refused.
			if f := faultOf(method, data); f != nil {
				return f
			}
		}
		return he
	}
	switch {
	case readErr != nil && ctx.Err() == nil && errors.Is(readErr, io.ErrUnexpectedEOF):
		return &DecodeError{Method: method, Err: fmt.Errorf("answer cut short after %d bytes: %w", len(data), readErr)}
	case readErr != nil:
		return &TransportError{Method: method, Err: readErr}
	case int64(len(data)) > c.maxResponse:
		return &DecodeError{Method: method, Err: fmt.Errorf("answer larger than %d bytes", c.maxResponse)}
	}
	return decodeAnswer(method, data, out)
}

// readBody reads at most limit bytes of resp's body into a buffer sized
// from Content-Length when the server sent one: io.ReadAll grows from 512
// bytes by doubling, which allocated twice a page's size for every answer.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n < limit {
		buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
		_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit))
		return buf.Bytes(), err
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

// faultOf returns the fault data holds, or nil when it is not one.
func faultOf(method string, data []byte) *Fault {
	var f *Fault
	if errors.As(decodeAnswer(method, data, nil), &f) {
		return f
	}
	return nil
}

// decodeAnswer turns an answer body into out, a *Fault or a *DecodeError.
// The decoder is fuzzed not to panic; the recover is a last guard so that
// no answer can ever crash the bot.
func decodeAnswer(method string, data []byte, out any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &DecodeError{Method: method, Err: fmt.Errorf("decoder failure: %v", r)}
		}
	}()
	v, fault, err := parseResponse(data, paris())
	if err != nil {
		return &DecodeError{Method: method, Err: err}
	}
	if fault != nil {
		fault.Method = method
		return fault
	}
	if out == nil {
		return nil
	}
	if err := unmarshal(v, out); err != nil {
		de := &DecodeError{Method: method, Err: err}
		if pe, ok := err.(*pathError); ok {
			de.Path = pe.where()
		}
		return de
	}
	return nil
}

// scrub removes the API key from an error's text (a server may echo it).
func (c *Client) scrub(err error) error {
	k := c.key()
	if err == nil || len(k) < 4 {
		return err
	}
	if f, ok := err.(*Fault); ok {
		f.Message = strings.ReplaceAll(f.Message, k, redacted)
	}
	if msg := err.Error(); strings.Contains(msg, k) {
		return &redactedError{err: err, msg: strings.ReplaceAll(msg, k, redacted)}
	}
	return err
}

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date (RFC 9110), as a wait from now; -1 when absent or unreadable, 0 for
// a date already past.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return -1
		}
		return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now).Round(time.Second), 0)
	}
	return -1
}

// paris is the zone of the API's dates. time/tzdata is linked in, so
// loading cannot fail in practice; if it ever does, a fixed CET offset is
// used rather than failing every call (dates may then be off by an hour in
// summer).
var paris = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.FixedZone("CET", 3600)
})

// Paris returns the Europe/Paris zone in which the API's dates are read
// and written.
func Paris() *time.Location { return paris() }

// DateFilter formats t for the date filters of the list options
// (DateEndBefore, DateCreatedAfter…): Paris wall-clock time,
// "2006-01-02 15:04:05".
func DateFilter(t time.Time) string { return t.In(paris()).Format("2006-01-02 15:04:05") }

func sprintPlain(v any) string { return fmt.Sprintf("%+v", v) }

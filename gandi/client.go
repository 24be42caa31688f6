package gandi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris must load in images without zoneinfo
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
	now         func() time.Time

	PaaS       *PaasService      // paas.*
	Vhosts     *VhostService     // paas.vhost.*
	Snapshots  *SnapshotService  // paas.snapshot.*
	Types      *TypeService      // paas.type.*
	Version    *VersionService   // version.info
	Operations *OperationService // operation.*
	Catalog    *CatalogService   // catalog.list
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

// WithTimeout bounds each call (default DefaultTimeout; 0 or less: only the
// caller's context bounds it).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithLogger logs each call at debug level (method, duration, error) and
// never the key or the params. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithObserver calls fn after every call with the method name, its
// duration and its error (nil on success): the hook for metrics. fn must
// be fast and safe for concurrent use.
func WithObserver(fn func(method string, took time.Duration, err error)) Option {
	return func(c *Client) { c.observer = fn }
}

// WithMaxResponseSize bounds the bytes read from one answer (default
// DefaultMaxResponseSize); a larger answer is a *DecodeError.
func WithMaxResponseSize(n int64) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxResponse = n
		}
	}
}

// WithClock sets the clock used to measure call durations (tests).
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// defaultHTTP is shared by Clients created without WithHTTPClient; it is
// never modified after creation.
var defaultHTTP = sync.OnceValue(func() *http.Client { return &http.Client{} })

// NewClient returns a client for apiKey.
func NewClient(apiKey string, opts ...Option) *Client {
	c := &Client{
		key:         func() string { return apiKey },
		endpoint:    DefaultEndpoint,
		timeout:     DefaultTimeout,
		maxResponse: DefaultMaxResponseSize,
		logger:      slog.New(slog.DiscardHandler),
		now:         time.Now,
	}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		c.http = defaultHTTP()
	}
	c.PaaS = &PaasService{c: c}
	c.Vhosts = &VhostService{c: c}
	c.Snapshots = &SnapshotService{c: c}
	c.Types = &TypeService{c: c}
	c.Version = &VersionService{c: c}
	c.Operations = &OperationService{c: c}
	c.Catalog = &CatalogService{c: c}
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

// call sends method(apikey, args...) and decodes the answer into out (a
// pointer; nil to ignore the answer).
func (c *Client) call(ctx context.Context, method string, out any, args ...any) (err error) {
	start := c.now()
	defer func() {
		err = c.scrub(err)
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
	}()
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
		return fmt.Errorf("gandi: %s: encoding params: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, &body)
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
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
		return &HTTPError{Method: method, StatusCode: resp.StatusCode, Status: resp.Status,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponse+1))
	if err != nil {
		return &TransportError{Method: method, Err: err}
	}
	if int64(len(data)) > c.maxResponse {
		return &DecodeError{Method: method, Err: fmt.Errorf("answer larger than %d bytes", c.maxResponse)}
	}
	return decodeAnswer(method, data, out)
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

func retryAfter(h string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	return 0
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

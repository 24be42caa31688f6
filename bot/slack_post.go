package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/internal/clock"
	"github.com/paasbot/paasbot/telemetry"
)

// Slack error strings the adapter branches on (SlackError.Code).
const (
	SlackNotInChannel     = "not_in_channel"
	SlackChannelNotFound  = "channel_not_found"
	SlackExpiredTriggerID = "expired_trigger_id"
	SlackInvalidTriggerID = "invalid_trigger_id"
)

// responseURLUses is how many times Slack accepts a post to one
// response_url (within 30 minutes).
const responseURLUses = 5

// inviteHint is shown, privately, when paasbot had to answer in a channel
// it is not a member of.
const inviteHint = "I'm not a member of this channel, so I answered through Slack's reply link and cannot update that message later. " +
	"Invite me with `/invite @paasbot` to get approval requests and live progress here."

// SlackError is a Web API call that Slack answered with {ok:false}. Code is
// Slack's error string (not_in_channel, channel_not_found,
// expired_trigger_id, ...); errors.As on it lets callers branch.
type SlackError struct {
	Method string
	Code   string
}

func (e *SlackError) Error() string { return "slack " + e.Method + ": " + e.Code }

// slackCode returns the Slack error string of err, "" when err is not a
// refusal by Slack.
func slackCode(err error) string {
	var se *SlackError
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

// errResponseURLUsed says the response_url of an interaction has no use
// left; the caller falls back to the Web API.
var errResponseURLUsed = errors.New("response_url: every use spent")

// SlackPosterConfig configures a SlackPoster. The zero value is usable.
type SlackPosterConfig struct {
	// HTTPClient posts to response_url endpoints (Slack's Web API calls use
	// the slack.Client's own). Default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Logger receives retries and given-up posts; default discards.
	Logger *slog.Logger
	// MaxAttempts bounds how many times one call is tried when Slack
	// answers 429 or the network fails; default 4.
	MaxAttempts int
	// MaxRetryAfter is the longest Retry-After paasbot waits out; a longer
	// one fails the call at once. Default 30 s.
	MaxRetryAfter time.Duration
	// Backoff is the first wait after a network error, doubled on each
	// attempt; default 250 ms.
	Backoff time.Duration
	// PostEvery and PostBurst pace chat.postMessage per channel: a burst
	// of PostBurst posts, then one every PostEvery (defaults
	// ChannelPostEvery and ChannelPostBurst, Slack's pace).
	PostEvery time.Duration
	PostBurst int
	// Now is the clock of the pacing (default time.Now); Sleep is every
	// wait, for the pace, a Retry-After or a back-off (default
	// clock.Sleep). Tests pass a fake clock, or make the waits pass at
	// once.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// SlackPoster posts, updates and answers messages through Slack's Web API
// and response_url endpoints, retrying 429s (after Retry-After) and network
// failures a bounded number of times, and keeping chat.postMessage to
// Slack's pace per channel. It is the Notifier of the approvals engine and
// of the core and the Poster of the alerts scheduler; the socket-mode
// adapter uses it for every reply. A wait for Slack (pace or Retry-After)
// made while serving a command frees that command's worker first. Safe
// for concurrent use.
type SlackPoster struct {
	api    *slack.Client
	http   *http.Client
	logger *slog.Logger
	cfg    SlackPosterConfig
	pace   *channelPacer
	links  linkCache // permalinks asked already
}

// NewSlackPoster returns a poster calling Slack with api (built with the bot
// token: slack.New(botToken, slack.OptionAPIURL(…), …)).
func NewSlackPoster(api *slack.Client, cfg SlackPosterConfig) *SlackPoster {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 4
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 30 * time.Second
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	if cfg.PostEvery <= 0 {
		cfg.PostEvery = ChannelPostEvery
	}
	if cfg.PostBurst <= 0 {
		cfg.PostBurst = ChannelPostBurst
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = clock.Sleep
	}
	return &SlackPoster{api: api, http: cfg.HTTPClient, logger: cfg.Logger.With("component", "slack"), cfg: cfg,
		pace: newChannelPacer(cfg.PostEvery, cfg.PostBurst)}
}

// do runs one Slack call, retrying it after a 429 (waiting Retry-After)
// or a network failure (with doubling back-off), at most MaxAttempts times;
// the waits free the caller's worker (wait). A refusal by Slack comes back
// as a *SlackError, at once.
func (p *SlackPoster) do(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	backoff := p.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		var wait time.Duration
		var rl *slack.RateLimitedError
		var se slack.SlackErrorResponse
		switch {
		case errors.As(err, &rl):
			if rl.RetryAfter > p.cfg.MaxRetryAfter {
				return fmt.Errorf("slack %s: rate limited for %v, longer than paasbot waits: %w", method, rl.RetryAfter, err)
			}
			wait = rl.RetryAfter
		case errors.As(err, &se):
			return &SlackError{Method: method, Code: se.Err}
		case ctx.Err() != nil:
			return fmt.Errorf("slack %s: %w", method, ctx.Err())
		case transient(err):
			wait = backoff
			backoff *= 2
		default:
			return fmt.Errorf("slack %s: %w", method, cleanErr(err))
		}
		if attempt >= p.cfg.MaxAttempts {
			return fmt.Errorf("slack %s: gave up after %d attempts: %w", method, attempt, cleanErr(err))
		}
		p.logger.WarnContext(ctx, "slack call failed, retrying",
			"method", method, "attempt", attempt, "wait", wait, "error", cleanErr(err).Error())
		if err := p.wait(ctx, wait); err != nil {
			return fmt.Errorf("slack %s: %w", method, err)
		}
	}
}

// transient reports whether err is worth retrying: a network failure or a
// 5xx from Slack.
func transient(err error) bool {
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500 || sc.Code == http.StatusRequestTimeout
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// cleanErr keeps URLs out of errors: a response_url grants posting to a
// channel for 30 minutes, so it is not logged; Slack tokens are scrubbed
// from whatever remains.
func cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redactURL(ue.URL), ue.Err)
	}
	return errors.New(telemetry.ScrubTokens(err.Error()))
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(url)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// responder is the response_url of one interaction, with its remaining
// uses, and who and where it answers.
type responder struct {
	url     string
	channel string
	user    string

	mu   sync.Mutex
	uses int
}

type responderKey struct{}

// withResponder lets the Notifier methods called while serving an
// interaction fall back to its response_url (not_in_channel).
func withResponder(ctx context.Context, r *responder) context.Context {
	return context.WithValue(ctx, responderKey{}, r)
}

func responderFrom(ctx context.Context) *responder {
	r, _ := ctx.Value(responderKey{}).(*responder)
	if r == nil || r.url == "" {
		return nil
	}
	return r
}

// respond posts wm to r's response_url, counting Slack's five uses.
func (p *SlackPoster) respond(ctx context.Context, r *responder, wm *slack.WebhookMessage) error {
	if r == nil || r.url == "" {
		return errResponseURLUsed
	}
	r.mu.Lock()
	if r.uses >= responseURLUses {
		r.mu.Unlock()
		return errResponseURLUsed
	}
	r.uses++
	r.mu.Unlock()
	return p.do(ctx, "response_url", func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, r.url, p.http, wm)
	})
}

func webhook(part SlackMessage, responseType string) *slack.WebhookMessage {
	wm := &slack.WebhookMessage{Text: part.Text, ResponseType: responseType}
	if len(part.Blocks) > 0 {
		wm.Blocks = &slack.Blocks{BlockSet: part.Blocks}
	}
	return wm
}

func textPart(text string) SlackMessage {
	return SlackMessage{Text: text}
}

// internalError returns what a person may see of err; an internal error
// is logged under the reference it shows, its Slack URLs and tokens
// cleaned.
func (p *SlackPoster) internalError(ctx context.Context, what string, err error) string {
	if apperr.CodeOf(err) == apperr.EINTERNAL {
		err = cleanErr(err)
	}
	return apperr.Message(ctx, p.logger, what, err)
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/telemetry"
)

// Core is what the Slack adapter needs of paasbot's command core
// (*commands.Core): run a typed command, a button click, a submitted form.
// Every reply is rendered by the adapter; Handle and Click never fail,
// their errors are already messages.
type Core interface {
	Handle(ctx context.Context, req commands.Request) reply.Message
	Click(ctx context.Context, c commands.Click) reply.Message
	SubmitForm(ctx context.Context, s commands.Submission) (reply.Message, error)
	// FormCommand checks a command form's fields, without Gandi, and
	// returns the typed line it stands for (errors: commands.FieldErrors).
	FormCommand(ctx context.Context, s commands.Submission) (commands.Request, error)
	// SuggestInstances answers an instance picker; it always answers.
	SuggestInstances(ctx context.Context, team, user, typed string) []reply.Option
	// Home is a person's App Home, in sections.
	Home(ctx context.Context, team, user string) []reply.Message
}

// Dedup remembers keys (envelope and trigger ids) so that a delivery Slack
// retries runs once; *store.DB implements it.
type Dedup interface {
	SeenOnce(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
}

// Defaults of SlackConfig.
const (
	// DefaultWorkers: commands wait on Gandi and Slack, not on the CPU,
	// so many run at once; Gandi is kept from a burst by the per-key
	// limit of the Gandi client (cmd/paasbot) and people from each other
	// by DefaultPerUser.
	DefaultWorkers = 64
	// DefaultPerUser is how many of one person's commands run at once.
	DefaultPerUser = 4
	// DefaultQueueSize is how many acknowledged commands may wait: an
	// acked command is never refused while fewer wait (DESIGN §10).
	DefaultQueueSize = 10_000
	// DefaultPlaceholderAfter is how long a slash command may run before
	// its person sees "Asking Gandi…" (replaced by the answer).
	DefaultPlaceholderAfter = time.Second
	DefaultDrainTimeout     = 30 * time.Second
	DefaultFormTimeout      = 2500 * time.Millisecond
	// DefaultSuggestTimeout bounds answering an instance picker, whose
	// options travel in the ack within Slack's 3 s.
	DefaultSuggestTimeout = 2 * time.Second
	DefaultDedupTTL       = 2 * time.Hour
)

// recentEnvelopes is how many envelope ids the event loop remembers to
// recognise a redelivery before it answers anything: minutes of traffic
// at any rate a workspace sends (Slack redelivers within minutes).
const recentEnvelopes = 100_000

// SlackConfig configures the socket-mode adapter.
type SlackConfig struct {
	// API is slack-go's client, built with the bot token and the app-level
	// token: slack.New(botToken, slack.OptionAppLevelToken(appToken),
	// slack.OptionAPIURL(url), slack.OptionHTTPClient(h)). Required.
	API *slack.Client
	// Poster sends every reply; nil builds one on API with Logger. Pass the
	// same poster that the core and the approvals engine got as their
	// Notifier.
	Poster *SlackPoster
	Core   Core  // required
	Dedup  Dedup // required: without it a retried envelope could run twice
	Logger *slog.Logger
	// Metrics observes ack latency and reconnects; nil is fine.
	Metrics *telemetry.Metrics

	// Workers bounds the commands run at once (default DefaultWorkers).
	// A command waiting for Slack (its channel's pace, a Retry-After)
	// gives its worker to the next one. PerUser bounds those of one
	// person (team and user) among them (default DefaultPerUser); the
	// others' commands take turns with theirs. QueueSize is how many
	// acknowledged commands may wait (default DefaultQueueSize); past
	// that, people are told, always, that paasbot is busy and when to
	// try again.
	Workers   int
	PerUser   int
	QueueSize int
	// PlaceholderAfter is how long a slash command runs before its person
	// sees "Asking Gandi…", which the answer then replaces (default
	// DefaultPlaceholderAfter).
	PlaceholderAfter time.Duration
	// DrainTimeout bounds how long Run lets work in flight finish once its
	// context ends (default DefaultDrainTimeout).
	DrainTimeout time.Duration
	// FormTimeout bounds checking a submitted form, whose answer travels in
	// the ack and so must come within Slack's 3 s (default
	// DefaultFormTimeout).
	FormTimeout time.Duration
	// DedupTTL is how long envelope and trigger ids are remembered
	// (default DefaultDedupTTL; Slack retries within minutes).
	DedupTTL time.Duration
	// SocketOptions are passed to socketmode.New (tests shorten the ping
	// interval with socketmode.OptionPingInterval).
	SocketOptions []socketmode.Option
	// Now is the clock of ack latencies; default time.Now.
	Now func() time.Time
}

// Slack is paasbot's Slack transport over socket mode: it receives slash
// commands, button clicks and modal submissions, acknowledges each envelope
// at once, runs the work on a bounded pool of workers through the Core, and
// answers with a SlackPoster.
type Slack struct {
	cfg    SlackConfig
	api    *slack.Client
	poster *SlackPoster
	logger *slog.Logger
	now    func() time.Time

	connected atomic.Bool
	connects  atomic.Int64
	running   atomic.Bool

	// Set by Run.
	sm      *socketmode.Client
	queue   *fairQueue
	recent  *recentIDs     // the event loop's alone
	jobs    sync.WaitGroup // commands and clicks running
	side    sync.WaitGroup // view submissions and placeholders
	forms   chan struct{}  // bounds the view submissions checked at once
	notices *noticeBox
	rate    throughput
}

// NewSlack checks cfg and returns the adapter; Run connects it.
func NewSlack(cfg SlackConfig) (*Slack, error) {
	switch {
	case cfg.API == nil:
		return nil, errors.New("bot: SlackConfig.API is required")
	case cfg.Core == nil:
		return nil, errors.New("bot: SlackConfig.Core is required")
	case cfg.Dedup == nil:
		return nil, errors.New("bot: SlackConfig.Dedup is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.PerUser <= 0 {
		cfg.PerUser = DefaultPerUser
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.PlaceholderAfter <= 0 {
		cfg.PlaceholderAfter = DefaultPlaceholderAfter
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultDrainTimeout
	}
	if cfg.FormTimeout <= 0 {
		cfg.FormTimeout = DefaultFormTimeout
	}
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = DefaultDedupTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poster == nil {
		cfg.Poster = NewSlackPoster(cfg.API, SlackPosterConfig{Logger: cfg.Logger})
	}
	return &Slack{
		cfg: cfg, api: cfg.API, poster: cfg.Poster, now: cfg.Now,
		logger: cfg.Logger.With("component", "slack"),
	}, nil
}

// Ready reports nil while the socket-mode connection is up (readiness
// probe), else an error naming what is down.
func (s *Slack) Ready() error {
	if s.connected.Load() {
		return nil
	}
	return errors.New("slack: socket mode not connected")
}

// AuthError is a Slack token refused at start-up. Token says which one:
// "bot" (auth.test) or "app" (apps.connections.open). It never holds the
// token.
type AuthError struct {
	Token string
	Code  string
}

func (e *AuthError) Error() string {
	kind := "bot token (xoxb-…)"
	if e.Token == "app" {
		kind = "app-level token (xapp-…)"
	}
	return fmt.Sprintf("Slack refused the %s: %s", kind, e.Code)
}

// authCodes are the Slack errors that mean a token is wrong for good.
var authCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true, "not_allowed_token_type": true,
	"missing_scope": true,
}

// CheckTokens verifies both tokens of api without connecting: auth.test
// with the bot token, apps.connections.open with the app-level token (the
// URL it answers is left unused). A refused token is an *AuthError.
func CheckTokens(ctx context.Context, api *slack.Client) error {
	if _, err := api.AuthTestContext(ctx); err != nil {
		return tokenError("bot", "auth.test", err)
	}
	if _, _, err := api.StartSocketModeContext(ctx); err != nil {
		return tokenError("app", "apps.connections.open", err)
	}
	return nil
}

func tokenError(which, method string, err error) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && authCodes[se.Err] {
		return &AuthError{Token: which, Code: se.Err}
	}
	if errors.As(err, &se) {
		return fmt.Errorf("slack %s: %s", method, se.Err)
	}
	if authCodes[err.Error()] {
		return &AuthError{Token: which, Code: err.Error()}
	}
	return fmt.Errorf("slack %s: %w", method, cleanErr(err))
}

// Run checks the bot token (auth.test), connects in socket mode and serves
// until ctx ends or the connection fails for good (a refused app-level
// token: *AuthError). Once ctx ends it stops taking new work and lets work
// in flight finish (their Slack calls still go out), and returns within
// DrainTimeout whatever that work does: work still running near the
// deadline is cancelled, and work that ignores the cancellation is left
// behind with an error saying so, so that the caller may close the store.
// Run may be called once.
func (s *Slack) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("bot: Slack.Run called twice")
	}
	auth, err := s.api.AuthTestContext(ctx)
	if err != nil {
		return tokenError("bot", "auth.test", err)
	}
	s.logger.InfoContext(ctx, "slack bot token accepted", "team", auth.TeamID, "bot_user", auth.UserID)

	s.sm = socketmode.New(s.api, s.cfg.SocketOptions...)
	s.queue = newFairQueue(s.cfg.QueueSize, s.cfg.PerUser)
	s.recent = newRecentIDs(recentEnvelopes)
	s.forms = make(chan struct{}, 2*s.cfg.Workers+8)

	// Work outlives ctx by up to DrainTimeout: acknowledged commands must
	// still reach Slack after SIGTERM.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	// Notices (refusals, unreadable requests) get until Run returns.
	noticeCtx, cancelNotices := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelNotices()
	s.notices = newNoticeBox(noticeCtx, s, noticeSenders)
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		s.dispatch(workCtx)
	}()

	runErr := make(chan error, 1)
	go func() { runErr <- s.sm.RunContext(ctx) }()

	var result error
	socketDone := false
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-runErr:
			socketDone = true
			if ctx.Err() == nil {
				result = tokenError("app", "socket mode", err)
			}
			break loop
		case ev := <-s.sm.Events:
			s.handleEvent(ctx, workCtx, ev)
		}
	}
	s.connected.Store(false)
	s.queue.close()
	s.logger.InfoContext(ctx, "slack adapter stopping: draining work in flight", "queued", s.queue.len(), "deadline", s.cfg.DrainTimeout)
	if err := s.drain(dispatched, cancelWork, runErr, socketDone); err != nil && result == nil {
		result = err
	}
	return result
}

// drain waits for the work in flight and the socket-mode loop, and returns
// within DrainTimeout whatever they do: work gets DrainTimeout less a
// grace (a quarter of it, at most a second), is then cancelled, and has
// the grace to notice and to tell the people whose commands never started
// (notices over HTTP, which a tenth of a short deadline could not carry on
// a loaded machine); what still runs
// after that is left behind (it only sees a cancelled context) rather than
// holding Run past its promise. Events the socket-mode client still
// delivers are dropped unacknowledged (Slack sends them again), so that it
// never blocks on a full channel and can return.
func (s *Slack) drain(dispatched <-chan struct{}, cancelWork context.CancelFunc, runErr <-chan error, socketDone bool) error {
	drained := make(chan struct{})
	go func() {
		<-dispatched
		s.jobs.Wait()
		s.side.Wait()
		s.notices.wait()
		close(drained)
	}()
	grace := min(time.Second, s.cfg.DrainTimeout/4)
	work := time.NewTimer(s.cfg.DrainTimeout - grace)
	defer work.Stop()
	var final <-chan time.Time // armed when work is cancelled
	var err error
	events := s.sm.Events
	if socketDone {
		events = nil
	}
	for !socketDone || drained != nil {
		select {
		case <-drained:
			drained = nil
			if final == nil {
				s.logger.Info("slack adapter stopped: all work finished")
			}
		case <-runErr:
			socketDone, events = true, nil
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case <-work.C:
			cancelWork()
			left := s.queue.flush()
			for _, j := range left {
				s.notices.add(noticeFor(j, restartText))
			}
			s.logger.Error("slack adapter stopping: drain deadline passed, work in flight cancelled", "deadline", s.cfg.DrainTimeout, "not_started", len(left))
			err = fmt.Errorf("slack: work in flight did not finish within %v", s.cfg.DrainTimeout)
			t := time.NewTimer(grace)
			defer t.Stop()
			final = t.C
		case <-final:
			s.logger.Error("slack adapter stopped with work still running after cancellation", "socket_closed", socketDone, "work_done", drained == nil,
				"notices_unsent", s.notices.pending())
			return err
		}
	}
	return err
}

// handleEvent runs on the event loop: it must never block on work.
func (s *Slack) handleEvent(ctx, workCtx context.Context, ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		s.connected.Store(false)
		s.logger.DebugContext(ctx, "slack socket mode connecting")
	case socketmode.EventTypeConnected:
		s.connected.Store(true)
		if s.connects.Add(1) > 1 {
			s.cfg.Metrics.ObserveReconnect()
			s.logger.InfoContext(ctx, "slack socket mode reconnected")
		} else {
			s.logger.InfoContext(ctx, "slack socket mode connected")
		}
	case socketmode.EventTypeHello:
		s.connected.Store(true)
	case socketmode.EventTypeConnectionError:
		s.connected.Store(false)
		msg := ""
		if e, ok := ev.Data.(*slack.ConnectionErrorEvent); ok && e.ErrorObj != nil {
			msg = cleanErr(e.ErrorObj).Error()
		}
		s.logger.WarnContext(ctx, "slack socket mode connection failed, retrying", "error", msg)
	case socketmode.EventTypeInvalidAuth:
		s.connected.Store(false)
		s.logger.ErrorContext(ctx, "slack refused the app-level token")
	case socketmode.EventTypeIncomingError:
		msg := ""
		if e, ok := ev.Data.(*slack.IncomingEventError); ok && e.ErrorObj != nil {
			msg = cleanErr(e.ErrorObj).Error()
		}
		s.logger.WarnContext(ctx, "slack socket mode read error", "error", msg)
	case socketmode.EventTypeErrorWriteFailed:
		s.logger.WarnContext(ctx, "slack socket mode write failed (an ack may be lost; Slack will retry it)")
	case socketmode.EventTypeErrorBadMessage:
		s.badMessage(ctx, ev)
	case socketmode.EventTypeSlashCommand:
		s.onSlashCommand(ctx, ev)
	case socketmode.EventTypeInteractive:
		s.onInteractive(ctx, workCtx, ev)
	case socketmode.EventTypeEventsAPI:
		s.onEventsAPI(ctx, workCtx, ev)
	}
}

// ack acknowledges an envelope and records how long it waited in paasbot.
func (s *Slack) ack(ctx context.Context, envelopeID string, payload any, received time.Time) {
	if envelopeID == "" {
		return
	}
	if err := s.sm.AckCtx(ctx, envelopeID, payload); err != nil {
		s.logger.WarnContext(ctx, "cannot ack envelope", "envelope_id", envelopeID, "error", err.Error())
		return
	}
	s.cfg.Metrics.ObserveAck(s.now().Sub(received))
}

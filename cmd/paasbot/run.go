package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/telemetry"
)

// Timeouts of run's start-up and shutdown. deploy/ gives the process
// drainTimeout plus closeTimeout before it kills it.
const (
	checkTimeout   = 20 * time.Second // run --check: all Slack calls together
	drainTimeout   = bot.DefaultDrainTimeout
	closeTimeout   = 5 * time.Second // each of alerts and store after the drain (deploy/ allows 40 s in all)
	janitorEvery   = time.Hour
	httpTimeout    = 30 * time.Second // one Slack HTTP call (Gandi's are bounded per client)
	startupTimeout = 30 * time.Second // opening the store
	// gandiCallsPerKey bounds the calls open at Gandi for one API key at
	// once (gandi.KeyLimiter): one person's burst, or a report scanning
	// their account, stays polite and leaves the others' calls alone.
	gandiCallsPerKey = 4
	// idleConnsPerHost keeps that many connections to Gandi and to Slack
	// open between calls (64 workers, each with up to 2 Gandi calls at
	// once): net/http keeps 2 by default, so every call past 2 at once
	// paid a new TCP and TLS handshake.
	idleConnsPerHost = 128
)

// pooledHTTP is an HTTP client for one busy upstream (Gandi, Slack),
// each request bounded by timeout (0: none, for Gandi, whose clients bound
// their own calls).
func pooledHTTP(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = idleConnsPerHost
	return &http.Client{Timeout: timeout, Transport: t}
}

// runRun is `paasbot run [--check]`: Slack socket mode until SIGINT or
// SIGTERM, then work in flight is drained (at most drainTimeout) and
// everything closed.
func runRun(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	check := fs.Bool("check", false, "validate the configuration, the database (reachable, schema, secret; nothing changed) and both Slack tokens, then exit")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: paasbot run [--check] [flags]")
		fmt.Fprintln(env.stderr, "Connects to Slack in socket mode and serves /paas. Needs PAASBOT_SLACK_APP_TOKEN,")
		fmt.Fprintln(env.stderr, "PAASBOT_SLACK_BOT_TOKEN and PAASBOT_SECRET_KEY (or PAASBOT_SECRET_KEY_FILE).")
		fs.PrintDefaults()
	}
	cfg, err := loadConfig(env.getenv, fs, args)
	if err != nil {
		var ce *configError
		switch {
		case errors.As(err, &ce):
			return err
		case strings.HasPrefix(err.Error(), "unexpected argument"):
			fmt.Fprintf(env.stderr, "paasbot run: %v\n", err)
		}
		return errUsage // flag.ErrHelp or a flag error, already printed
	}
	if err := cfg.validateForRun(); err != nil {
		return err
	}
	logger, err := cfg.newLogger(env.stderr)
	if err != nil {
		return err
	}
	dbSecret, err := cfg.storeSecret()
	if err != nil {
		return err
	}

	slackHTTP := pooledHTTP(httpTimeout)
	api := slack.New(cfg.SlackBotToken.Reveal(),
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionAppLevelToken(cfg.SlackAppToken.Reveal()),
		slack.OptionHTTPClient(slackHTTP))

	if *check {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		defer cancel()
		if err := checkDatabase(cctx, env.stdout, cfg, dbSecret); err != nil {
			return err
		}
		if err := bot.CheckTokens(cctx, api); err != nil {
			return tokenSetting(err)
		}
		if err := checkSlackSettings(cctx, env, cfg, api); err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, "configuration OK")
		return nil
	}

	openCtx, cancelOpen := context.WithTimeout(ctx, startupTimeout)
	db, err := store.Open(openCtx, cfg.DB, dbSecret, store.WithLogger(logger.With("component", "store")), store.WithLeaseTTL(cfg.LeaseTTL))
	cancelOpen()
	if err != nil {
		return err
	}
	defer closeStore(db, logger)
	defer tuneGC(env.getenv)()
	return serve(ctx, cfg, logger, db, api, slackHTTP)
}

// serve wires the approvals engine, the core, the Slack adapter, the alerts
// scheduler, the janitor and the health server, runs until ctx ends, and stops
// them in order.
func serve(ctx context.Context, cfg *config, logger *slog.Logger, db *store.DB, api *slack.Client, slackHTTP *http.Client) error {
	logger.InfoContext(ctx, "paasbot starting", "config", cfg)

	reg := telemetry.NewRegistry()
	m := telemetry.NewMetrics(reg)
	// No Timeout here: each gandi.Client bounds its own calls (see
	// gandiClients), a paid one longer than a read.
	gandiHTTP := pooledHTTP(0)
	defer gandiHTTP.CloseIdleConnections()
	gandiLogger := logger.With("component", "gandi")
	perKey := gandi.NewKeyLimiter(gandiCallsPerKey)
	newGandi := newGandiClients(cfg.GandiURL, gandiHTTP,
		gandi.WithObserver(m.ObserveGandiCall), gandi.WithLogger(gandiLogger), gandi.WithKeyLimiter(perKey))

	poster := bot.NewSlackPoster(api, bot.SlackPosterConfig{HTTPClient: slackHTTP, Logger: logger})
	// A user group of PAASBOT_APPROVERS Slack will not let paasbot read
	// stops start-up: nobody could approve through it.
	gctx, cancelGroups := context.WithTimeout(ctx, checkTimeout)
	err := checkApproverGroups(gctx, cfg, poster, true)
	cancelGroups()
	if err != nil {
		return err
	}
	// The adapter is built after the engine, which must already tell it
	// when a request moves: its App Home refresh is bound once it exists.
	var homes homeRefresher
	p, err := wire(wiring{db: db, gandi: newGandi, notifier: poster, approvers: cfg.Approvers, groups: poster,
		approvalsChannel: cfg.ApprovalsChannel, auditChannel: cfg.AuditChannel, ttl: cfg.ApprovalTTL,
		tz: cfg.TZ.String(), logger: logger, metrics: m, onChange: homes.changed()})
	if err != nil {
		return err
	}
	engine, scheduler := p.engine, p.sched
	adapter, err := bot.NewSlack(bot.SlackConfig{
		API: api, Poster: poster, Core: p.core, Dedup: db, Logger: logger, Metrics: m,
		Workers: cfg.Workers, DrainTimeout: drainTimeout,
	})
	if err != nil {
		return err
	}
	homes.bind(adapter)

	// Background work stops with runCtx: when ctx ends, or when the Slack
	// adapter gives up (a refused token).
	runCtx, cancel := context.WithCancel(ctx)
	var bg sync.WaitGroup
	defer func() {
		cancel()
		bg.Wait()
	}()

	if cfg.HTTPAddr != "" {
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return &configError{Setting: "PAASBOT_HTTP_ADDR", Problem: fmt.Sprintf("cannot listen on %s: %v", cfg.HTTPAddr, err)}
		}
		logger.InfoContext(ctx, "health and metrics server listening", "addr", ln.Addr().String())
		ready := func(ctx context.Context) error {
			if err := adapter.Ready(); err != nil {
				return err
			}
			// The database answers, its schema is this paasbot's (a
			// newer replica has not upgraded it under this one) and the
			// secret still opens it: a replica that fails this stops
			// getting traffic, not just one with a dead connection.
			return db.Ready(ctx)
		}
		h := telemetry.NewHTTPHandler(m, reg, ready)
		bg.Go(func() {
			if err := telemetry.ServeListener(runCtx, ln, h, logger); err != nil {
				logger.Error("health and metrics server stopped", "error", err.Error())
			}
		})
	}
	bg.Go(func() { db.RunJanitor(runCtx, janitorEvery) })
	// The approvals: what stopped processes left (their leases lapsed)
	// settled, never sent offered again, sent interrupted and never re-run,
	// follow-ups taken over; then the heartbeat of this process's leases,
	// the recovery pass and the expiry sweep run until runCtx ends.
	if err := engine.Start(runCtx); err != nil {
		return err
	}
	defer engine.Close() // after the adapter's drain: follow-ups save their progress
	// paasbot_approvals: counted now that Start has settled the requests a
	// previous process left behind, then every approvalGaugeEvery.
	gauge := &approvalGaugeRefresher{src: db, dst: m, every: approvalGaugeEvery, logger: logger.With("component", "metrics")}
	gauge.refresh(runCtx)
	bg.Go(func() { gauge.run(runCtx) })
	// The scheduler's context does not end with runCtx: when runCtx ends,
	// Stop lets a report being scanned finish within closeTimeout, and only
	// past that deadline cancels it, which gives its slot back for the next
	// start's catch-up. Cancelling first would record the slot as failed
	// and tell the channel Gandi was not answering.
	// schedCancel is called by the goroutine below once Stop has returned,
	// never by a defer of serve, which would run before bg.Wait and cut
	// the running reports short.
	schedCtx, schedCancel := context.WithCancel(context.WithoutCancel(runCtx))
	if err := scheduler.Start(schedCtx); err != nil {
		schedCancel()
		return err
	}
	bg.Go(func() {
		<-runCtx.Done()
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
		defer scancel()
		if err := scheduler.Stop(sctx); err != nil {
			logger.Warn("alerts scheduler did not stop in time", "error", err.Error())
		}
		schedCancel()
	})

	err = adapter.Run(runCtx)
	cancel()
	if err != nil {
		return tokenSetting(err)
	}
	logger.Info("paasbot stopped")
	return nil
}

// checkDatabase is run --check's look at the database, changing nothing
// (store.Inspect: no file created, no migration applied): it connects,
// reads the schema version and checks the secret, and says in one line
// what `run` will find. A newer schema, an unreachable server, a wrong
// secret are errors (one line, naming the database without a password).
func checkDatabase(ctx context.Context, w io.Writer, cfg *config, secret store.Secret) error {
	if !store.IsPostgres(cfg.DB) {
		if _, err := os.Stat(cfg.DB); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(w, "database %s: does not exist yet; run creates it\n", cfg.DBName())
			return nil
		}
	}
	s, err := store.Inspect(ctx, cfg.DB, secret)
	if err != nil {
		return err
	}
	switch {
	case s.Version == 0:
		fmt.Fprintf(w, "database %s (%s): reachable and empty; run creates its schema (version %d)\n", s.Name, s.Engine, s.Known)
	case s.Current():
		fmt.Fprintf(w, "database %s (%s): reachable, schema version %d, the one this paasbot runs\n", s.Name, s.Engine, s.Version)
	default:
		fmt.Fprintf(w, "database %s (%s): reachable, schema version %d, older than this paasbot's %d; run applies the missing migrations at start\n",
			s.Name, s.Engine, s.Version, s.Known)
	}
	return nil
}

// closeStore closes the database, giving up after closeTimeout.
func closeStore(db *store.DB, logger *slog.Logger) {
	done := make(chan error, 1)
	go func() { done <- db.Close() }()
	select {
	case err := <-done:
		if err != nil {
			logger.Error("closing the database", "error", err.Error())
		}
	case <-time.After(closeTimeout):
		logger.Error("closing the database took too long; exiting anyway")
	}
}

// tokenSetting names the setting behind a token Slack refused.
func tokenSetting(err error) error {
	var ae *bot.AuthError
	if !errors.As(err, &ae) {
		return err
	}
	name := "PAASBOT_SLACK_BOT_TOKEN"
	if ae.Token == "app" {
		name = "PAASBOT_SLACK_APP_TOKEN"
	}
	return &configError{Setting: name, Problem: ae.Error()}
}

// checkSlackSettings is run --check's look at what Slack must allow for
// the settings of DESIGN §9: every user group of PAASBOT_APPROVERS must be
// readable (else nobody could approve through it: a *configError naming
// PAASBOT_APPROVERS and the scope), and a configured channel the bot is
// not in is a warning on stderr (every post there would be refused, but
// the bot can be invited while it runs).
func checkSlackSettings(ctx context.Context, env *environment, cfg *config, api *slack.Client) error {
	poster := bot.NewSlackPoster(api, bot.SlackPosterConfig{MaxAttempts: 2})
	if err := checkApproverGroups(ctx, cfg, poster, false); err != nil {
		return err
	}
	for _, ch := range []struct{ setting, id string }{
		{"PAASBOT_APPROVALS_CHANNEL", cfg.ApprovalsChannel}, {"PAASBOT_AUDIT_CHANNEL", cfg.AuditChannel},
	} {
		if ch.id == "" {
			continue
		}
		if c := bot.CheckChannel(ctx, api, ch.id); !c.OK {
			fmt.Fprintf(env.stderr, "warning: %s: channel %s: %s\n", ch.setting, ch.id, c.Problem)
		}
	}
	return nil
}

// checkApproverGroups reads every user group of PAASBOT_APPROVERS once. A
// group Slack will not let paasbot read is a *configError naming the
// setting and why (the usergroups:read scope, an unknown group); with
// refusalsOnly (run's start-up, before anything checked the tokens) other
// failures (a network error, a refused token) are left to what reports
// them better.
func checkApproverGroups(ctx context.Context, cfg *config, poster *bot.SlackPoster, refusalsOnly bool) error {
	for _, id := range cfg.Approvers {
		if !approvals.IsGroupID(id) {
			continue
		}
		_, err := poster.GroupMembers(ctx, id)
		if err == nil {
			continue
		}
		var se *bot.SlackError
		refused := errors.As(err, &se) && (se.Code == bot.SlackMissingScope || se.Code == bot.SlackNoSuchSubteam)
		if refusalsOnly && !refused {
			continue
		}
		setting := "PAASBOT_APPROVERS"
		if cfg.flagged(setting) {
			setting = "--approvers"
		}
		problem := fmt.Sprintf("cannot read user group %s (usergroups.users.list, scope usergroups:read): %v", id, err)
		if ae := (*apperr.Error)(nil); errors.As(err, &ae) && ae.Message != "" {
			problem = ae.Message
		}
		return &configError{Setting: setting, Problem: problem}
	}
	return nil
}

// homeRefresher refreshes App Homes when a request moves, once bound to
// the Slack adapter.
type homeRefresher struct {
	slack atomic.Pointer[bot.Slack]
}

func (h *homeRefresher) bind(s *bot.Slack) { h.slack.Store(s) }

// changed is the engine's OnChange: the requester's Home, and those of the
// people who may decide the request (user groups' members included, as
// the engine last read them).
func (h *homeRefresher) changed() func(ctx context.Context, c approvals.Change) {
	return func(ctx context.Context, c approvals.Change) {
		s := h.slack.Load()
		if s == nil {
			return
		}
		s.RefreshHome(ctx, c.Team, c.Requester)
		for _, a := range c.Deciders {
			if a != c.Requester {
				s.RefreshHome(ctx, c.Team, a)
			}
		}
	}
}

package main

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/paasbot/paasbot/alerts"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/telemetry"
)

// Compile-time checks of the wiring: the interfaces are declared by their
// consumers, the concrete types are only known here.
var (
	_ commands.Store     = (*store.DB)(nil)
	_ approvals.Store    = (*store.DB)(nil)
	_ alerts.Store       = (*store.DB)(nil)
	_ bot.Dedup          = (*store.DB)(nil)
	_ approvals.Notifier = (*bot.SlackPoster)(nil)
	_ approvals.Notifier = (*bot.Shell)(nil)
	_ alerts.Poster      = (*bot.SlackPoster)(nil)
	_ bot.Core           = (*commands.Core)(nil)
	_ commands.Approvals = (*approvals.Engine)(nil)
)

// gandiClients makes the *gandi.Client of one API key with the process's
// endpoint, HTTP client and observers (opts come last, so they win), and
// hands each consumer the services it declares. The HTTP client it
// shares has no Timeout of its own: each gandi.Client bounds its calls
// (gandi.DefaultTimeout, or what the consumer asks for), and an
// http.Client's Timeout would silently cut a paid call shorter.
type gandiClients func(key secret.Value, opts ...gandi.Option) *gandi.Client

// newGandiClients is the gandiClients of endpoint over h (which must have
// no Timeout of its own), with opts on every client.
func newGandiClients(endpoint string, h *http.Client, opts ...gandi.Option) gandiClients {
	base := append([]gandi.Option{gandi.WithEndpoint(endpoint), gandi.WithHTTPClient(h)}, opts...)
	return func(key secret.Value, more ...gandi.Option) *gandi.Client {
		return gandi.NewClient(key, append(slices.Clip(base), more...)...)
	}
}

func (g gandiClients) forCommands(key secret.Value) commands.Gandi {
	c := g(key)
	return commands.FromClient(c)
}

// forApprovals bounds each call by timeout when given (the paid call's
// own, Config.CallTimeout), else by gandi's default.
func (g gandiClients) forApprovals(key secret.Value, timeout time.Duration) approvals.Client {
	var opts []gandi.Option
	if timeout > 0 {
		opts = append(opts, gandi.WithTimeout(timeout))
	}
	c := g(key, opts...)
	return approvals.Client{PaaS: c.PaaS, Vhosts: c.Vhosts, Operations: c.Operations, Catalog: c.Catalog}
}

func (g gandiClients) forAlerts(key secret.Value) alerts.Gandi {
	c := g(key)
	return alerts.Gandi{PaaS: c.PaaS, Snapshots: c.Snapshots}
}

// notifier is what a transport offers the engine, the scheduler and the
// core: bot.SlackPoster and bot.Shell.
type notifier interface {
	approvals.Notifier
	alerts.Poster
}

// wiring is what run and shell share to build paasbot's parts.
type wiring struct {
	db        *store.DB
	gandi     gandiClients
	notifier  notifier
	approvers []string
	ttl       time.Duration
	tz        string
	logger    *slog.Logger       // the root logger: each part adds its component
	metrics   *telemetry.Metrics // nil: none

	// groups expands the user groups of approvers (nil: none, the shell);
	// approvalsChannel and auditChannel are PAASBOT_APPROVALS_CHANNEL and
	// PAASBOT_AUDIT_CHANNEL.
	groups                         approvals.GroupResolver
	approvalsChannel, auditChannel string
	// onChange hears every move of a request (nil: none): run refreshes
	// the App Home of the people it concerns.
	onChange func(ctx context.Context, c approvals.Change)
}

// parts are paasbot's engine, scheduler and core, wired together. The
// caller owns their lifecycles: engine.Start/Close, sched.Start/Stop.
type parts struct {
	engine *approvals.Engine
	sched  *alerts.Scheduler
	core   *commands.Core
}

// wire builds the parts from w.
func wire(w wiring) (*parts, error) {
	// The heartbeat and the look for lapsed work go with the store's
	// lease (PAASBOT_LEASE_TTL), so a shorter lease is taken over sooner.
	heartbeat, recoverEvery := store.LeaseTimings(w.db.LeaseTTL())
	ecfg := approvals.Config{Store: w.db, Gandi: w.gandi.forApprovals, Notifier: w.notifier,
		Approvers: w.approvers, Groups: w.groups, ApprovalsChannel: w.approvalsChannel, AuditChannel: w.auditChannel,
		TTL: w.ttl, Logger: w.logger, HeartbeatEvery: heartbeat, RecoverEvery: recoverEvery, OnChange: w.onChange}
	acfg := alerts.Config{Store: w.db, Gandi: w.gandi.forAlerts, Poster: w.notifier, Logger: w.logger, DefaultTZ: w.tz,
		RecoverEvery: recoverEvery}
	ccfg := commands.Config{Store: w.db, Gandi: w.gandi.forCommands, Notifier: w.notifier, Logger: w.logger}
	if w.metrics != nil {
		// Only a real one: a nil *Metrics in an interface would be called.
		ecfg.Metrics, acfg.Metrics, ccfg.Metrics = w.metrics, w.metrics, w.metrics
	}
	engine, err := approvals.New(ecfg)
	if err != nil {
		return nil, err
	}
	sched := alerts.New(acfg)
	ccfg.Approvals, ccfg.Alerts = engine, sched
	core, err := commands.New(ccfg)
	if err != nil {
		return nil, err
	}
	return &parts{engine: engine, sched: sched, core: core}, nil
}

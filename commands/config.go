package commands

import (
	"errors"
	"io"
	"log/slog"
	"time"
)

// Metrics counts commands by name and outcome ("ok" or an error Code).
// It must be safe for concurrent use; telemetry.Metrics implements it.
type Metrics interface {
	ObserveCommand(name, outcome string)
}

// Config is what New needs. Store, Gandi and Approvals are required.
type Config struct {
	Store Store
	// Gandi returns the API with one person's key (cmd/paasbot: one
	// *gandi.Client sharing one *http.Client). The core never keeps it
	// beyond a command.
	Gandi GandiFactory
	// Approvals runs the paid and destructive commands and their
	// decisions (*approvals.Engine).
	Approvals Approvals
	// Notifier posts the one-line notices of alerts changes in their
	// channel (nil: none).
	Notifier Notifier
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Logger receives one line per failed command (nil: discard).
	Logger *slog.Logger
	// Metrics observes every command (nil: none).
	Metrics Metrics
	// Alerts runs alert subscriptions (nil until the alerts exist).
	Alerts AlertScheduler
	// PageSize is the number of rows of list replies (0: 25).
	PageSize int
}

// Core runs commands. It is safe for concurrent use by many transports'
// workers; it holds no per-request state.
type Core struct {
	cfg    Config
	reg    *registry
	log    *slog.Logger
	now    func() time.Time
	pageSz int
	forms  map[string]commandForm // by command name
}

// DefaultPageSize is the number of rows a list reply shows per page.
const DefaultPageSize = 25

// New checks cfg and builds the command registry. It fails when Store,
// Gandi or Approvals is missing, or when two commands claim the same name
// (a bug).
func New(cfg Config) (*Core, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("commands: Config.Store is required")
	case cfg.Gandi == nil:
		return nil, errors.New("commands: Config.Gandi is required")
	case cfg.Approvals == nil:
		return nil, errors.New("commands: Config.Approvals is required")
	}
	c := &Core{cfg: cfg, log: cfg.Logger, now: cfg.Now, pageSz: cfg.PageSize}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c.log = c.log.With("component", "commands")
	if c.now == nil {
		c.now = time.Now
	}
	if c.pageSz <= 0 {
		c.pageSz = DefaultPageSize
	}
	reg, err := newRegistry(c.commandTables()...)
	if err != nil {
		return nil, err
	}
	c.reg = reg
	c.forms = c.commandForms()
	return c, nil
}

// commandTables are the per-file tables of commands. A feature adds its
// own method returning []*CommandSpec and lists it here.
func (c *Core) commandTables() [][]*CommandSpec {
	return [][]*CommandSpec{
		c.helpCommands(),
		c.loginCommands(),
		c.instanceCommands(),
		c.paidCommands(),
		c.vhostCommands(),
		c.snapshotCommands(),
		c.typeCommands(),
		c.referenceCommands(),
		c.approvalCommands(),
		c.auditCommands(),
		c.alertCommands(),
	}
}

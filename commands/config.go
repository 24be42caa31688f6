package commands

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/secret"
)

// Metrics counts commands by name and outcome ("ok" or an error Code),
// and approvals by the state they enter. It must be safe for concurrent
// use; telemetry.Metrics implements it.
type Metrics interface {
	ObserveCommand(name, outcome string)
	ObserveApproval(state string)
}

// Config is what New needs. Store and Gandi are required.
type Config struct {
	Store Store
	// Gandi returns a client for one person's API key (share one
	// *http.Client inside). The core never keeps a client beyond a call.
	Gandi func(apiKey secret.Value) *gandi.Client
	// Notifier posts and updates messages outside the current reply
	// (approval progress, private passwords). May be nil in tests.
	Notifier Notifier
	// Approvers are user ids allowed to approve paid operations; empty
	// means each requester confirms their own requests.
	Approvers []string
	// ApprovalTTL is how long a request stays pending (0: 24 h).
	ApprovalTTL time.Duration
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
	ttl    time.Duration
	pageSz int
	// approvals is the state of the approval flow (owned by the
	// approvals_*.go files; see their runtime()).
	approvals approvalRuntime
}

// DefaultPageSize is the number of rows a list reply shows per page.
const DefaultPageSize = 25

// New checks cfg and builds the command registry. It fails when Store or
// Gandi is missing, or when two commands claim the same name (a bug).
func New(cfg Config) (*Core, error) {
	if cfg.Store == nil {
		return nil, errors.New("commands: Config.Store is required")
	}
	if cfg.Gandi == nil {
		return nil, errors.New("commands: Config.Gandi is required")
	}
	c := &Core{cfg: cfg, log: cfg.Logger, now: cfg.Now, ttl: cfg.ApprovalTTL, pageSz: cfg.PageSize}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c.log = c.log.With("component", "commands")
	if c.now == nil {
		c.now = time.Now
	}
	if c.ttl <= 0 {
		c.ttl = 24 * time.Hour
	}
	if c.pageSz <= 0 {
		c.pageSz = DefaultPageSize
	}
	reg, err := newRegistry(c.commandTables()...)
	if err != nil {
		return nil, err
	}
	c.reg = reg
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
		c.approvalCommands(),
		c.auditCommands(),
		c.alertCommands(),
	}
}

// isApprover reports whether user is in the configured approvers.
func (c *Core) isApprover(user string) bool {
	for _, a := range c.cfg.Approvers {
		if a == user {
			return true
		}
	}
	return false
}

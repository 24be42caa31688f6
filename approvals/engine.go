package approvals

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/clock"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// Defaults of Config.
const (
	// DefaultTTL is how long a paid request stays pending.
	DefaultTTL = 24 * time.Hour
	// DefaultExpirySweep is how often Start's sweep expires overdue
	// requests and updates their messages.
	DefaultExpirySweep = time.Minute
	// DefaultFollowDeadline is how long the operations of an executed
	// request are followed before the engine says so and stops (counted
	// from execution, across restarts).
	DefaultFollowDeadline = 2 * time.Hour
	// DefaultGroupTTL is how long the members of an approvers' user group
	// are trusted before usergroups.users.list is asked again (DESIGN §9:
	// at most 5 minutes).
	DefaultGroupTTL = 5 * time.Minute
	// DefaultCallTimeout bounds the one real call of an approved request,
	// longer than any read: a paid call cut short leaves its outcome
	// unknown, and the request interrupted.
	DefaultCallTimeout = 2 * time.Minute
)

// Metrics counts requests by the state they enter ("pending", "approved",
// "done", "unknown"…). It must be safe for concurrent use;
// telemetry.Metrics implements it.
type Metrics interface {
	ObserveApproval(state string)
}

// Config is what New needs. Store and Gandi are required; every other
// field has a default.
type Config struct {
	Store Store
	// Gandi returns the API with one person's key: the requester's, for
	// the checks, the call and the follow-up.
	Gandi ClientFactory
	// Notifier posts the paid requests and updates them (nil: the answer
	// to the requester carries the request and its buttons).
	Notifier Notifier
	// Approvers are the user ids allowed to approve paid requests, never
	// their own, and user-group ids (S…) whose members are (read with
	// Groups, cached GroupTTL); empty: each requester confirms their own.
	Approvers []string
	// Groups expands the user groups of Approvers (nil: every entry is
	// taken as a person, as the shell's names are).
	Groups GroupResolver
	// GroupTTL is how long a group's members are trusted before they are
	// read again (0: DefaultGroupTTL; at most DefaultGroupTTL).
	GroupTTL time.Duration
	// ApprovalsChannel is where paid requests are posted (PAASBOT_APPROVALS_CHANNEL);
	// "": the channel where they were asked, and a paid request asked in a
	// DM is refused.
	ApprovalsChannel string
	// AuditChannel gets one line per outcome of a paid, destructive or
	// disruptive action (PAASBOT_AUDIT_CHANNEL), and the announcements of
	// confirmed actions asked in a DM; "": none.
	AuditChannel string
	// OnChange, when set, hears every move of a request this process makes
	// or sees (posted, decided, ended), after the people were told: the App
	// Home refreshes there. It must not block.
	OnChange func(ctx context.Context, c Change)
	// TTL is how long a paid request stays pending (0: DefaultTTL); a
	// confirm button lasts at most an hour.
	TTL time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Sleep is every pause of the follow-ups (nil: clock.Sleep).
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand is the source of generated passwords (nil: crypto/rand).
	Rand io.Reader
	// Logger receives the engine's lines, component "approvals" (nil:
	// discard).
	Logger *slog.Logger
	// Metrics observes the state changes (nil: none).
	Metrics Metrics
	// SweepEvery is the period of the expiry sweep (0: DefaultExpirySweep).
	SweepEvery time.Duration
	// FollowDeadline bounds a follow-up (0: DefaultFollowDeadline).
	FollowDeadline time.Duration
	// WaitInitial and WaitMax are the first and longest pauses between two
	// operation.info calls of a follow-up (0: gandi's defaults).
	WaitInitial, WaitMax time.Duration
	// CallTimeout bounds the real call of an approved request
	// (0: DefaultCallTimeout).
	CallTimeout time.Duration
	// HeartbeatEvery is the period of the heartbeat that renews this
	// process's leases (0: store.HeartbeatEvery); RecoverEvery the period
	// of the pass that settles the work of stopped processes (0:
	// store.RecoverEvery). Both must stay below store.LeaseTTL.
	HeartbeatEvery, RecoverEvery time.Duration
}

// Engine runs the approval flow. It is safe for concurrent use; its
// background work (follow-ups, the expiry sweep) lives between Start and
// Close.
type Engine struct {
	cfg    Config
	log    *slog.Logger
	rt     runtime
	groups *groupCache
}

// Actor is who acts on the engine and where: the requester of Propose, the
// clicker or typist of Approve, Deny and Cancel. Every permission check
// uses User; Team scopes the requests.
type Actor struct {
	Team, User string
	// Channel is where they asked; a paid request is posted there unless
	// Config.ApprovalsChannel is set ("" in a terminal: "local").
	Channel string
	// Direct says Channel is an IM or a group DM (the transport knows:
	// Slack's channel_name); a D… channel counts as one anyway.
	Direct bool
	// Reason is what a decider gives with a denial (the Deny form's
	// optional reason); "" for none.
	Reason string
	// Message is the message carrying the button clicked, if any: a click
	// on a request posted a moment ago may come before its reference is
	// stored.
	Message reply.Ref
}

// New checks cfg and fills in its defaults. It fails when Store or Gandi
// is missing.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("approvals: Config.Store is required")
	}
	if cfg.Gandi == nil {
		return nil, errors.New("approvals: Config.Gandi is required")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = clock.Sleep
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = DefaultExpirySweep
	}
	if cfg.FollowDeadline <= 0 {
		cfg.FollowDeadline = DefaultFollowDeadline
	}
	if cfg.WaitMax <= 0 {
		cfg.WaitMax = gandi.DefaultWaitMax
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.HeartbeatEvery <= 0 || cfg.HeartbeatEvery >= store.LeaseTTL {
		cfg.HeartbeatEvery = store.HeartbeatEvery
	}
	if cfg.RecoverEvery <= 0 || cfg.RecoverEvery >= store.LeaseTTL {
		cfg.RecoverEvery = store.RecoverEvery
	}
	if cfg.GroupTTL <= 0 || cfg.GroupTTL > DefaultGroupTTL {
		cfg.GroupTTL = DefaultGroupTTL
	}
	cfg.Approvers = slices.Clone(cfg.Approvers)
	return &Engine{cfg: cfg, log: cfg.Logger.With("component", "approvals"), groups: newGroupCache()}, nil
}

func (e *Engine) now() time.Time { return e.cfg.Now() }

// runtime returns the engine's background work.
func (e *Engine) runtime() *runtime { return &e.rt }

// observeApproval counts a request entering state.
func (e *Engine) observeApproval(state string) {
	if e.cfg.Metrics != nil {
		e.cfg.Metrics.ObserveApproval(state)
	}
}

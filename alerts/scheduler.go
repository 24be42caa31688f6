package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// Store is what the scheduler needs from the database; *store.DB
// implements it.
//
// A slot is claimed under the process's lease (ClaimSlotLeased), which
// the store's Heartbeat renews for every lease of the process at once:
// cmd/paasbot's approvals engine runs that heartbeat, so the scheduler
// runs none of its own.
type Store interface {
	Subscriptions(ctx context.Context, team string) ([]store.Subscription, error)
	Subscription(ctx context.Context, id int64) (*store.Subscription, error)
	APIKey(ctx context.Context, id store.Identity) (secret.Value, store.KeyMeta, error)
	// ClaimSlotLeased claims a slot (or takes over one whose holder
	// stopped before posting anything) and reports whether this process
	// won it.
	ClaimSlotLeased(ctx context.Context, subID int64, slot time.Time) (bool, error)
	// BeginSlotPost makes the claim final just before its first message
	// (store.ErrLeaseLost: another process took it over; post nothing).
	BeginSlotPost(ctx context.Context, subID int64, slot time.Time) error
	// RecordSlotMessage records the ts of the slot's first message.
	RecordSlotMessage(ctx context.Context, subID int64, slot time.Time, ts string) error
	// LapsedSlots lists the claims whose holder stopped before posting.
	LapsedSlots(ctx context.Context) ([]store.SlotRun, error)
	LastSlot(ctx context.Context, subID int64) (time.Time, bool, error)
	FinishSlot(ctx context.Context, subID int64, slot time.Time, outcome string) error
	// ReleaseSlot deletes a claim whose run never finished, so that the
	// slot runs again (store.ErrConflict for a finished one).
	ReleaseSlot(ctx context.Context, subID int64, slot time.Time) error
	PauseSubscription(ctx context.Context, id int64, reason string) (bool, error)
}

// Poster posts reports; the transport's notifier implements it (the core's
// and the approvals engine's notifiers have the same Post). It keeps to the
// channel's pace (Slack: about one post a second).
type Poster interface {
	// Post posts m in channel and returns its reference.
	Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error)
	// PostThread posts m in the thread of parent, a message Post returned.
	PostThread(ctx context.Context, parent reply.Ref, m reply.Message) (reply.Ref, error)
}

// Metrics counts posted reports; nil in Config is fine.
type Metrics interface {
	// ObserveReport is called once per report posted (not per message),
	// with its kind ("expiry", "upgrade", "snapshots").
	ObserveReport(kind string)
}

// Config configures a Scheduler. Store, Gandi and Poster are required.
type Config struct {
	Store Store
	// Gandi returns the API with an owner's key (cmd/paasbot: one
	// *gandi.Client sharing one *http.Client and the endpoint).
	Gandi  GandiFactory
	Poster Poster
	// Now is the clock (default time.Now).
	Now     func() time.Time
	Logger  *slog.Logger // default: discard
	Metrics Metrics      // may be nil
	// MaxConcurrency bounds the owners scanned at once (default 4).
	MaxConcurrency int
	// PageConcurrency bounds the pages of one list fetched at once
	// (default DefaultPageConcurrency).
	PageConcurrency int
	// CatchUp is how far back a missed slot still runs (default 24h): at
	// start, and at every tick, the latest slot of each subscription within
	// CatchUp that has no run-log entry runs once.
	CatchUp time.Duration
	// DefaultTZ is the zone of subscriptions stored without one
	// (PAASBOT_TZ; "" = UTC).
	DefaultTZ string
	// RecoverEvery is how often Start looks for claims whose process
	// stopped before posting (TakeOverLapsed); default
	// store.RecoverEvery, 15 s.
	RecoverEvery time.Duration
}

// Scheduler runs the subscriptions of a store: it finds the slots due,
// scans each owner's account once for all of their subscriptions firing
// together, claims every slot before posting, and posts the reports.
type Scheduler struct {
	cfg    Config
	log    *slog.Logger
	reload chan struct{}

	wg   sync.WaitGroup // the loop goroutine
	mu   sync.Mutex
	cron *cron.Cron
	done chan struct{}
	// cancelRuns ends the context of the running reports; Stop calls it
	// when its own deadline passes.
	cancelRuns context.CancelFunc
	badSubs    map[int64]string // subscriptions whose stored schedule no longer parses, logged once
	// claimed caches, per subscription, a slot known to be claimed (by
	// this process or another), so that ticks skip the store for it.
	claimed map[int64]time.Time
	// running holds the slots this process has claimed and not yet
	// finished or released, so that it never takes over its own claim
	// (a lapse of its own lease) while it still runs it.
	running map[slotKey]bool
}

// slotKey names one slot of one subscription.
type slotKey struct {
	sub  int64
	slot int64 // Unix nanoseconds
}

func keyOf(subID int64, slot time.Time) slotKey { return slotKey{subID, slot.UnixNano()} }

// New returns a scheduler; call Start to run it in real time, or RunDue
// with a clock of your own.
func New(cfg Config) *Scheduler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = 4
	}
	if cfg.PageConcurrency <= 0 {
		cfg.PageConcurrency = DefaultPageConcurrency
	}
	if cfg.CatchUp <= 0 {
		cfg.CatchUp = 24 * time.Hour
	}
	if cfg.RecoverEvery <= 0 {
		cfg.RecoverEvery = store.RecoverEvery
	}
	return &Scheduler{
		cfg:     cfg,
		log:     cfg.Logger.With("component", "alerts"),
		reload:  make(chan struct{}, 1),
		badSubs: map[int64]string{},
		claimed: map[int64]time.Time{},
		running: map[slotKey]bool{},
	}
}

// Start runs the scheduler until ctx ends or Stop is called: at once (the
// catch-up of slots missed while paasbot was down, within CatchUp), then
// every minute at second 0 and after each Reload. Every RecoverEvery it
// also takes over the claims of processes that stopped before posting
// (TakeOverLapsed). Ticks run under robfig/cron with panic recovery; each
// owner's run recovers its own panics too. Calling Start twice is an
// error.
//
// A run whose scan is cut short because ctx ended (or Stop gave up
// waiting) releases its slots and posts nothing: the next process's
// catch-up posts them. To let running reports finish on shutdown, call
// Stop with a deadline before ending ctx.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron != nil {
		return errors.New("alerts: scheduler already started")
	}
	if err := s.check(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	logger := cronLogger{s.log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger)))
	if _, err := c.AddFunc("* * * * *", func() { s.tick(ctx) }); err != nil {
		cancel()
		return fmt.Errorf("alerts: schedule the tick: %w", err)
	}
	s.cron, s.done, s.cancelRuns = c, make(chan struct{}), cancel
	c.Start()
	s.wg.Add(1)
	go func(done chan struct{}) {
		defer s.wg.Done()
		s.loop(ctx, done)
	}(s.done)
	return nil
}

// check reports a Config missing what it needs.
func (s *Scheduler) check() error {
	switch {
	case s.cfg.Store == nil:
		return errors.New("alerts: Config.Store is required")
	case s.cfg.Gandi == nil:
		return errors.New("alerts: Config.Gandi is required")
	case s.cfg.Poster == nil:
		return errors.New("alerts: Config.Poster is required")
	}
	return nil
}

// markDone remembers that slot of subscription id is claimed.
func (s *Scheduler) markDone(id int64, slot time.Time) {
	s.mu.Lock()
	if slot.After(s.claimed[id]) {
		s.claimed[id] = slot
	}
	s.mu.Unlock()
}

// knownDone reports whether slot of subscription id is known claimed.
func (s *Scheduler) knownDone(id int64, slot time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.claimed[id]
	return ok && !d.Before(slot)
}

// loop runs the start-up catch-up, the checks Reload asks for and the
// take-over of lapsed claims.
func (s *Scheduler) loop(ctx context.Context, done chan struct{}) {
	s.safely(ctx, s.tick)
	recoverTicker := time.NewTicker(s.cfg.RecoverEvery)
	defer recoverTicker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case <-s.reload:
			s.safely(ctx, s.tick)
		case <-recoverTicker.C:
			s.safely(ctx, s.takeOver)
		}
	}
}

// safely runs fn, logging a panic instead of ending the loop.
func (s *Scheduler) safely(ctx context.Context, fn func(context.Context)) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("alerts tick panicked", "panic", fmt.Sprint(r))
		}
	}()
	fn(ctx)
}

func (s *Scheduler) tick(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	if err := s.RunDue(ctx, s.cfg.Now()); err != nil {
		s.logFailure(ctx, "alerts tick failed", err)
	}
}

func (s *Scheduler) takeOver(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	if err := s.TakeOverLapsed(ctx); err != nil {
		s.logFailure(ctx, "alerts take-over failed", err)
	}
}

// logFailure logs a failed store or scan step: an error, unless it failed
// because the scheduler is stopping (its context ended), which is not one.
func (s *Scheduler) logFailure(ctx context.Context, msg string, err error, attrs ...any) {
	attrs = append(attrs, "err", err)
	if ctx.Err() != nil {
		s.log.Info(msg+" (stopping)", attrs...)
		return
	}
	s.log.Error(msg, attrs...)
}

// stopGrace is how long Stop still waits, once its deadline has passed and
// it has cancelled the running reports, for them to release their slots.
const stopGrace = 5 * time.Second

// Stop stops the ticks and waits for running reports to finish. When ctx
// ends first, it cancels them (their unfinished slots are released, to be
// posted by the next process's catch-up), waits up to a few seconds for
// that, and returns ctx's error.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	c, done, cancel := s.cron, s.done, s.cancelRuns
	s.cron, s.done, s.cancelRuns = nil, nil, nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	defer cancel()
	close(done)
	stopped := make(chan struct{})
	go func() {
		<-c.Stop().Done()
		s.wg.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
		return nil
	case <-ctx.Done():
	}
	cancel()
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	select {
	case <-stopped:
	case <-grace.C:
		s.log.Warn("alerts: running reports did not end after being cancelled")
	}
	return fmt.Errorf("alerts: stop: %w", ctx.Err())
}

// Reload tells the scheduler that subscriptions changed (added, removed,
// taken over). Every tick reads the store, so changes are seen within a
// minute anyway; Reload checks at once, so a subscription taken over
// after missing its slot runs that slot now (within CatchUp). It never
// blocks.
func (s *Scheduler) Reload() {
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

// cronLogger adapts slog to robfig/cron's logger (panics of ticks land here).
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}

package commands

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/paasbot/paasbot/store"
)

// DefaultExpirySweep is how often Start's sweep expires overdue requests
// and updates their messages.
const DefaultExpirySweep = time.Minute

// approvalRuntime is the Core's background work for approvals: the
// goroutines that follow operations and the expiry sweep, all tracked so
// that Close cancels and drains them. The zero value is ready; tests set
// the tunables before Start.
type approvalRuntime struct {
	mu        sync.Mutex
	base      context.Context
	stop      context.CancelFunc
	started   bool
	closed    bool
	wg        sync.WaitGroup
	following map[int64]bool
	idle      chan struct{} // closed when no follow-up runs; nil: none ever ran

	// Tunables (zero: the defaults).
	sleep       func(ctx context.Context, d time.Duration) error // pauses of the waits
	followFor   time.Duration                                    // DefaultFollowDeadline
	sweepEvery  time.Duration                                    // DefaultExpirySweep
	waitInitial time.Duration                                    // gandi.DefaultWaitInitial
	waitMax     time.Duration                                    // gandi.DefaultWaitMax
	rand        io.Reader                                        // crypto/rand
}

func (rt *approvalRuntime) followDeadline() time.Duration {
	if rt.followFor > 0 {
		return rt.followFor
	}
	return DefaultFollowDeadline
}

// pause waits d or until ctx ends, with the injected sleep when set.
func (rt *approvalRuntime) pause(ctx context.Context, d time.Duration) error {
	if rt.sleep != nil {
		return rt.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// spawn runs fn in a tracked goroutine under the runtime's context. Before
// Start, that context is derived from ctx without its cancellation (the
// click that executed a request must not stop its follow-up). After Close
// it runs nothing and reports false.
func (rt *approvalRuntime) spawn(ctx context.Context, fn func(ctx context.Context)) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return false
	}
	if rt.base == nil {
		rt.base, rt.stop = context.WithCancel(context.WithoutCancel(ctx))
	}
	base := rt.base
	rt.wg.Go(func() { fn(base) })
	return true
}

// spawnFollow is spawn for the follow-up of approval id, at most one at a
// time per approval.
func (rt *approvalRuntime) spawnFollow(ctx context.Context, id int64, fn func(ctx context.Context)) {
	rt.mu.Lock()
	if rt.following == nil {
		rt.following = map[int64]bool{}
	}
	if rt.following[id] {
		rt.mu.Unlock()
		return
	}
	rt.following[id] = true
	if len(rt.following) == 1 {
		rt.idle = make(chan struct{})
	}
	rt.mu.Unlock()
	done := func() {
		rt.mu.Lock()
		delete(rt.following, id)
		if len(rt.following) == 0 {
			close(rt.idle)
		}
		rt.mu.Unlock()
	}
	if !rt.spawn(ctx, func(ctx context.Context) { defer done(); fn(ctx) }) {
		done()
	}
}

// WaitFollowUps blocks until no operation is being followed any more (the
// follow-ups started so far have ended) or ctx ends, whose error it then
// returns. The shell uses it at the end of a piped session so that the
// last request's outcome is shown before it exits.
func (c *Core) WaitFollowUps(ctx context.Context) error {
	rt := c.runtime()
	rt.mu.Lock()
	idle := rt.idle
	rt.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// randomness is the source of generated passwords.
func (c *Core) randomness() io.Reader {
	if r := c.runtime().rand; r != nil {
		return r
	}
	return rand.Reader
}

// Start prepares the approvals after a (re)start and starts their
// background work; call it once, before serving, with a context that ends
// at shutdown, and Close after. It expires overdue requests and updates
// their messages; marks requests a stopped process left approved or
// executing as interrupted, updates their messages ("check in Gandi
// whether it ran") and never re-runs them; resumes following the
// operations of executed requests; and starts a sweep that expires
// requests as their deadline passes. Errors are the store's.
func (c *Core) Start(ctx context.Context) error {
	rt := c.runtime()
	rt.mu.Lock()
	if rt.started || rt.closed {
		rt.mu.Unlock()
		return errors.New("commands: Core.Start called twice or after Close")
	}
	rt.started = true
	if rt.stop != nil {
		rt.stop() // a follow-up started before Start, on a detached context
	}
	rt.base, rt.stop = context.WithCancel(ctx)
	rt.mu.Unlock()

	if err := c.sweepExpired(ctx); err != nil {
		return err
	}
	interrupted, err := c.cfg.Store.InterruptExecuting(ctx)
	if err != nil {
		return fmt.Errorf("commands: interrupt executing approvals: %w", err)
	}
	for i := range interrupted {
		c.interrupted(ctx, &interrupted[i])
	}
	following, err := c.cfg.Store.FollowingApprovals(ctx)
	if err != nil {
		return fmt.Errorf("commands: approvals being followed: %w", err)
	}
	for _, a := range following {
		c.resume(ctx, a)
	}
	every := rt.sweepEvery
	if every <= 0 {
		every = DefaultExpirySweep
	}
	rt.spawn(ctx, func(ctx context.Context) {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := c.sweepExpired(ctx); err != nil && ctx.Err() == nil {
					c.log.WarnContext(ctx, "approval expiry sweep failed", "err", err)
				}
			}
		}
	})
	return nil
}

// Close stops the background work of the approvals (follow-ups and the
// sweep) and waits for it. Follow-ups save their progress and resume at
// the next Start. Close is idempotent.
func (c *Core) Close() {
	rt := c.runtime()
	rt.mu.Lock()
	rt.closed = true
	if rt.stop != nil {
		rt.stop()
	}
	rt.mu.Unlock()
	rt.wg.Wait()
}

// Wait blocks until the background work has ended (after the context
// given to Start ends, or Close).
func (c *Core) Wait() { c.runtime().wg.Wait() }

// sweepExpired expires overdue pending requests and updates their
// messages.
func (c *Core) sweepExpired(ctx context.Context) error {
	expired, err := c.cfg.Store.ExpirePending(ctx)
	if err != nil {
		return fmt.Errorf("commands: expire approvals: %w", err)
	}
	for i := range expired {
		a := &expired[i]
		p, _ := planOf(a)
		c.observeApproval(string(store.StateExpired))
		c.audit(ctx, a.Team, systemActor, auditAction("expire", a), a.Summary, "expired without a decision", nil)
		c.publish(ctx, a, p, nil, "")
	}
	return nil
}

// interrupted shows a request a stopped process left behind.
func (c *Core) interrupted(ctx context.Context, a *store.Approval) {
	p, _ := planOf(a)
	c.observeApproval(string(store.StateInterrupted))
	c.audit(ctx, a.Team, systemActor, auditAction("interrupt", a), a.Summary, "interrupted by a restart; not re-run", nil)
	if c.publish(ctx, a, p, nil, "") || c.cfg.Notifier == nil {
		return
	}
	m := c.approvalMessage(a, p, nil, "")
	if err := c.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, m); err != nil {
		c.log.WarnContext(ctx, "cannot tell the requester about an interrupted request", "id", a.ID, "err", err)
	}
}

// resume follows again the operations of a request executed before a
// restart.
func (c *Core) resume(ctx context.Context, a store.Approval) {
	p, _ := planOf(&a)
	pr, err := decodeProgress(a.Progress)
	if err != nil || len(a.Progress) == 0 {
		c.log.WarnContext(ctx, "cannot resume following an approval", "id", a.ID, "err", err)
		_ = c.cfg.Store.SetProgress(ctx, a.ID, a.Progress, true)
		return
	}
	c.follow(ctx, a, p, pr)
}

// planOf decodes the stored plan of a (the action and target only when
// it cannot be read).
func planOf(a *store.Approval) (Plan, error) {
	var p Plan
	if err := json.Unmarshal(a.Params, &p); err != nil {
		return Plan{Action: a.Action, Target: a.Target}, err
	}
	return p, nil
}

// runtime returns the approvals runtime of c (its field in Core).
func (c *Core) runtime() *approvalRuntime { return &c.approvals }

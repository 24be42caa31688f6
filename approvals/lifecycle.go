package approvals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paasbot/paasbot/internal/clock"
	"github.com/paasbot/paasbot/store"
)

// Start prepares the requests after a (re)start and starts the engine's
// background work; call it once, before serving, with a context that ends
// at shutdown, and Close after. It expires overdue requests and updates
// their messages; marks requests a stopped process left approved or
// executing as interrupted, updates their messages ("check in Gandi
// whether it ran") and never re-runs them; resumes following the
// operations of executed requests; and starts a sweep that expires
// requests as their deadline passes. Errors are the store's.
func (e *Engine) Start(ctx context.Context) error {
	rt := e.runtime()
	rt.mu.Lock()
	if rt.started || rt.closed {
		rt.mu.Unlock()
		return errors.New("approvals: Engine.Start called twice or after Close")
	}
	rt.started = true
	if rt.stop != nil {
		rt.stop() // a follow-up started before Start, on a detached context
	}
	rt.base, rt.stop = context.WithCancel(ctx)
	rt.mu.Unlock()

	if err := e.sweepExpired(ctx); err != nil {
		return err
	}
	interrupted, err := e.cfg.Store.InterruptExecuting(ctx)
	if err != nil {
		return fmt.Errorf("approvals: interrupt executing approvals: %w", err)
	}
	for i := range interrupted {
		e.interrupted(ctx, &interrupted[i])
	}
	following, err := e.cfg.Store.FollowingApprovals(ctx)
	if err != nil {
		return fmt.Errorf("approvals: approvals being followed: %w", err)
	}
	for _, a := range following {
		e.resume(ctx, a)
	}
	rt.spawn(ctx, func(ctx context.Context) {
		clock.Every(ctx, e.cfg.SweepEvery, func(ctx context.Context) {
			if err := e.sweepExpired(ctx); err != nil && ctx.Err() == nil {
				e.log.WarnContext(ctx, "approval expiry sweep failed", "err", err)
			}
		})
	})
	return nil
}

// Close stops the background work of the approvals (follow-ups and the
// sweep) and waits for it. Follow-ups save their progress and resume at
// the next Start. Close is idempotent.
func (e *Engine) Close() {
	rt := e.runtime()
	rt.mu.Lock()
	rt.closed = true
	if rt.stop != nil {
		rt.stop()
	}
	rt.mu.Unlock()
	rt.wg.Wait()
}

// WaitFollowUps blocks until no operation is being followed any more (the
// follow-ups started so far have ended) or ctx ends, whose error it then
// returns. The shell uses it at the end of a piped session so that the
// last request's outcome is shown before it exits.
func (e *Engine) WaitFollowUps(ctx context.Context) error {
	rt := e.runtime()
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

// sweepExpired expires overdue pending requests and updates their
// messages.
func (e *Engine) sweepExpired(ctx context.Context) error {
	expired, err := e.cfg.Store.ExpirePending(ctx)
	if err != nil {
		return fmt.Errorf("approvals: expire approvals: %w", err)
	}
	for i := range expired {
		a := &expired[i]
		p, _ := planOf(a)
		e.observeApproval(string(store.StateExpired))
		e.audit(ctx, a.Team, systemActor, auditAction("expire", a), a.Summary, "expired without a decision", nil)
		e.publish(ctx, a, p, nil, "")
	}
	return nil
}

// interrupted shows a request a stopped process left behind.
func (e *Engine) interrupted(ctx context.Context, a *store.Approval) {
	p, _ := planOf(a)
	e.observeApproval(string(store.StateInterrupted))
	e.audit(ctx, a.Team, systemActor, auditAction("interrupt", a), a.Summary, "interrupted by a restart; not re-run", nil)
	if e.publish(ctx, a, p, nil, "") || e.cfg.Notifier == nil {
		return
	}
	m := e.approvalMessage(a, p, nil, "")
	if err := e.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, m); err != nil {
		e.log.WarnContext(ctx, "cannot tell the requester about an interrupted request", "id", a.ID, "err", err)
	}
}

// resume follows again the operations of a request executed before a
// restart.
func (e *Engine) resume(ctx context.Context, a store.Approval) {
	p, _ := planOf(&a)
	pr, err := decodeProgress(a.Progress)
	if err != nil || len(a.Progress) == 0 {
		e.log.WarnContext(ctx, "cannot resume following an approval", "id", a.ID, "err", err)
		_ = e.cfg.Store.SetProgress(ctx, a.ID, a.Progress, true)
		return
	}
	e.follow(ctx, a, p, pr)
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

package approvals

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/paasbot/paasbot/internal/clock"
	"github.com/paasbot/paasbot/store"
)

// Start starts the engine's part in the leases of DESIGN §11 and its
// background work; call it once, before serving, with a context that ends
// at shutdown, and Close after. It first settles what stopped processes
// left behind (Recover: their leases lapsed): a request approved or
// executing but never sent is offered again to its approvers, one sent
// becomes interrupted and is never re-run, a follow-up is taken over; the
// work of a process still alive beside this one is left alone. Then it
// runs the expiry sweep once and starts, until ctx ends: the heartbeat
// that renews this process's leases (every Config.HeartbeatEvery), the
// recovery pass (every Config.RecoverEvery) and the expiry sweep (every
// Config.SweepEvery, under a named lease, so that one process sweeps at a
// time). Errors are the store's.
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

	if err := e.recoverLapsed(ctx); err != nil {
		return err
	}
	if err := e.sweep(ctx); err != nil {
		return err
	}
	loops := []struct {
		every time.Duration
		fn    func(context.Context) error
		what  string
	}{
		{e.cfg.HeartbeatEvery, e.heartbeat, "heartbeat of the approvals' leases"},
		{e.cfg.RecoverEvery, e.recoverLapsed, "recovery of lapsed approvals"},
		{e.cfg.SweepEvery, e.sweep, "approval expiry sweep"},
	}
	for _, l := range loops {
		rt.spawn(ctx, func(ctx context.Context) {
			clock.Every(ctx, l.every, func(ctx context.Context) {
				if err := l.fn(ctx); err != nil && ctx.Err() == nil {
					e.log.WarnContext(ctx, l.what+" failed", "err", err)
				}
			})
		})
	}
	// At shutdown the sweep's lease is given up, so that another process
	// sweeps at once rather than once it lapses.
	rt.spawn(ctx, func(ctx context.Context) {
		<-ctx.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
		defer cancel()
		if err := e.cfg.Store.ReleaseLease(ctx, sweepLease); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			e.log.WarnContext(ctx, "cannot give the sweep's lease up", "err", err)
		}
	})
	return nil
}

// Close stops the background work of the approvals (follow-ups, the
// heartbeat, recovery and the sweep, whose lease it gives up) and waits
// for it. Follow-ups save their progress; once this process's leases
// lapse, the next recovery (another replica's, or the next start's)
// resumes them. Close is idempotent.
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

// planOf decodes the stored plan of a (the action and target only when
// it cannot be read).
func planOf(a *store.Approval) (Plan, error) {
	var p Plan
	if err := json.Unmarshal(a.Params, &p); err != nil {
		return Plan{Action: a.Action, Target: a.Target}, err
	}
	return p, nil
}

package approvals

import (
	"context"
	"fmt"

	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// The engine's share of the leases (store's package documentation has the
// model). This process holds what it executes and follows, and renews it
// all with one heartbeat; every process looks for the work of stopped
// ones and settles it; one process at a time, under a named lease, does
// the singleton work of the sweep.

// sweepLease names the lease under which one process at a time sweeps.
const sweepLease = "approvals/sweep"

// heartbeat renews every lease this process holds: the requests it
// approved, executes or follows, its named leases (the sweep's), and
// whatever else holds leases through the same store (alert slot claims).
func (e *Engine) heartbeat(ctx context.Context) error {
	if _, err := e.cfg.Store.Heartbeat(ctx); err != nil {
		return fmt.Errorf("approvals: heartbeat: %w", err)
	}
	return nil
}

// recoverLapsed settles the work of processes whose leases lapsed, and
// tells people: a request approved or executing but never sent is pending
// again (its approvers are asked again, nothing was sent), one that was
// sent is interrupted (check in Gandi, never re-run), a follow-up is
// taken over by this process. The store writes the audit lines with the
// moves, in one transaction.
func (e *Engine) recoverLapsed(ctx context.Context) error {
	r, err := e.cfg.Store.Recover(ctx, store.RecoverOptions{ReofferTTL: e.cfg.TTL})
	if err != nil {
		return fmt.Errorf("approvals: recover lapsed leases: %w", err)
	}
	for i := range r.Reoffered {
		e.reoffered(ctx, &r.Reoffered[i])
	}
	for i := range r.Interrupted {
		e.interrupted(ctx, &r.Interrupted[i])
	}
	for _, a := range r.TakenOver {
		e.resume(ctx, a)
	}
	return nil
}

// reofferedText is the status of a request offered again after the
// process that was about to run it stopped.
const reofferedText = "⚠ Offered again: the process running it after its approval stopped before sending anything to Gandi. Nothing was sent and nothing was billed; it needs an approval again."

// reoffered shows a request that is pending again, buttons included, in
// its message (or privately to its requester when it has none).
func (e *Engine) reoffered(ctx context.Context, a *store.Approval) {
	p, _ := planOf(a)
	e.observeApproval(string(store.StatePending))
	e.log.WarnContext(ctx, "an approved request was never sent by the process that stopped; offered again", "id", a.ID)
	e.tell(ctx, a, p, reofferedText)
	e.notifyDeciders(ctx, a, p, false)
	e.changed(ctx, a)
}

// interrupted shows a request a stopped process left after sending it:
// it may have run, a person checks, and it is never re-run.
func (e *Engine) interrupted(ctx context.Context, a *store.Approval) {
	p, _ := planOf(a)
	e.observeApproval(string(store.StateInterrupted))
	e.log.WarnContext(ctx, "an approved request was sent by a process that stopped before its answer; interrupted", "id", a.ID)
	e.tell(ctx, a, p, "")
	e.ended(ctx, a, p, nil, "")
}

// tell updates a's message (status override, "" for its state's own) or,
// when it has none or the update fails, tells the requester privately.
func (e *Engine) tell(ctx context.Context, a *store.Approval, p Plan, override string) {
	if e.publish(ctx, a, p, nil, override) || e.cfg.Notifier == nil || (e.canDM() && a.State == store.StateInterrupted) {
		return
	}
	m := e.approvalMessage(a, p, nil, override)
	m.Visibility = reply.Private
	if err := e.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, m); err != nil {
		e.log.WarnContext(ctx, "cannot tell the requester about a recovered request", "id", a.ID, "state", a.State, "err", err)
	}
}

// resume follows the operations of a request this process took over.
func (e *Engine) resume(ctx context.Context, a store.Approval) {
	p, _ := planOf(&a)
	pr, err := decodeProgress(a.Progress)
	if err != nil || len(a.Progress) == 0 {
		e.log.WarnContext(ctx, "cannot resume following an approval", "id", a.ID, "err", err)
		if err := e.cfg.Store.ProgressHeld(ctx, a.ID, a.Progress, true); err != nil {
			e.log.WarnContext(ctx, "cannot end the follow-up of an approval", "id", a.ID, "err", err)
		}
		return
	}
	e.log.InfoContext(ctx, "following the operations of an approval whose process stopped", "id", a.ID)
	e.follow(ctx, a, p, pr)
}

// sweepStep is one piece of the singleton work done under the sweep's
// lease.
type sweepStep func(ctx context.Context) error

// sweepSteps are the steps of the sweep, in order, so that one process at
// a time expires requests and sends reminders.
func (e *Engine) sweepSteps() []sweepStep { return []sweepStep{e.expireDue, e.remind} }

// sweep runs the sweep's steps if this process holds (or takes) the
// sweep's lease; another process's live lease means it sweeps instead.
func (e *Engine) sweep(ctx context.Context) error {
	held, err := e.cfg.Store.AcquireLease(ctx, sweepLease)
	if err != nil {
		return fmt.Errorf("approvals: sweep lease: %w", err)
	}
	if !held {
		return nil
	}
	for _, step := range e.sweepSteps() {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// expireDue expires overdue pending requests (each with its audit line,
// by the store) and updates their messages.
func (e *Engine) expireDue(ctx context.Context) error {
	expired, err := e.cfg.Store.ExpireDue(ctx, nil)
	if err != nil {
		return fmt.Errorf("approvals: expire approvals: %w", err)
	}
	for i := range expired {
		a := &expired[i]
		p, _ := planOf(a)
		e.observeApproval(string(store.StateExpired))
		e.publish(ctx, a, p, nil, "")
		e.decided(ctx, a, "")
	}
	return nil
}

// remind sends the one reminder of each pending request past 80% of its
// time to live to the people it waits for; MarkReminded makes it one,
// across processes. A confirm button is not reminded of: its requester
// has it in front of them.
func (e *Engine) remind(ctx context.Context) error {
	due, err := e.cfg.Store.DueReminders(ctx)
	if err != nil {
		return fmt.Errorf("approvals: due reminders: %w", err)
	}
	for i := range due {
		a := &due[i]
		first, err := e.cfg.Store.MarkReminded(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("approvals: reminder of %d: %w", a.ID, err)
		}
		if !first || !isPaid(a.Action) {
			continue
		}
		p, _ := planOf(a)
		if missed := e.notifyDeciders(ctx, a, p, true); len(missed) > 0 {
			e.log.WarnContext(ctx, "a reminder did not reach everyone", "id", a.ID, "missed", len(missed))
		}
	}
	return nil
}

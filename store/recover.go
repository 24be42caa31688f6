package store

import (
	"context"
	"fmt"
	"time"
)

// RecoverOptions tunes Recover.
type RecoverOptions struct {
	// ReofferTTL is the new time to live of a request offered again to
	// its approvers (default DefaultApprovalTTL; use the configured
	// PAASBOT_APPROVAL_TTL).
	ReofferTTL time.Duration
	// Audit builds the audit lines ("reoffer", "interrupt"); nil:
	// DefaultAuditLine.
	Audit AuditLine
}

// Recovered is what one Recover changed, each list by id, as stored after.
type Recovered struct {
	// Reoffered were approved or executing under a lapsed lease and never
	// sent: they are pending again with a fresh deadline and no decision;
	// nothing was sent. Tell their approvers.
	Reoffered []Approval
	// Interrupted were executing under a lapsed lease after MarkSent:
	// the call may have run. They are never re-run; tell people to check.
	Interrupted []Approval
	// TakenOver are done requests whose follow-up lease lapsed: this
	// holder now follows their operations (Progress holds where they
	// stand) under its own lease.
	TakenOver []Approval
}

// Empty reports whether nothing changed.
func (r Recovered) Empty() bool {
	return len(r.Reoffered) == 0 && len(r.Interrupted) == 0 && len(r.TakenOver) == 0
}

// Recover finds the work of processes that stopped (their lease lapsed:
// not renewed for LeaseTTL) and settles it, in one transaction, each
// request by one compare-and-set so that among processes recovering at
// once exactly one acts on it:
//
//   - approved or executing, never sent → pending again, offered to its
//     approvers (fresh deadline, decision and reminder cleared), with an
//     audit line;
//   - executing and sent → interrupted, with an audit line; never re-run;
//   - done with its operations still followed → taken over by this holder.
//
// A live lease is never touched, so a process starting beside a running
// one interrupts nothing of it; this holder's own requests are left to
// it (its Heartbeat renews them). Call it at start and at least every
// RecoverEvery. Requests that an older paasbot left without a lease count
// as lapsed (a request it left executing counts as sent).
func (d *DB) Recover(ctx context.Context, opts RecoverOptions) (Recovered, error) {
	ttl := opts.ReofferTTL
	if ttl <= 0 {
		ttl = DefaultApprovalTTL
	}
	var r Recovered
	err := d.inTx(ctx, func(tx *sqlTx) error {
		r = Recovered{}
		now := d.now()
		n, expires := nanos(now), now.Add(ttl)
		var err error
		r.Reoffered, err = d.updateReturning(ctx, tx,
			`state = ?, updated_at = ?, holder = '', lease_until = 0, decided_by = '', decided_at = NULL,
			expires_at = ?, remind_at = ?, reminded_at = NULL`,
			`state IN (?, ?) AND sent_at IS NULL AND lease_until <= ? AND holder <> ?`,
			StatePending, n, nanos(expires), nanos(reminderDue(now, expires)),
			StateApproved, StateExecuting, n, d.holder)
		if err != nil {
			return err
		}
		r.Interrupted, err = d.updateReturning(ctx, tx,
			`state = ?, updated_at = ?, holder = '', lease_until = 0`,
			`state = ? AND sent_at IS NOT NULL AND lease_until <= ? AND holder <> ?`,
			StateInterrupted, n, StateExecuting, n, d.holder)
		if err != nil {
			return err
		}
		r.TakenOver, err = d.updateReturning(ctx, tx,
			`holder = ?, lease_until = ?`,
			`state = ? AND follow_done = FALSE AND lease_until <= ? AND holder <> ?`,
			d.holder, nanos(now.Add(d.leaseTTL)), StateDone, n, d.holder)
		if err != nil {
			return err
		}
		for _, a := range r.Reoffered {
			if err := d.audit(ctx, tx, opts.Audit.entry("reoffer", a)); err != nil {
				return err
			}
		}
		for _, a := range r.Interrupted {
			if err := d.audit(ctx, tx, opts.Audit.entry("interrupt", a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Recovered{}, fmt.Errorf("store: recover lapsed leases: %w", err)
	}
	return r, nil
}

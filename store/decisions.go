package store

import (
	"context"
	"fmt"
)

// AuditLine builds the audit line of a state change the store makes and
// records in the same transaction. verb says what happened ("approve",
// "deny", "cancel", "expire", "reoffer", "interrupt"); a is the request as
// stored after the change. Zero fields of the entry it returns are filled
// from DefaultAuditLine. nil means DefaultAuditLine.
type AuditLine func(verb string, a Approval) AuditEntry

// SystemActor is the actor of the audit lines of changes paasbot makes by
// itself (expiry, recovery).
const SystemActor = "paasbot"

// DefaultAuditLine is the audit line the store writes when the caller
// gives none: team and target of the request, the decider (or paasbot) as
// actor, the action "<verb> <method> #<id>" and an outcome per verb.
func DefaultAuditLine(verb string, a Approval) AuditEntry {
	actor := SystemActor
	outcome := verb
	switch verb {
	case "approve":
		actor, outcome = a.DecidedBy, string(StateApproved)
	case "deny":
		actor, outcome = a.DecidedBy, string(StateDenied)
	case "cancel":
		actor, outcome = a.DecidedBy, string(StateCancelled)
	case "expire":
		outcome = "expired without a decision"
	case "reoffer":
		outcome = "offered again to its approvers: the process executing it stopped before sending it (nothing was sent)"
	case "interrupt":
		outcome = "interrupted: the process executing it stopped after sending it; not re-run, check in Gandi"
	}
	return AuditEntry{Team: a.Team, Actor: actor, Action: fmt.Sprintf("%s %s #%d", verb, a.Action, a.ID),
		Target: a.Summary, Outcome: outcome}
}

// entry is line's entry for verb and a, its zero fields defaulted.
func (line AuditLine) entry(verb string, a Approval) AuditEntry {
	def := DefaultAuditLine(verb, a)
	if line == nil {
		return def
	}
	e := line(verb, a)
	for _, f := range []struct {
		v   *string
		def string
	}{
		{&e.Team, def.Team}, {&e.Actor, def.Actor}, {&e.Action, def.Action}, {&e.Target, def.Target}, {&e.Outcome, def.Outcome},
	} {
		if *f.v == "" {
			*f.v = f.def
		}
	}
	return e
}

// decisionVerbs are the moves out of pending that Decide makes.
var decisionVerbs = map[ApprovalState]string{
	StateApproved: "approve", StateDenied: "deny", StateCancelled: "cancel", StateExpired: "expire",
}

// Decide moves a pending request to approved, denied or cancelled (before
// its deadline) or expired (after it), and appends its audit line, in one
// transaction: a decision is never without its line, nor a line without
// its decision. approved also gives the request to this holder under a
// lease (until now + LeaseTTL, renewed by Heartbeat) for ClaimExecution to
// take; if this process dies first, Recover offers it again. It returns
// the request as stored after.
//
// Errors: a *StateError (ErrConflict) with the current state when another
// decision won or the deadline passed (the request is then expired, with
// its own audit line); ErrInvalid for another target state; ErrNotFound.
func (d *DB) Decide(ctx context.Context, id int64, to ApprovalState, actor string, line AuditLine) (*Approval, error) {
	verb, ok := decisionVerbs[to]
	if !ok {
		return nil, invalidf("approval %d: %s is not a decision", id, to)
	}
	if to != StateExpired && actor == "" {
		return nil, invalidf("approval %d: a decision needs who made it", id)
	}
	var out *Approval
	var lost error
	err := d.inTx(ctx, func(tx *sqlTx) error {
		out, lost = nil, nil
		now := nanos(d.now())
		set, args := `state = ?, updated_at = ?`, []any{to, now}
		where, wargs := `id = ? AND state = ?`, []any{id, StatePending}
		switch to {
		case StateExpired:
			set += `, holder = '', lease_until = 0`
			where, wargs = where+` AND expires_at <= ?`, append(wargs, now)
		case StateApproved:
			set += `, decided_by = ?, decided_at = ?, holder = ?, lease_until = ?`
			args = append(args, actor, now, d.holder, nanos(d.now().Add(d.leaseTTL)))
			where, wargs = where+` AND expires_at > ?`, append(wargs, now)
		default:
			set += `, decided_by = ?, decided_at = ?`
			args = append(args, actor, now)
			where, wargs = where+` AND expires_at > ?`, append(wargs, now)
		}
		as, err := d.updateReturning(ctx, tx, set, where, append(args, wargs...)...)
		if err != nil {
			return err
		}
		if len(as) == 1 {
			out = &as[0]
			return d.audit(ctx, tx, line.entry(verb, as[0]))
		}
		cur, _, err := d.stateOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == StatePending && to != StateExpired {
			// Too late: expire it now, with its line.
			as, err := d.updateReturning(ctx, tx, `state = ?, updated_at = ?, holder = '', lease_until = 0`,
				`id = ? AND state = ? AND expires_at <= ?`, StateExpired, now, id, StatePending, now)
			if err != nil {
				return err
			}
			for _, a := range as {
				cur = a.State
				if err := d.audit(ctx, tx, line.entry("expire", a)); err != nil {
					return err
				}
			}
		}
		if to == StateExpired && cur == StatePending {
			lost = fmt.Errorf("store: approval %d is not past its deadline: %w", id, ErrConflict)
			return nil
		}
		lost = &StateError{ID: id, Want: StatePending, Current: cur}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: approval %d: %s: %w", id, verb, err)
	}
	if lost != nil {
		return nil, lost
	}
	return out, nil
}

// ExpireDue marks every pending request past its deadline expired and
// appends each one's audit line, in one transaction, and returns them (as
// stored after, by id) so that their messages can say so. Among processes
// sweeping at once, each request is expired, and audited, by one.
func (d *DB) ExpireDue(ctx context.Context, line AuditLine) ([]Approval, error) {
	var out []Approval
	err := d.inTx(ctx, func(tx *sqlTx) error {
		as, err := d.moveAll(ctx, "expire", tx, StateExpired, `state = ? AND expires_at <= ?`, StatePending, nanos(d.now()))
		if err != nil {
			return err
		}
		for _, a := range as {
			if err := d.audit(ctx, tx, line.entry("expire", a)); err != nil {
				return err
			}
		}
		out = as
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: expire approvals: %w", err)
	}
	return out, nil
}

// DueReminders lists the pending requests whose one reminder is due (80%
// of their time to live has passed, the deadline has not) and not yet
// claimed, oldest first. Post a reminder only for those MarkReminded
// gives true.
func (d *DB) DueReminders(ctx context.Context) ([]Approval, error) {
	now := nanos(d.now())
	as, err := d.queryApprovals(ctx, d.db, `state = ? AND reminded_at IS NULL AND remind_at <= ? AND expires_at > ?`,
		StatePending, now, now)
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	return as, nil
}

// MarkReminded claims the one reminder of pending request id: true for
// exactly one caller, across processes, while the request is pending and
// before its deadline; false when it was claimed already, or the request
// is no longer pending. ErrNotFound for an unknown id.
func (d *DB) MarkReminded(ctx context.Context, id int64) (bool, error) {
	now := nanos(d.now())
	res, err := d.db.ExecContext(ctx, `UPDATE approvals SET reminded_at = ?
		WHERE id = ? AND state = ? AND reminded_at IS NULL AND expires_at > ?`, now, id, StatePending, now)
	if err != nil {
		return false, fmt.Errorf("store: approval %d: mark reminded: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	if _, _, err := d.stateOf(ctx, d.db, id); err != nil {
		return false, err
	}
	return false, nil
}

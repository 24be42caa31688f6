package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Transition moves approval id from state from to state to in one
// compare-and-set UPDATE, so among concurrent callers exactly one wins.
// Leaving pending (except to expired) also requires the deadline not to
// have passed; a request found past it is marked expired. Decisions
// (approved, denied, cancelled) record actor and the time.
//
// Errors: ErrNotFound for an unknown id; a *StateError (errors.Is
// ErrConflict) with the current state when the caller lost; ErrInvalid for
// a move the state machine does not have.
func (d *DB) Transition(ctx context.Context, id int64, from, to ApprovalState, actor string) error {
	return d.transition(ctx, id, from, to, actor, "")
}

// Approve moves a pending, unexpired request to approved, recording who.
func (d *DB) Approve(ctx context.Context, id int64, actor string) error {
	return d.Transition(ctx, id, StatePending, StateApproved, actor)
}

// Deny moves a pending request to denied, recording who.
func (d *DB) Deny(ctx context.Context, id int64, actor string) error {
	return d.Transition(ctx, id, StatePending, StateDenied, actor)
}

// Cancel moves a pending request to cancelled (the requester withdrew it).
func (d *DB) Cancel(ctx context.Context, id int64, actor string) error {
	return d.Transition(ctx, id, StatePending, StateCancelled, actor)
}

// Claim moves an approved request to executing. Only the caller that gets
// nil may run the call; everyone else gets ErrConflict. It takes no lease
// and counts the request as sent at once (it has no MarkSent step), so a
// crash leaves it interrupted, never offered again; ClaimExecution is the
// leased form.
func (d *DB) Claim(ctx context.Context, id int64) error {
	return d.transition(ctx, id, StateApproved, StateExecuting, "", "sent_at = ?", nanos(d.now()))
}

// Finish moves an executing request to done and records the call's result.
func (d *DB) Finish(ctx context.Context, id int64, result json.RawMessage) error {
	if len(result) > 0 && !json.Valid(result) {
		return invalidf("result of approval %d is not JSON", id)
	}
	return d.transition(ctx, id, StateExecuting, StateDone, "", "result = ?", nullJSON(result))
}

// Fail moves an executing request to failed and records the error message
// (which must not contain a secret: it is shown in the channel).
func (d *DB) Fail(ctx context.Context, id int64, errMsg string) error {
	return d.transition(ctx, id, StateExecuting, StateFailed, "", "error = ?", errMsg)
}

// FailOperations moves a done request to failed when the operations its
// call started end in failure, and records why (shown in the channel: no
// secret). Gandi accepted the call, so it is never retried.
func (d *DB) FailOperations(ctx context.Context, id int64, errMsg string) error {
	return d.transition(ctx, id, StateDone, StateFailed, "", "error = ?", errMsg)
}

func (d *DB) transition(ctx context.Context, id int64, from, to ApprovalState, actor, set string, setArgs ...any) error {
	if !allowedTransition(from, to) {
		return invalidf("approval %d: no move from %s to %s", id, from, to)
	}
	now := nanos(d.now())
	var q strings.Builder
	args := []any{to, now}
	q.WriteString(`UPDATE approvals SET state = ?, updated_at = ?`)
	if isDecision(from, to) {
		q.WriteString(`, decided_by = ?, decided_at = ?`)
		args = append(args, actor, now)
	}
	if set != "" {
		q.WriteString(", " + set)
		args = append(args, setArgs...)
	}
	if endsLease(to) {
		q.WriteString(`, holder = '', lease_until = 0`)
	}
	q.WriteString(` WHERE id = ? AND state = ?`)
	args = append(args, id, from)
	deadline := from == StatePending && to != StateExpired
	if deadline {
		q.WriteString(` AND expires_at > ?`)
		args = append(args, now)
	}
	res, err := d.db.ExecContext(ctx, q.String(), args...)
	if err != nil {
		return fmt.Errorf("store: approval %d: %s → %s: %w", id, from, to, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	return d.lost(ctx, id, from, deadline)
}

// endsLease reports whether a request entering state to is held by nobody
// any more (done keeps its lease: its operations are being followed).
func endsLease(to ApprovalState) bool {
	switch to {
	case StateFailed, StateDenied, StateCancelled, StateExpired, StateInterrupted:
		return true
	}
	return false
}

// lost explains a compare-and-set that changed nothing.
func (d *DB) lost(ctx context.Context, id int64, want ApprovalState, deadline bool) error {
	var cur ApprovalState
	var expires int64
	err := d.db.QueryRowContext(ctx, `SELECT state, expires_at FROM approvals WHERE id = ?`, id).Scan(&cur, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: approval %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: approval %d: %w", id, err)
	}
	if deadline && cur == StatePending {
		// The deadline passed: say so, and record it.
		now := nanos(d.now())
		if _, err := d.db.ExecContext(ctx, `UPDATE approvals SET state = ?, updated_at = ?
			WHERE id = ? AND state = ? AND expires_at <= ?`, StateExpired, now, id, StatePending, now); err != nil {
			return fmt.Errorf("store: approval %d: expire: %w", id, err)
		}
		if err := d.db.QueryRowContext(ctx, `SELECT state FROM approvals WHERE id = ?`, id).Scan(&cur); err != nil {
			return fmt.Errorf("store: approval %d: %w", id, err)
		}
	}
	return &StateError{ID: id, Want: want, Current: cur}
}

// ExpireApprovals marks pending requests past their deadline expired and
// returns how many. ExpirePending does the same and returns them.
func (d *DB) ExpireApprovals(ctx context.Context) (int, error) {
	as, err := d.ExpirePending(ctx)
	return len(as), err
}

// ExpirePending marks pending requests past their deadline expired and
// returns them (as now stored), so their messages can be updated.
func (d *DB) ExpirePending(ctx context.Context) ([]Approval, error) {
	return d.moveAll(ctx, "expire", d.db, StateExpired, `state = ? AND expires_at <= ?`, StatePending, nanos(d.now()))
}

// InterruptExecuting is called at start-up: requests left executing (or
// approved but never claimed) by a process that stopped are marked
// interrupted and returned, for a human to verify what happened. They are
// never re-run. A request under the live lease of another process (see
// ClaimExecution and Heartbeat) is left alone: only one without a lease,
// or whose lease lapsed, is interrupted. Recover is the leased form, which
// also tells "never sent" apart.
func (d *DB) InterruptExecuting(ctx context.Context) ([]Approval, error) {
	return d.moveAll(ctx, "interrupt", d.db, StateInterrupted, `state IN (?, ?) AND lease_until <= ? AND holder <> ?`,
		StateExecuting, StateApproved, nanos(d.now()), d.holder)
}

// moveAll moves every approval matching where to state to, in one
// statement (a compare-and-set per row), and returns them as stored
// afterwards, by id.
func (d *DB) moveAll(ctx context.Context, what string, q queryer, to ApprovalState, where string, args ...any) ([]Approval, error) {
	set := `state = ?, updated_at = ?`
	if endsLease(to) {
		set += `, holder = '', lease_until = 0`
	}
	as, err := d.updateReturning(ctx, q, set, where, append([]any{to, nanos(d.now())}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: %s approvals: %w", what, err)
	}
	return as, nil
}

// updateReturning runs UPDATE approvals SET set WHERE where and returns
// the rows it changed, as stored afterwards, by id. args are those of set,
// then those of where.
func (d *DB) updateReturning(ctx context.Context, q queryer, set, where string, args ...any) ([]Approval, error) {
	out, err := queryAll(ctx, q, scanApproval, `UPDATE approvals SET `+set+` WHERE `+where+` RETURNING `+approvalCols, args...)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Approval) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
// nil may run the call; everyone else gets ErrConflict.
func (d *DB) Claim(ctx context.Context, id int64) error {
	return d.Transition(ctx, id, StateApproved, StateExecuting, "")
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
	return d.moveAll(ctx, "expire", StateExpired, `state = ? AND expires_at <= ?`, StatePending, nanos(d.now()))
}

// InterruptExecuting is called at start-up: requests left executing (or
// approved but never claimed) by a process that stopped are marked
// interrupted and returned, for a human to verify what happened. They are
// never re-run. Only one paasbot process may use a database.
func (d *DB) InterruptExecuting(ctx context.Context) ([]Approval, error) {
	return d.moveAll(ctx, "interrupt", StateInterrupted, `state IN (?, ?)`, StateExecuting, StateApproved)
}

// moveAll moves every approval matching where to state to, in one
// transaction, and returns them as stored afterwards.
func (d *DB) moveAll(ctx context.Context, what string, to ApprovalState, where string, args ...any) ([]Approval, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: %s approvals: %w", what, err)
	}
	defer func() { _ = tx.Rollback() }()
	as, err := d.queryApprovals(ctx, tx, where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s approvals: %w", what, err)
	}
	if len(as) == 0 {
		return nil, nil
	}
	now := d.now()
	uargs := append([]any{to, nanos(now)}, args...)
	if _, err := tx.ExecContext(ctx, `UPDATE approvals SET state = ?, updated_at = ? WHERE `+where, uargs...); err != nil {
		return nil, fmt.Errorf("store: %s approvals: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: %s approvals: %w", what, err)
	}
	for i := range as {
		as[i].State, as[i].UpdatedAt = to, fromNanos(nanos(now))
	}
	return as, nil
}

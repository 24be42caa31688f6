package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// The helpers of the state machine's moves: Decide, ExpireDue and Recover
// (decisions.go, recover.go), the holder-checked moves (execution.go).

// endsLease reports whether a request entering state to is held by nobody
// any more (done keeps its lease: its operations are being followed).
func endsLease(to ApprovalState) bool {
	switch to {
	case StateFailed, StateDenied, StateCancelled, StateExpired, StateInterrupted:
		return true
	}
	return false
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

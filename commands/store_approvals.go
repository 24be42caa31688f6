package commands

import (
	"context"
	"encoding/json"

	"github.com/paasbot/paasbot/store"
)

// ApprovalStore holds approval requests and moves them through their
// exactly-once state machine (pending → approved → executing → done|failed)
// by compare-and-set. *store.DB implements it.
type ApprovalStore interface {
	CreateApproval(ctx context.Context, a *store.Approval) (int64, error)
	Approval(ctx context.Context, id int64) (*store.Approval, error)
	PendingApprovals(ctx context.Context, team string) ([]store.Approval, error)
	Approve(ctx context.Context, id int64, actor string) error
	Deny(ctx context.Context, id int64, actor string) error
	Cancel(ctx context.Context, id int64, actor string) error
	Claim(ctx context.Context, id int64) error
	Finish(ctx context.Context, id int64, result json.RawMessage) error
	Fail(ctx context.Context, id int64, errMsg string) error
	// FailOperations marks a done request failed when its operations fail.
	FailOperations(ctx context.Context, id int64, errMsg string) error
	// Transition is the general compare-and-set; the core uses it for
	// executing → interrupted when a call's outcome is unknown.
	Transition(ctx context.Context, id int64, from, to store.ApprovalState, actor string) error
	SetApprovalMessage(ctx context.Context, id int64, channel, msgID string) error
	// SetProgress records the operations being followed (never a secret);
	// followDone ends the follow-up.
	SetProgress(ctx context.Context, id int64, progress json.RawMessage, followDone bool) error
	// FollowingApprovals lists executed requests still being followed, to
	// resume after a restart.
	FollowingApprovals(ctx context.Context) ([]store.Approval, error)
	// ExpirePending marks overdue pending requests expired and returns them.
	ExpirePending(ctx context.Context) ([]store.Approval, error)
	// InterruptExecuting marks requests left executing (or approved and
	// never claimed) by a stopped process interrupted and returns them.
	InterruptExecuting(ctx context.Context) ([]store.Approval, error)
}

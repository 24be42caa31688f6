package commands

import (
	"context"
	"encoding/json"

	"github.com/paasbot/paasbot/store"
)

// ApprovalStore holds approval requests and moves them through their
// exactly-once state machine (pending → approved → executing → done|failed)
// by compare-and-set. The approvals engineer may add methods here.
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
	SetApprovalMessage(ctx context.Context, id int64, channel, msgID string) error
}

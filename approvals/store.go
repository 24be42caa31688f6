package approvals

import (
	"context"
	"encoding/json"

	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// Store is what the engine keeps in the database; *store.DB implements it
// (the compile-time check is in cmd/paasbot). It holds the requests and
// moves them through their exactly-once state machine (pending → approved
// → executing → done | failed) by compare-and-set, reads the requester's
// API key, and appends to the audit log.
type Store interface {
	// APIKey returns the decrypted key of id: store.ErrNotFound when there
	// is none, store.ErrUndecryptable when it no longer opens.
	APIKey(ctx context.Context, id store.Identity) (secret.Value, store.KeyMeta, error)
	// Audit appends one line to the audit log (never a secret).
	Audit(ctx context.Context, e store.AuditEntry) error

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
	// Transition is the general compare-and-set; the engine uses it for
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

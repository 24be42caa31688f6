package approvals

import (
	"context"
	"encoding/json"

	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// Store is what the engine keeps in the database; *store.DB implements it
// (the compile-time check is in cmd/paasbot). It holds the requests and
// moves them through their exactly-once state machine by compare-and-set,
// each move after the approval checked against the lease of the process
// doing it (store's package documentation has the whole model); it reads
// the requester's API key and appends to the audit log.
type Store interface {
	// APIKey returns the decrypted key of id: store.ErrNotFound when there
	// is none, store.ErrUndecryptable when it no longer opens.
	APIKey(ctx context.Context, id store.Identity) (secret.Value, store.KeyMeta, error)
	// Audit appends one line to the audit log (never a secret).
	Audit(ctx context.Context, e store.AuditEntry) error

	CreateApproval(ctx context.Context, a *store.Approval) (int64, error)
	Approval(ctx context.Context, id int64) (*store.Approval, error)
	PendingApprovals(ctx context.Context, team string) ([]store.Approval, error)
	SetApprovalMessage(ctx context.Context, id int64, channel, msgID string) error

	// Decide moves a pending request to approved (leased to this
	// process), denied, cancelled or expired, with its audit line, in one
	// transaction.
	Decide(ctx context.Context, id int64, to store.ApprovalState, actor string, line store.AuditLine) (*store.Approval, error)
	// ClaimExecution moves an approved request to executing under this
	// process's lease; MarkSent records, just before the call leaves,
	// that it is being sent.
	ClaimExecution(ctx context.Context, id int64) error
	MarkSent(ctx context.Context, id int64) error
	// The outcome of the call, and the follow-up of its operations, each
	// checked against the holder: a process that lost the lease gets
	// store.ErrLeaseLost and what it brought is kept as a note.
	FinishHeld(ctx context.Context, id int64, result json.RawMessage) error
	FailHeld(ctx context.Context, id int64, errMsg string) error
	InterruptHeld(ctx context.Context, id int64, why string) error
	ProgressHeld(ctx context.Context, id int64, progress json.RawMessage, done bool) error
	FailOperationsHeld(ctx context.Context, id int64, progress json.RawMessage, errMsg string) error

	// Heartbeat renews every lease this process holds; Recover settles
	// the work of processes whose leases lapsed.
	Heartbeat(ctx context.Context) (store.Renewed, error)
	Recover(ctx context.Context, opts store.RecoverOptions) (store.Recovered, error)
	// AcquireLease and ReleaseLease hold the named lease of the sweep, so
	// that one process at a time expires requests.
	AcquireLease(ctx context.Context, name string) (bool, error)
	ReleaseLease(ctx context.Context, name string) error
	// ExpireDue marks overdue pending requests expired, each with its
	// audit line, and returns them.
	ExpireDue(ctx context.Context, line store.AuditLine) ([]store.Approval, error)
	// DueReminders lists the pending requests whose one reminder is due;
	// MarkReminded claims it, true for one caller across processes.
	DueReminders(ctx context.Context) ([]store.Approval, error)
	MarkReminded(ctx context.Context, id int64) (bool, error)
}

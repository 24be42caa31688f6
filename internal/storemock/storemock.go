// Package storemock holds a function-field fake of the store (WTF Dial's
// mock/ package): each method of DB calls the field of the same name with
// "Fn" appended, and a method whose field is nil fails with an error
// wrapping ErrNotFaked. DB implements the store interfaces that commands,
// approvals and alerts declare, so that their unit tests run without
// SQLite. It is safe for concurrent use when the functions are.
package storemock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// ErrNotFaked is what a method without its function answers.
var ErrNotFaked = errors.New("storemock: call not faked")

func notFaked(method string) error { return fmt.Errorf("%w: %s", ErrNotFaked, method) }

// DB fakes *store.DB.
type DB struct {
	APIKeyFn               func(context.Context, store.Identity) (secret.Value, store.KeyMeta, error)
	PutAPIKeyFn            func(context.Context, store.Identity, secret.Value) (string, error)
	DeleteAPIKeyFn         func(context.Context, store.Identity) error
	AuditFn                func(context.Context, store.AuditEntry) error
	RecentAuditFn          func(context.Context, string, int) ([]store.AuditEntry, error)
	CreateApprovalFn       func(context.Context, *store.Approval) (int64, error)
	ApprovalFn             func(context.Context, int64) (*store.Approval, error)
	PendingApprovalsFn     func(context.Context, string) ([]store.Approval, error)
	ApproveFn              func(context.Context, int64, string) error
	DenyFn                 func(context.Context, int64, string) error
	CancelFn               func(context.Context, int64, string) error
	ClaimFn                func(context.Context, int64) error
	FinishFn               func(context.Context, int64, json.RawMessage) error
	FailFn                 func(context.Context, int64, string) error
	FailOperationsFn       func(context.Context, int64, string) error
	TransitionFn           func(context.Context, int64, store.ApprovalState, store.ApprovalState, string) error
	SetApprovalMessageFn   func(context.Context, int64, string, string) error
	SetProgressFn          func(context.Context, int64, json.RawMessage, bool) error
	FollowingApprovalsFn   func(context.Context) ([]store.Approval, error)
	ExpirePendingFn        func(context.Context) ([]store.Approval, error)
	InterruptExecutingFn   func(context.Context) ([]store.Approval, error)
	CreateSubscriptionFn   func(context.Context, *store.Subscription) (int64, error)
	SubscriptionFn         func(context.Context, int64) (*store.Subscription, error)
	SubscriptionsFn        func(context.Context, string) ([]store.Subscription, error)
	DeleteSubscriptionFn   func(context.Context, string, int64) error
	TakeOverSubscriptionFn func(context.Context, int64, string) error
	ClaimSlotFn            func(context.Context, int64, time.Time) (bool, error)
	LastSlotFn             func(context.Context, int64) (time.Time, bool, error)
	FinishSlotFn           func(context.Context, int64, time.Time, string) error
	ReleaseSlotFn          func(context.Context, int64, time.Time) error
	PauseSubscriptionFn    func(context.Context, int64, string) (bool, error)
}

// APIKey calls APIKeyFn.
func (f *DB) APIKey(ctx context.Context, id store.Identity) (secret.Value, store.KeyMeta, error) {
	if f.APIKeyFn == nil {
		return "", store.KeyMeta{}, notFaked("APIKey")
	}
	return f.APIKeyFn(ctx, id)
}

// PutAPIKey calls PutAPIKeyFn.
func (f *DB) PutAPIKey(ctx context.Context, id store.Identity, apiKey secret.Value) (string, error) {
	if f.PutAPIKeyFn == nil {
		return "", notFaked("PutAPIKey")
	}
	return f.PutAPIKeyFn(ctx, id, apiKey)
}

// DeleteAPIKey calls DeleteAPIKeyFn.
func (f *DB) DeleteAPIKey(ctx context.Context, id store.Identity) error {
	if f.DeleteAPIKeyFn == nil {
		return notFaked("DeleteAPIKey")
	}
	return f.DeleteAPIKeyFn(ctx, id)
}

// Audit calls AuditFn.
func (f *DB) Audit(ctx context.Context, e store.AuditEntry) error {
	if f.AuditFn == nil {
		return notFaked("Audit")
	}
	return f.AuditFn(ctx, e)
}

// RecentAudit calls RecentAuditFn.
func (f *DB) RecentAudit(ctx context.Context, team string, n int) ([]store.AuditEntry, error) {
	if f.RecentAuditFn == nil {
		return nil, notFaked("RecentAudit")
	}
	return f.RecentAuditFn(ctx, team, n)
}

// CreateApproval calls CreateApprovalFn.
func (f *DB) CreateApproval(ctx context.Context, a *store.Approval) (int64, error) {
	if f.CreateApprovalFn == nil {
		return 0, notFaked("CreateApproval")
	}
	return f.CreateApprovalFn(ctx, a)
}

// Approval calls ApprovalFn.
func (f *DB) Approval(ctx context.Context, id int64) (*store.Approval, error) {
	if f.ApprovalFn == nil {
		return nil, notFaked("Approval")
	}
	return f.ApprovalFn(ctx, id)
}

// PendingApprovals calls PendingApprovalsFn.
func (f *DB) PendingApprovals(ctx context.Context, team string) ([]store.Approval, error) {
	if f.PendingApprovalsFn == nil {
		return nil, notFaked("PendingApprovals")
	}
	return f.PendingApprovalsFn(ctx, team)
}

// Approve calls ApproveFn.
func (f *DB) Approve(ctx context.Context, id int64, actor string) error {
	if f.ApproveFn == nil {
		return notFaked("Approve")
	}
	return f.ApproveFn(ctx, id, actor)
}

// Deny calls DenyFn.
func (f *DB) Deny(ctx context.Context, id int64, actor string) error {
	if f.DenyFn == nil {
		return notFaked("Deny")
	}
	return f.DenyFn(ctx, id, actor)
}

// Cancel calls CancelFn.
func (f *DB) Cancel(ctx context.Context, id int64, actor string) error {
	if f.CancelFn == nil {
		return notFaked("Cancel")
	}
	return f.CancelFn(ctx, id, actor)
}

// Claim calls ClaimFn.
func (f *DB) Claim(ctx context.Context, id int64) error {
	if f.ClaimFn == nil {
		return notFaked("Claim")
	}
	return f.ClaimFn(ctx, id)
}

// Finish calls FinishFn.
func (f *DB) Finish(ctx context.Context, id int64, result json.RawMessage) error {
	if f.FinishFn == nil {
		return notFaked("Finish")
	}
	return f.FinishFn(ctx, id, result)
}

// Fail calls FailFn.
func (f *DB) Fail(ctx context.Context, id int64, errMsg string) error {
	if f.FailFn == nil {
		return notFaked("Fail")
	}
	return f.FailFn(ctx, id, errMsg)
}

// FailOperations calls FailOperationsFn.
func (f *DB) FailOperations(ctx context.Context, id int64, errMsg string) error {
	if f.FailOperationsFn == nil {
		return notFaked("FailOperations")
	}
	return f.FailOperationsFn(ctx, id, errMsg)
}

// Transition calls TransitionFn.
func (f *DB) Transition(ctx context.Context, id int64, from store.ApprovalState, to store.ApprovalState, actor string) error {
	if f.TransitionFn == nil {
		return notFaked("Transition")
	}
	return f.TransitionFn(ctx, id, from, to, actor)
}

// SetApprovalMessage calls SetApprovalMessageFn.
func (f *DB) SetApprovalMessage(ctx context.Context, id int64, channel string, msgID string) error {
	if f.SetApprovalMessageFn == nil {
		return notFaked("SetApprovalMessage")
	}
	return f.SetApprovalMessageFn(ctx, id, channel, msgID)
}

// SetProgress calls SetProgressFn.
func (f *DB) SetProgress(ctx context.Context, id int64, progress json.RawMessage, followDone bool) error {
	if f.SetProgressFn == nil {
		return notFaked("SetProgress")
	}
	return f.SetProgressFn(ctx, id, progress, followDone)
}

// FollowingApprovals calls FollowingApprovalsFn.
func (f *DB) FollowingApprovals(ctx context.Context) ([]store.Approval, error) {
	if f.FollowingApprovalsFn == nil {
		return nil, notFaked("FollowingApprovals")
	}
	return f.FollowingApprovalsFn(ctx)
}

// ExpirePending calls ExpirePendingFn.
func (f *DB) ExpirePending(ctx context.Context) ([]store.Approval, error) {
	if f.ExpirePendingFn == nil {
		return nil, notFaked("ExpirePending")
	}
	return f.ExpirePendingFn(ctx)
}

// InterruptExecuting calls InterruptExecutingFn.
func (f *DB) InterruptExecuting(ctx context.Context) ([]store.Approval, error) {
	if f.InterruptExecutingFn == nil {
		return nil, notFaked("InterruptExecuting")
	}
	return f.InterruptExecutingFn(ctx)
}

// CreateSubscription calls CreateSubscriptionFn.
func (f *DB) CreateSubscription(ctx context.Context, s *store.Subscription) (int64, error) {
	if f.CreateSubscriptionFn == nil {
		return 0, notFaked("CreateSubscription")
	}
	return f.CreateSubscriptionFn(ctx, s)
}

// Subscription calls SubscriptionFn.
func (f *DB) Subscription(ctx context.Context, id int64) (*store.Subscription, error) {
	if f.SubscriptionFn == nil {
		return nil, notFaked("Subscription")
	}
	return f.SubscriptionFn(ctx, id)
}

// Subscriptions calls SubscriptionsFn.
func (f *DB) Subscriptions(ctx context.Context, team string) ([]store.Subscription, error) {
	if f.SubscriptionsFn == nil {
		return nil, notFaked("Subscriptions")
	}
	return f.SubscriptionsFn(ctx, team)
}

// DeleteSubscription calls DeleteSubscriptionFn.
func (f *DB) DeleteSubscription(ctx context.Context, team string, id int64) error {
	if f.DeleteSubscriptionFn == nil {
		return notFaked("DeleteSubscription")
	}
	return f.DeleteSubscriptionFn(ctx, team, id)
}

// TakeOverSubscription calls TakeOverSubscriptionFn.
func (f *DB) TakeOverSubscription(ctx context.Context, id int64, newOwner string) error {
	if f.TakeOverSubscriptionFn == nil {
		return notFaked("TakeOverSubscription")
	}
	return f.TakeOverSubscriptionFn(ctx, id, newOwner)
}

// ClaimSlot calls ClaimSlotFn.
func (f *DB) ClaimSlot(ctx context.Context, subID int64, slot time.Time) (bool, error) {
	if f.ClaimSlotFn == nil {
		return false, notFaked("ClaimSlot")
	}
	return f.ClaimSlotFn(ctx, subID, slot)
}

// LastSlot calls LastSlotFn.
func (f *DB) LastSlot(ctx context.Context, subID int64) (time.Time, bool, error) {
	if f.LastSlotFn == nil {
		return time.Time{}, false, notFaked("LastSlot")
	}
	return f.LastSlotFn(ctx, subID)
}

// FinishSlot calls FinishSlotFn.
func (f *DB) FinishSlot(ctx context.Context, subID int64, slot time.Time, outcome string) error {
	if f.FinishSlotFn == nil {
		return notFaked("FinishSlot")
	}
	return f.FinishSlotFn(ctx, subID, slot, outcome)
}

// ReleaseSlot calls ReleaseSlotFn.
func (f *DB) ReleaseSlot(ctx context.Context, subID int64, slot time.Time) error {
	if f.ReleaseSlotFn == nil {
		return notFaked("ReleaseSlot")
	}
	return f.ReleaseSlotFn(ctx, subID, slot)
}

// PauseSubscription calls PauseSubscriptionFn.
func (f *DB) PauseSubscription(ctx context.Context, id int64, reason string) (bool, error) {
	if f.PauseSubscriptionFn == nil {
		return false, notFaked("PauseSubscription")
	}
	return f.PauseSubscriptionFn(ctx, id, reason)
}

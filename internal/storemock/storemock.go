// Package storemock holds a function-field fake of the store (WTF Dial's
// mock/ package): each method of DB calls the field of the same name with
// "Fn" appended, and a method whose field is nil fails with an error
// wrapping testutil.ErrNotFaked naming it. DB implements the store
// interfaces that commands, approvals and alerts declare, so that their
// unit tests run without SQLite. It is safe for concurrent use when the
// functions are.
package storemock

import (
	"context"
	"encoding/json"
	"time"

	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

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
	return testutil.Fn(f.APIKeyFn, "APIKey")(ctx, id)
}

// PutAPIKey calls PutAPIKeyFn.
func (f *DB) PutAPIKey(ctx context.Context, id store.Identity, apiKey secret.Value) (string, error) {
	return testutil.Fn(f.PutAPIKeyFn, "PutAPIKey")(ctx, id, apiKey)
}

// DeleteAPIKey calls DeleteAPIKeyFn.
func (f *DB) DeleteAPIKey(ctx context.Context, id store.Identity) error {
	return testutil.Fn(f.DeleteAPIKeyFn, "DeleteAPIKey")(ctx, id)
}

// Audit calls AuditFn.
func (f *DB) Audit(ctx context.Context, e store.AuditEntry) error {
	return testutil.Fn(f.AuditFn, "Audit")(ctx, e)
}

// RecentAudit calls RecentAuditFn.
func (f *DB) RecentAudit(ctx context.Context, team string, n int) ([]store.AuditEntry, error) {
	return testutil.Fn(f.RecentAuditFn, "RecentAudit")(ctx, team, n)
}

// CreateApproval calls CreateApprovalFn.
func (f *DB) CreateApproval(ctx context.Context, a *store.Approval) (int64, error) {
	return testutil.Fn(f.CreateApprovalFn, "CreateApproval")(ctx, a)
}

// Approval calls ApprovalFn.
func (f *DB) Approval(ctx context.Context, id int64) (*store.Approval, error) {
	return testutil.Fn(f.ApprovalFn, "Approval")(ctx, id)
}

// PendingApprovals calls PendingApprovalsFn.
func (f *DB) PendingApprovals(ctx context.Context, team string) ([]store.Approval, error) {
	return testutil.Fn(f.PendingApprovalsFn, "PendingApprovals")(ctx, team)
}

// Approve calls ApproveFn.
func (f *DB) Approve(ctx context.Context, id int64, actor string) error {
	return testutil.Fn(f.ApproveFn, "Approve")(ctx, id, actor)
}

// Deny calls DenyFn.
func (f *DB) Deny(ctx context.Context, id int64, actor string) error {
	return testutil.Fn(f.DenyFn, "Deny")(ctx, id, actor)
}

// Cancel calls CancelFn.
func (f *DB) Cancel(ctx context.Context, id int64, actor string) error {
	return testutil.Fn(f.CancelFn, "Cancel")(ctx, id, actor)
}

// Claim calls ClaimFn.
func (f *DB) Claim(ctx context.Context, id int64) error {
	return testutil.Fn(f.ClaimFn, "Claim")(ctx, id)
}

// Finish calls FinishFn.
func (f *DB) Finish(ctx context.Context, id int64, result json.RawMessage) error {
	return testutil.Fn(f.FinishFn, "Finish")(ctx, id, result)
}

// Fail calls FailFn.
func (f *DB) Fail(ctx context.Context, id int64, errMsg string) error {
	return testutil.Fn(f.FailFn, "Fail")(ctx, id, errMsg)
}

// FailOperations calls FailOperationsFn.
func (f *DB) FailOperations(ctx context.Context, id int64, errMsg string) error {
	return testutil.Fn(f.FailOperationsFn, "FailOperations")(ctx, id, errMsg)
}

// Transition calls TransitionFn.
func (f *DB) Transition(ctx context.Context, id int64, from store.ApprovalState, to store.ApprovalState, actor string) error {
	return testutil.Fn(f.TransitionFn, "Transition")(ctx, id, from, to, actor)
}

// SetApprovalMessage calls SetApprovalMessageFn.
func (f *DB) SetApprovalMessage(ctx context.Context, id int64, channel string, msgID string) error {
	return testutil.Fn(f.SetApprovalMessageFn, "SetApprovalMessage")(ctx, id, channel, msgID)
}

// SetProgress calls SetProgressFn.
func (f *DB) SetProgress(ctx context.Context, id int64, progress json.RawMessage, followDone bool) error {
	return testutil.Fn(f.SetProgressFn, "SetProgress")(ctx, id, progress, followDone)
}

// FollowingApprovals calls FollowingApprovalsFn.
func (f *DB) FollowingApprovals(ctx context.Context) ([]store.Approval, error) {
	return testutil.Fn(f.FollowingApprovalsFn, "FollowingApprovals")(ctx)
}

// ExpirePending calls ExpirePendingFn.
func (f *DB) ExpirePending(ctx context.Context) ([]store.Approval, error) {
	return testutil.Fn(f.ExpirePendingFn, "ExpirePending")(ctx)
}

// InterruptExecuting calls InterruptExecutingFn.
func (f *DB) InterruptExecuting(ctx context.Context) ([]store.Approval, error) {
	return testutil.Fn(f.InterruptExecutingFn, "InterruptExecuting")(ctx)
}

// CreateSubscription calls CreateSubscriptionFn.
func (f *DB) CreateSubscription(ctx context.Context, s *store.Subscription) (int64, error) {
	return testutil.Fn(f.CreateSubscriptionFn, "CreateSubscription")(ctx, s)
}

// Subscription calls SubscriptionFn.
func (f *DB) Subscription(ctx context.Context, id int64) (*store.Subscription, error) {
	return testutil.Fn(f.SubscriptionFn, "Subscription")(ctx, id)
}

// Subscriptions calls SubscriptionsFn.
func (f *DB) Subscriptions(ctx context.Context, team string) ([]store.Subscription, error) {
	return testutil.Fn(f.SubscriptionsFn, "Subscriptions")(ctx, team)
}

// DeleteSubscription calls DeleteSubscriptionFn.
func (f *DB) DeleteSubscription(ctx context.Context, team string, id int64) error {
	return testutil.Fn(f.DeleteSubscriptionFn, "DeleteSubscription")(ctx, team, id)
}

// TakeOverSubscription calls TakeOverSubscriptionFn.
func (f *DB) TakeOverSubscription(ctx context.Context, id int64, newOwner string) error {
	return testutil.Fn(f.TakeOverSubscriptionFn, "TakeOverSubscription")(ctx, id, newOwner)
}

// ClaimSlot calls ClaimSlotFn.
func (f *DB) ClaimSlot(ctx context.Context, subID int64, slot time.Time) (bool, error) {
	return testutil.Fn(f.ClaimSlotFn, "ClaimSlot")(ctx, subID, slot)
}

// LastSlot calls LastSlotFn.
func (f *DB) LastSlot(ctx context.Context, subID int64) (time.Time, bool, error) {
	return testutil.Fn(f.LastSlotFn, "LastSlot")(ctx, subID)
}

// FinishSlot calls FinishSlotFn.
func (f *DB) FinishSlot(ctx context.Context, subID int64, slot time.Time, outcome string) error {
	return testutil.Fn(f.FinishSlotFn, "FinishSlot")(ctx, subID, slot, outcome)
}

// ReleaseSlot calls ReleaseSlotFn.
func (f *DB) ReleaseSlot(ctx context.Context, subID int64, slot time.Time) error {
	return testutil.Fn(f.ReleaseSlotFn, "ReleaseSlot")(ctx, subID, slot)
}

// PauseSubscription calls PauseSubscriptionFn.
func (f *DB) PauseSubscription(ctx context.Context, id int64, reason string) (bool, error) {
	return testutil.Fn(f.PauseSubscriptionFn, "PauseSubscription")(ctx, id, reason)
}

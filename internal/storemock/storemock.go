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
	SetApprovalMessageFn   func(context.Context, int64, string, string) error
	DecideFn               func(context.Context, int64, store.ApprovalState, string, store.AuditLine) (*store.Approval, error)
	ClaimExecutionFn       func(context.Context, int64) error
	MarkSentFn             func(context.Context, int64) error
	FinishHeldFn           func(context.Context, int64, json.RawMessage) error
	FailHeldFn             func(context.Context, int64, string) error
	InterruptHeldFn        func(context.Context, int64, string) error
	ProgressHeldFn         func(context.Context, int64, json.RawMessage, bool) error
	FailOperationsHeldFn   func(context.Context, int64, json.RawMessage, string) error
	HeartbeatFn            func(context.Context) (store.Renewed, error)
	RecoverFn              func(context.Context, store.RecoverOptions) (store.Recovered, error)
	AcquireLeaseFn         func(context.Context, string) (bool, error)
	ReleaseLeaseFn         func(context.Context, string) error
	ExpireDueFn            func(context.Context, store.AuditLine) ([]store.Approval, error)
	DueRemindersFn         func(context.Context) ([]store.Approval, error)
	MarkRemindedFn         func(context.Context, int64) (bool, error)
	CreateSubscriptionFn   func(context.Context, *store.Subscription) (int64, error)
	SubscriptionFn         func(context.Context, int64) (*store.Subscription, error)
	SubscriptionsFn        func(context.Context, string) ([]store.Subscription, error)
	DeleteSubscriptionFn   func(context.Context, string, int64) error
	TakeOverSubscriptionFn func(context.Context, int64, string) error
	ClaimSlotFn            func(context.Context, int64, time.Time) (bool, error)
	ClaimSlotLeasedFn      func(context.Context, int64, time.Time) (bool, error)
	BeginSlotPostFn        func(context.Context, int64, time.Time) error
	RecordSlotMessageFn    func(context.Context, int64, time.Time, string) error
	LapsedSlotsFn          func(context.Context) ([]store.SlotRun, error)
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

// SetApprovalMessage calls SetApprovalMessageFn.
func (f *DB) SetApprovalMessage(ctx context.Context, id int64, channel string, msgID string) error {
	return testutil.Fn(f.SetApprovalMessageFn, "SetApprovalMessage")(ctx, id, channel, msgID)
}

// Decide calls DecideFn.
func (f *DB) Decide(ctx context.Context, id int64, to store.ApprovalState, actor string, line store.AuditLine) (*store.Approval, error) {
	return testutil.Fn(f.DecideFn, "Decide")(ctx, id, to, actor, line)
}

// ClaimExecution calls ClaimExecutionFn.
func (f *DB) ClaimExecution(ctx context.Context, id int64) error {
	return testutil.Fn(f.ClaimExecutionFn, "ClaimExecution")(ctx, id)
}

// MarkSent calls MarkSentFn.
func (f *DB) MarkSent(ctx context.Context, id int64) error {
	return testutil.Fn(f.MarkSentFn, "MarkSent")(ctx, id)
}

// FinishHeld calls FinishHeldFn.
func (f *DB) FinishHeld(ctx context.Context, id int64, result json.RawMessage) error {
	return testutil.Fn(f.FinishHeldFn, "FinishHeld")(ctx, id, result)
}

// FailHeld calls FailHeldFn.
func (f *DB) FailHeld(ctx context.Context, id int64, errMsg string) error {
	return testutil.Fn(f.FailHeldFn, "FailHeld")(ctx, id, errMsg)
}

// InterruptHeld calls InterruptHeldFn.
func (f *DB) InterruptHeld(ctx context.Context, id int64, why string) error {
	return testutil.Fn(f.InterruptHeldFn, "InterruptHeld")(ctx, id, why)
}

// ProgressHeld calls ProgressHeldFn.
func (f *DB) ProgressHeld(ctx context.Context, id int64, progress json.RawMessage, done bool) error {
	return testutil.Fn(f.ProgressHeldFn, "ProgressHeld")(ctx, id, progress, done)
}

// FailOperationsHeld calls FailOperationsHeldFn.
func (f *DB) FailOperationsHeld(ctx context.Context, id int64, progress json.RawMessage, errMsg string) error {
	return testutil.Fn(f.FailOperationsHeldFn, "FailOperationsHeld")(ctx, id, progress, errMsg)
}

// Heartbeat calls HeartbeatFn.
func (f *DB) Heartbeat(ctx context.Context) (store.Renewed, error) {
	return testutil.Fn(f.HeartbeatFn, "Heartbeat")(ctx)
}

// Recover calls RecoverFn.
func (f *DB) Recover(ctx context.Context, opts store.RecoverOptions) (store.Recovered, error) {
	return testutil.Fn(f.RecoverFn, "Recover")(ctx, opts)
}

// AcquireLease calls AcquireLeaseFn.
func (f *DB) AcquireLease(ctx context.Context, name string) (bool, error) {
	return testutil.Fn(f.AcquireLeaseFn, "AcquireLease")(ctx, name)
}

// ReleaseLease calls ReleaseLeaseFn.
func (f *DB) ReleaseLease(ctx context.Context, name string) error {
	return testutil.Fn(f.ReleaseLeaseFn, "ReleaseLease")(ctx, name)
}

// ExpireDue calls ExpireDueFn.
func (f *DB) ExpireDue(ctx context.Context, line store.AuditLine) ([]store.Approval, error) {
	return testutil.Fn(f.ExpireDueFn, "ExpireDue")(ctx, line)
}

// DueReminders calls DueRemindersFn.
func (f *DB) DueReminders(ctx context.Context) ([]store.Approval, error) {
	return testutil.Fn(f.DueRemindersFn, "DueReminders")(ctx)
}

// MarkReminded calls MarkRemindedFn.
func (f *DB) MarkReminded(ctx context.Context, id int64) (bool, error) {
	return testutil.Fn(f.MarkRemindedFn, "MarkReminded")(ctx, id)
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

// ClaimSlotLeased calls ClaimSlotLeasedFn.
func (f *DB) ClaimSlotLeased(ctx context.Context, subID int64, slot time.Time) (bool, error) {
	return testutil.Fn(f.ClaimSlotLeasedFn, "ClaimSlotLeased")(ctx, subID, slot)
}

// BeginSlotPost calls BeginSlotPostFn.
func (f *DB) BeginSlotPost(ctx context.Context, subID int64, slot time.Time) error {
	return testutil.Fn(f.BeginSlotPostFn, "BeginSlotPost")(ctx, subID, slot)
}

// RecordSlotMessage calls RecordSlotMessageFn.
func (f *DB) RecordSlotMessage(ctx context.Context, subID int64, slot time.Time, ts string) error {
	return testutil.Fn(f.RecordSlotMessageFn, "RecordSlotMessage")(ctx, subID, slot, ts)
}

// LapsedSlots calls LapsedSlotsFn.
func (f *DB) LapsedSlots(ctx context.Context) ([]store.SlotRun, error) {
	return testutil.Fn(f.LapsedSlotsFn, "LapsedSlots")(ctx)
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

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SlotRun is one claimed alert slot, as stored. Times are UTC.
type SlotRun struct {
	SubscriptionID int64
	Slot           time.Time
	ClaimedAt      time.Time
	// Holder claimed it under a lease until LeaseUntil ("" and zero: a
	// claim of ClaimSlot, without a lease).
	Holder     string
	LeaseUntil time.Time
	// PostingAt is when its first message was about to be posted
	// (BeginSlotPost); MessageTS is that message's ts once posted
	// (RecordSlotMessage). Either makes the claim final.
	PostingAt  *time.Time
	MessageTS  string
	FinishedAt *time.Time
	Outcome    string
}

const slotCols = `subscription_id, slot, claimed_at, holder, lease_until, posting_at, message_ts, finished_at, outcome`

func scanSlot(sc interface{ Scan(...any) error }) (SlotRun, error) {
	var r SlotRun
	var slot, claimed, lease int64
	var posting, finished sql.NullInt64
	if err := sc.Scan(&r.SubscriptionID, &slot, &claimed, &r.Holder, &lease, &posting, &r.MessageTS, &finished, &r.Outcome); err != nil {
		return SlotRun{}, err
	}
	r.Slot, r.ClaimedAt = fromNanos(slot), fromNanos(claimed)
	if lease != 0 {
		r.LeaseUntil = fromNanos(lease)
	}
	r.PostingAt, r.FinishedAt = fromNullNanos(posting), fromNullNanos(finished)
	return r, nil
}

// ClaimSlotLeased is ClaimSlot under a lease: it claims the slot for this
// holder until now + LeaseTTL (Heartbeat renews it until FinishSlot) and
// reports whether this caller won it. It also takes over a claim whose
// holder stopped: one whose lease lapsed, that never began posting
// (BeginSlotPost) nor recorded a message, and is not finished. Among
// concurrent callers, on any number of processes, exactly one wins each
// claim or take-over; a claim of ClaimSlot (no lease) is never taken
// over. ErrNotFound if the subscription does not exist.
func (d *DB) ClaimSlotLeased(ctx context.Context, subID int64, slot time.Time) (bool, error) {
	now := d.now()
	res, err := d.db.ExecContext(ctx, `INSERT INTO subscription_runs (subscription_id, slot, claimed_at, holder, lease_until)
		SELECT id, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT) FROM subscriptions WHERE id = ?
		ON CONFLICT (subscription_id, slot) DO UPDATE SET claimed_at = excluded.claimed_at,
			holder = excluded.holder, lease_until = excluded.lease_until
		WHERE subscription_runs.finished_at IS NULL AND subscription_runs.posting_at IS NULL
			AND subscription_runs.message_ts = '' AND subscription_runs.holder <> ''
			AND subscription_runs.lease_until <= ?`,
		nanos(slot), nanos(now), d.holder, nanos(now.Add(d.leaseTTL)), subID, nanos(now))
	if err != nil {
		return false, fmt.Errorf("store: claim slot of subscription %d: %w", subID, err)
	}
	return d.subscriptionChanged(ctx, res, subID)
}

// BeginSlotPost marks, just before the first message of the slot's report
// is posted, that posting begins, and renews the lease: from then on the
// claim is never taken over (a slot is posted at most once), even if this
// process dies before RecordSlotMessage. It applies only while this
// holder's lease runs; *past it another process may have taken the claim,
// so do not post*: ErrLeaseLost. Calling it again is harmless.
func (d *DB) BeginSlotPost(ctx context.Context, subID int64, slot time.Time) error {
	now := nanos(d.now())
	res, err := d.db.ExecContext(ctx, `UPDATE subscription_runs SET posting_at = COALESCE(posting_at, ?), lease_until = ?
		WHERE subscription_id = ? AND slot = ? AND holder = ? AND finished_at IS NULL AND lease_until > ?`,
		now, nanos(d.now().Add(d.leaseTTL)), subID, nanos(slot), d.holder, now)
	if err != nil {
		return fmt.Errorf("store: begin posting slot of subscription %d: %w", subID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	return d.slotLost(ctx, subID, slot)
}

// RecordSlotMessage records the ts of the first message posted for the
// slot (later calls keep the first). The claim must be this holder's:
// ErrLeaseLost otherwise (another process took it over: with
// BeginSlotPost first, that cannot happen). ErrNotFound for a slot never
// claimed.
func (d *DB) RecordSlotMessage(ctx context.Context, subID int64, slot time.Time, ts string) error {
	if ts == "" {
		return invalidf("empty message ts")
	}
	res, err := d.db.ExecContext(ctx, `UPDATE subscription_runs SET message_ts = CASE WHEN message_ts = '' THEN ? ELSE message_ts END,
			posting_at = COALESCE(posting_at, ?)
		WHERE subscription_id = ? AND slot = ? AND holder = ?`,
		ts, nanos(d.now()), subID, nanos(slot), d.holder)
	if err != nil {
		return fmt.Errorf("store: record message of slot of subscription %d: %w", subID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	return d.slotLost(ctx, subID, slot)
}

// slotLost explains a slot change that did not apply.
func (d *DB) slotLost(ctx context.Context, subID int64, slot time.Time) error {
	r, err := d.SlotRun(ctx, subID, slot)
	if err != nil {
		return err
	}
	holder := r.Holder
	if holder == "" {
		holder = "no process"
	}
	state := "running"
	if r.FinishedAt != nil {
		state = "finished"
	}
	return fmt.Errorf("store: slot %s of subscription %d is %s and held by %s, not %s: %w",
		slot.UTC().Format(time.RFC3339), subID, state, holder, d.holder, ErrLeaseLost)
}

// SlotRun returns the claim of subID's slot, or ErrNotFound.
func (d *DB) SlotRun(ctx context.Context, subID int64, slot time.Time) (*SlotRun, error) {
	r, err := scanSlot(d.db.QueryRowContext(ctx, `SELECT `+slotCols+` FROM subscription_runs
		WHERE subscription_id = ? AND slot = ?`, subID, nanos(slot)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: slot %s of subscription %d: %w", slot.UTC().Format(time.RFC3339), subID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: slot of subscription %d: %w", subID, err)
	}
	return &r, nil
}

// LapsedSlots lists the claims ClaimSlotLeased would take over now (their
// holder stopped before posting anything), oldest slot first, for a
// process looking for work to take over (at least every RecoverEvery).
func (d *DB) LapsedSlots(ctx context.Context) ([]SlotRun, error) {
	out, err := queryAll(ctx, d.db, scanSlot, `SELECT `+slotCols+` FROM subscription_runs
		WHERE finished_at IS NULL AND posting_at IS NULL AND message_ts = '' AND holder <> '' AND lease_until <= ?
		ORDER BY slot, subscription_id`, nanos(d.now()))
	if err != nil {
		return nil, fmt.Errorf("store: lapsed slots: %w", err)
	}
	return out, nil
}

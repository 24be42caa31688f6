package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Subscription is a scheduled report posted to a channel, scanned with the
// owner's API key. Times are UTC.
type Subscription struct {
	ID           int64
	Team         string
	Channel      string
	Owner        string // Slack user id whose key is used
	Kind         string // expiry | upgrade | snapshots
	Schedule     string // cron expression
	TZ           string // IANA zone of the schedule ("" = the default)
	Params       json.RawMessage
	Paused       bool
	PausedReason string
	CreatedAt    time.Time
}

const subscriptionCols = `id, team, channel, owner, kind, schedule, tz, params, paused, paused_reason, created_at`

func scanSubscription(sc interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var params sql.NullString
	var created int64
	if err := sc.Scan(&s.ID, &s.Team, &s.Channel, &s.Owner, &s.Kind, &s.Schedule, &s.TZ, &params,
		&s.Paused, &s.PausedReason, &created); err != nil {
		return Subscription{}, err
	}
	s.Params, s.CreatedAt = rawJSON(params), fromNanos(created)
	return s, nil
}

// CreateSubscription stores s and returns its id (also set in s.ID, with
// s.CreatedAt). Team, Channel, Owner, Kind and Schedule are required and
// Params, if any, must be JSON (ErrInvalid). The store does not interpret
// Kind or Schedule: the alerts package validates them.
func (d *DB) CreateSubscription(ctx context.Context, s *Subscription) (int64, error) {
	if s.Team == "" || s.Channel == "" || s.Owner == "" || s.Kind == "" || strings.TrimSpace(s.Schedule) == "" {
		return 0, invalidf("subscription needs a team, channel, owner, kind and schedule")
	}
	if len(s.Params) > 0 && !json.Valid(s.Params) {
		return 0, invalidf("subscription params are not JSON")
	}
	now := fromNanos(nanos(d.now()))
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO subscriptions (team, channel, owner, kind, schedule, tz, params,
		paused, paused_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Team, s.Channel, s.Owner, s.Kind, s.Schedule, s.TZ, nullJSON(s.Params), s.Paused, s.PausedReason, nanos(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create subscription: %w", err)
	}
	s.ID, s.CreatedAt = id, now
	return id, nil
}

// Subscription returns the subscription with that id, or ErrNotFound.
func (d *DB) Subscription(ctx context.Context, id int64) (*Subscription, error) {
	s, err := scanSubscription(d.db.QueryRowContext(ctx, `SELECT `+subscriptionCols+` FROM subscriptions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: subscription %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: subscription %d: %w", id, err)
	}
	return &s, nil
}

// Subscriptions lists the subscriptions of team ("" = every team) by id.
func (d *DB) Subscriptions(ctx context.Context, team string) ([]Subscription, error) {
	out, err := queryAll(ctx, d.db, scanSubscription, `SELECT `+subscriptionCols+` FROM subscriptions
		WHERE (? = '' OR team = ?) ORDER BY id`, team, team)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	return out, nil
}

// DeleteSubscription removes subscription id of team and its run log. An id
// of another team is ErrNotFound, as is an unknown one.
func (d *DB) DeleteSubscription(ctx context.Context, team string, id int64) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM subscriptions WHERE team = ? AND id = ?`, team, id)
	if err != nil {
		return fmt.Errorf("store: delete subscription %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: subscription %d: %w", id, ErrNotFound)
	}
	return nil
}

// PauseSubscription pauses id with a reason to show (the owner's key was
// refused, the owner left…). changed is false when it was already paused,
// so the channel is told once. ErrNotFound for an unknown id.
func (d *DB) PauseSubscription(ctx context.Context, id int64, reason string) (changed bool, err error) {
	res, err := d.db.ExecContext(ctx, `UPDATE subscriptions SET paused = TRUE, paused_reason = ? WHERE id = ? AND paused = FALSE`, reason, id)
	if err != nil {
		return false, fmt.Errorf("store: pause subscription %d: %w", id, err)
	}
	return d.subscriptionChanged(ctx, res, id)
}

// ResumeSubscriptions un-pauses every subscription of owner in team (for
// example after the owner logged in again) and returns how many.
func (d *DB) ResumeSubscriptions(ctx context.Context, team, owner string) (int, error) {
	res, err := d.db.ExecContext(ctx, `UPDATE subscriptions SET paused = FALSE, paused_reason = ''
		WHERE team = ? AND owner = ? AND paused = TRUE`, team, owner)
	if err != nil {
		return 0, fmt.Errorf("store: resume subscriptions of %s/%s: %w", team, owner, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// TakeOverSubscription makes newOwner the owner of the paused subscription
// id (their key is used from now on) and un-pauses it. A running one is
// ErrConflict and keeps its owner: its key works, and switching it to
// another key would scan another account (DESIGN §7). The check and the
// change are one statement, so an owner who logs in again meanwhile keeps
// their alert. ErrNotFound for an unknown id.
func (d *DB) TakeOverSubscription(ctx context.Context, id int64, newOwner string) error {
	if newOwner == "" {
		return invalidf("empty new owner")
	}
	res, err := d.db.ExecContext(ctx, `UPDATE subscriptions SET owner = ?, paused = FALSE, paused_reason = ''
		WHERE id = ? AND paused = TRUE`, newOwner, id)
	if err != nil {
		return fmt.Errorf("store: take over subscription %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := d.Subscription(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("store: subscription %d is running, not paused: %w", id, ErrConflict)
}

// ClaimSlot records that subscription subID runs for the scheduled time
// slot and reports whether this caller won it: true for exactly one caller
// per (subscription, slot), across restarts and concurrent schedulers.
// ErrNotFound if the subscription does not exist.
func (d *DB) ClaimSlot(ctx context.Context, subID int64, slot time.Time) (bool, error) {
	res, err := d.db.ExecContext(ctx, `INSERT INTO subscription_runs (subscription_id, slot, claimed_at)
		SELECT id, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM subscriptions WHERE id = ?
		ON CONFLICT (subscription_id, slot) DO NOTHING`, nanos(slot), nanos(d.now()), subID)
	if err != nil {
		return false, fmt.Errorf("store: claim slot of subscription %d: %w", subID, err)
	}
	return d.subscriptionChanged(ctx, res, subID)
}

// LastSlot returns the latest slot claimed for subID; ok is false when none
// was (a new subscription).
func (d *DB) LastSlot(ctx context.Context, subID int64) (slot time.Time, ok bool, err error) {
	var n sql.NullInt64
	if err := d.db.QueryRowContext(ctx, `SELECT max(slot) FROM subscription_runs WHERE subscription_id = ?`, subID).Scan(&n); err != nil {
		return time.Time{}, false, fmt.Errorf("store: last slot of subscription %d: %w", subID, err)
	}
	if !n.Valid {
		return time.Time{}, false, nil
	}
	return fromNanos(n.Int64), true, nil
}

// FinishSlot records the outcome of a claimed slot ("posted", "empty",
// "error: …"). A claim of ClaimSlotLeased is finished only by its holder:
// ErrLeaseLost when another process took it over (its outcome is that
// process's to record). ErrNotFound if that slot was never claimed.
func (d *DB) FinishSlot(ctx context.Context, subID int64, slot time.Time, outcome string) error {
	res, err := d.db.ExecContext(ctx, `UPDATE subscription_runs SET outcome = ?, finished_at = ?
		WHERE subscription_id = ? AND slot = ? AND (holder = '' OR holder = ?)`, outcome, nanos(d.now()), subID, nanos(slot), d.holder)
	if err != nil {
		return fmt.Errorf("store: finish slot of subscription %d: %w", subID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return d.slotLost(ctx, subID, slot)
	}
	return nil
}

// ReleaseSlot gives back a claim whose run never finished (paasbot was
// stopping while it scanned), so that the slot is claimable again and the
// catch-up after a restart, or another replica's next tick, posts it,
// once. Its holder may release it after BeginSlotPost when it knows its
// post never left (cancelled before it was sent). A finished slot, or one
// that recorded its first message (RecordSlotMessage), is never released: it
// is ErrConflict and stays as it is, so a slot that was posted cannot be
// posted twice. A claim of ClaimSlotLeased is released only by its
// holder (ErrLeaseLost otherwise). ErrNotFound if the slot was never
// claimed.
func (d *DB) ReleaseSlot(ctx context.Context, subID int64, slot time.Time) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM subscription_runs
		WHERE subscription_id = ? AND slot = ? AND finished_at IS NULL AND message_ts = ''
			AND (holder = '' OR holder = ?)`, subID, nanos(slot), d.holder)
	if err != nil {
		return fmt.Errorf("store: release slot of subscription %d: %w", subID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	r, err := d.SlotRun(ctx, subID, slot)
	if err != nil {
		return err
	}
	if r.Holder != "" && r.Holder != d.holder {
		return d.slotLost(ctx, subID, slot)
	}
	return fmt.Errorf("store: slot %s of subscription %d already finished or posted: %w", slot.UTC().Format(time.RFC3339), subID, ErrConflict)
}

// PurgeRuns deletes run-log rows whose slot is older than keep, except the
// latest of each subscription (LastSlot keeps answering), and returns how
// many it deleted.
func (d *DB) PurgeRuns(ctx context.Context, keep time.Duration) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM subscription_runs AS r
		WHERE r.slot < ? AND r.slot < (SELECT max(slot) FROM subscription_runs WHERE subscription_id = r.subscription_id)`,
		nanos(d.now().Add(-keep)))
	if err != nil {
		return 0, fmt.Errorf("store: purge run log: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// subscriptionChanged reports whether res changed the row of subscription
// id (or its run); ErrNotFound when the subscription does not exist.
func (d *DB) subscriptionChanged(ctx context.Context, res sql.Result, id int64) (bool, error) {
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	if _, err := d.Subscription(ctx, id); err != nil {
		return false, err
	}
	return false, nil
}

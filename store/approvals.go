package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ApprovalState is where an approval request stands. The only moves are
//
//	pending   → approved | denied | cancelled | expired   (Decide, ExpireDue)
//	approved  → executing                                 (ClaimExecution)
//	approved  → pending                                   (Recover: never sent)
//	executing → done | failed | interrupted               (FinishHeld, FailHeld, InterruptHeld)
//	executing → pending | interrupted                     (Recover: never sent | sent)
//	done      → failed                                    (FailOperationsHeld: its operations failed)
//
// and each is a compare-and-set, so exactly one caller wins. The package
// documentation describes the leases and marks (sent, reminded) on top.
type ApprovalState string

// The approval states.
const (
	StatePending     ApprovalState = "pending"
	StateApproved    ApprovalState = "approved"
	StateExecuting   ApprovalState = "executing"
	StateDone        ApprovalState = "done"
	StateFailed      ApprovalState = "failed"
	StateDenied      ApprovalState = "denied"
	StateExpired     ApprovalState = "expired"
	StateInterrupted ApprovalState = "interrupted"
	StateCancelled   ApprovalState = "cancelled"
)

// DefaultApprovalTTL is how long a request stays pending when the caller
// gives no ExpiresAt.
const DefaultApprovalTTL = 24 * time.Hour

// Approval is a request for a paid or destructive call, waiting for (or
// past) a human decision. Times are UTC.
type Approval struct {
	ID        int64
	Team      string
	Channel   string
	Requester string
	Action    string          // the API method, e.g. "paas.renew"
	Target    string          // human label of what it acts on
	Params    json.RawMessage // call params; never a password or API key (refused)
	Summary   string
	State     ApprovalState
	CreatedAt time.Time
	ExpiresAt time.Time
	DecidedBy string
	DecidedAt *time.Time
	// MessageChannel and MessageID locate the posted request to update.
	MessageChannel string
	MessageID      string
	Result         json.RawMessage
	Error          string
	// Progress holds the operations being followed after execution;
	// FollowDone is set once they all reached a terminal step.
	Progress   json.RawMessage
	FollowDone bool
	UpdatedAt  time.Time
	// Holder is the process holding the request's lease (it approved it,
	// executes it, or follows its operations), "" when none; LeaseUntil
	// is when that lease lapses unless renewed (zero: none).
	Holder     string
	LeaseUntil time.Time
	// SentAt is when the call was about to leave (MarkSent); nil while
	// nothing was sent.
	SentAt *time.Time
	// RemindAt is when the one reminder is due (80% of the time to live);
	// RemindedAt is when it was claimed (MarkReminded), nil before.
	RemindAt   time.Time
	RemindedAt *time.Time
}

const approvalCols = `id, team, channel, requester, action, target, params, summary, state,
	created_at, expires_at, decided_by, decided_at, message_channel, message_id,
	result, error, progress, follow_done, updated_at, holder, lease_until, sent_at, remind_at, reminded_at`

func scanApproval(sc interface{ Scan(...any) error }) (Approval, error) {
	var a Approval
	var params, result, progress sql.NullString
	var created, expires, updated, lease, remind int64
	var decided, sent, reminded sql.NullInt64
	err := sc.Scan(&a.ID, &a.Team, &a.Channel, &a.Requester, &a.Action, &a.Target, &params, &a.Summary, &a.State,
		&created, &expires, &a.DecidedBy, &decided, &a.MessageChannel, &a.MessageID,
		&result, &a.Error, &progress, &a.FollowDone, &updated, &a.Holder, &lease, &sent, &remind, &reminded)
	if err != nil {
		return Approval{}, err
	}
	if lease != 0 {
		a.LeaseUntil = fromNanos(lease)
	}
	if remind != 0 {
		a.RemindAt = fromNanos(remind)
	}
	a.SentAt, a.RemindedAt = fromNullNanos(sent), fromNullNanos(reminded)
	a.Params, a.Result, a.Progress = rawJSON(params), rawJSON(result), rawJSON(progress)
	a.CreatedAt, a.ExpiresAt, a.UpdatedAt = fromNanos(created), fromNanos(expires), fromNanos(updated)
	a.DecidedAt = fromNullNanos(decided)
	return a, nil
}

func (d *DB) queryApprovals(ctx context.Context, q queryer, where string, args ...any) ([]Approval, error) {
	return queryAll(ctx, q, scanApproval, `SELECT `+approvalCols+` FROM approvals WHERE `+where+` ORDER BY id`, args...)
}

// CreateApproval stores a new pending request and returns its id. It fills
// in a's ID, State (pending), CreatedAt, UpdatedAt and, when zero,
// ExpiresAt (now + DefaultApprovalTTL). Team, Channel, Requester and Action
// are required; Params must be JSON and may not carry a password or API key
// (ErrInvalid).
func (d *DB) CreateApproval(ctx context.Context, a *Approval) (int64, error) {
	if a.Team == "" || a.Channel == "" || a.Requester == "" || a.Action == "" {
		return 0, invalidf("approval needs a team, channel, requester and action")
	}
	if err := checkApprovalParams(a.Params); err != nil {
		return 0, err
	}
	now := d.now()
	if a.ExpiresAt.IsZero() {
		a.ExpiresAt = now.Add(DefaultApprovalTTL)
	}
	if !a.ExpiresAt.After(now) {
		return 0, invalidf("approval deadline %s is not in the future", a.ExpiresAt.UTC().Format(time.RFC3339))
	}
	remind := reminderDue(now, a.ExpiresAt)
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO approvals (team, channel, requester, action, target, params, summary,
		state, created_at, expires_at, message_channel, message_id, updated_at, remind_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Team, a.Channel, a.Requester, a.Action, a.Target, nullJSON(a.Params), a.Summary,
		StatePending, nanos(now), nanos(a.ExpiresAt), a.MessageChannel, a.MessageID, nanos(now), nanos(remind)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create approval: %w", err)
	}
	a.ID, a.State = id, StatePending
	a.CreatedAt, a.UpdatedAt, a.ExpiresAt = fromNanos(nanos(now)), fromNanos(nanos(now)), fromNanos(nanos(a.ExpiresAt))
	a.DecidedBy, a.DecidedAt = "", nil
	a.Holder, a.LeaseUntil, a.SentAt, a.RemindAt, a.RemindedAt = "", time.Time{}, nil, fromNanos(nanos(remind)), nil
	return id, nil
}

// checkApprovalParams refuses params that are not JSON or that carry a
// password or API key anywhere: an approval is stored for a day and shown
// to approvers, and the password of a new instance is generated at
// execution instead.
func checkApprovalParams(p json.RawMessage) error {
	if len(p) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(p, &v); err != nil {
		return invalidf("approval params are not JSON: %v", err)
	}
	if k, ok := findKey(v, func(k string) bool {
		n := normalizeKey(k)
		return n == "password" || n == "apikey" || n == "passwd"
	}); ok {
		return invalidf("approval params may not hold %q: pass secrets at execution, not in the request", k)
	}
	return nil
}

// Approval returns the approval with that id, or ErrNotFound.
func (d *DB) Approval(ctx context.Context, id int64) (*Approval, error) {
	a, err := scanApproval(d.db.QueryRowContext(ctx, `SELECT `+approvalCols+` FROM approvals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: approval %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: approval %d: %w", id, err)
	}
	return &a, nil
}

// PendingApprovals lists the requests of team still awaiting a decision
// and not past their deadline, oldest first ("" = every team).
func (d *DB) PendingApprovals(ctx context.Context, team string) ([]Approval, error) {
	as, err := d.queryApprovals(ctx, d.db, `state = ? AND expires_at > ? AND (? = '' OR team = ?)`,
		StatePending, nanos(d.now()), team, team)
	if err != nil {
		return nil, fmt.Errorf("store: pending approvals: %w", err)
	}
	return as, nil
}

// SetApprovalMessage records where the request was posted, so later state
// changes can update that message. ErrNotFound if there is no such id.
func (d *DB) SetApprovalMessage(ctx context.Context, id int64, channel, msgID string) error {
	return d.updateApproval(ctx, id, "set message", `message_channel = ?, message_id = ?`, channel, msgID)
}

// reminderDue is when the one reminder of a request offered at from and
// expiring at until is due: at 80% of its time to live.
func reminderDue(from, until time.Time) time.Time {
	return from.Add(until.Sub(from) / 5 * 4)
}

func (d *DB) updateApproval(ctx context.Context, id int64, what, set string, args ...any) error {
	args = append(args, nanos(d.now()), id)
	res, err := d.db.ExecContext(ctx, `UPDATE approvals SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: approval %d: %s: %w", id, what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: approval %d: %w", id, ErrNotFound)
	}
	return nil
}

func rawJSON(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

func nullJSON(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

// ApprovalCounts returns how many approval requests are in each state (for
// the paasbot_approvals gauge). States with none are absent.
func (d *DB) ApprovalCounts(ctx context.Context) (map[string]int, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT state, count(*) FROM approvals GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: approval counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("store: approval counts: %w", err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: approval counts: %w", err)
	}
	return out, nil
}

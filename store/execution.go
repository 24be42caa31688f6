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

// The holder-checked life of a request after its approval (the package
// documentation has the whole model). Each method is one compare-and-set
// that names the holder, so a process that lost its lease can never move
// a request; what it brings back (a late answer) is kept as a note.

// ClaimExecution moves an approved request to executing under this
// holder's lease (until now + LeaseTTL), in one compare-and-set: only the
// caller that gets nil may go on to MarkSent and the call. The request
// must have been approved by this holder (Decide) or without a lease
// (Approve). Errors: a *StateError (ErrConflict) when it is no longer
// approved, a *LeaseError (ErrLeaseLost) when another holder has it,
// ErrNotFound.
func (d *DB) ClaimExecution(ctx context.Context, id int64) error {
	now := d.now()
	res, err := d.db.ExecContext(ctx, `UPDATE approvals SET state = ?, holder = ?, lease_until = ?, updated_at = ?
		WHERE id = ? AND state = ? AND (holder = ? OR holder = '')`,
		StateExecuting, d.holder, nanos(now.Add(d.leaseTTL)), nanos(now), id, StateApproved, d.holder)
	if err != nil {
		return fmt.Errorf("store: approval %d: claim for execution: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	cur, holder, err := d.stateOf(ctx, d.db, id)
	if err != nil {
		return err
	}
	if cur != StateApproved {
		return &StateError{ID: id, Want: StateApproved, Current: cur}
	}
	return &LeaseError{ID: id, Want: StateApproved, State: cur, Holder: holder}
}

// MarkSent records, just before the call leaves, that it is being sent,
// and renews the lease. It applies only while this holder's lease runs
// (not lapsed): past that point Recover may already treat the request as
// never sent and offer it again, so the call must not leave. After nil, a
// crash leaves the request interrupted, never offered again. Calling it
// again is harmless. Errors: *LeaseError (ErrLeaseLost): do not send.
func (d *DB) MarkSent(ctx context.Context, id int64) error {
	now := nanos(d.now())
	res, err := d.db.ExecContext(ctx, `UPDATE approvals SET sent_at = COALESCE(sent_at, ?), lease_until = ?, updated_at = ?
		WHERE id = ? AND state = ? AND holder = ? AND lease_until > ?`,
		now, nanos(d.now().Add(d.leaseTTL)), now, id, StateExecuting, d.holder, now)
	if err != nil {
		return fmt.Errorf("store: approval %d: mark sent: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	cur, holder, err := d.stateOf(ctx, d.db, id)
	if err != nil {
		return err
	}
	return &LeaseError{ID: id, Want: StateExecuting, State: cur, Holder: holder}
}

// FinishHeld moves a request this holder executes to done and records the
// call's result (JSON, no secret). The lease is renewed and kept: it now
// covers following the call's operations (ProgressHeld ends it). When the
// holder lost the request (it was recovered as interrupted meanwhile), the
// result is kept as a note and the request does not move: *LeaseError
// with Noted.
func (d *DB) FinishHeld(ctx context.Context, id int64, result json.RawMessage) error {
	if len(result) > 0 && !json.Valid(result) {
		return invalidf("result of approval %d is not JSON", id)
	}
	now := nanos(d.now())
	return d.held(ctx, id, heldChange{what: "finish", from: StateExecuting, to: StateDone,
		set:  `result = ?, sent_at = COALESCE(sent_at, ?), lease_until = ?`,
		args: []any{nullJSON(result), now, nanos(d.now().Add(d.leaseTTL))}, noteKind: NoteDone, note: string(result)})
}

// FailHeld moves a request this holder executes to failed (Gandi refused
// the call, or paasbot could not make it) with the message to show (no
// secret), and ends the lease. A holder that lost the request gets
// *LeaseError and the message is kept as a note.
func (d *DB) FailHeld(ctx context.Context, id int64, errMsg string) error {
	return d.held(ctx, id, heldChange{what: "fail", from: StateExecuting, to: StateFailed,
		set: `error = ?`, args: []any{errMsg}, noteKind: NoteFailed, note: errMsg})
}

// InterruptHeld moves a request this holder executes to interrupted: the
// call may have run but no answer came (timeout, cut connection); it is
// never re-run. why is shown (no secret). A holder that lost the request
// gets *LeaseError and why is kept as a note.
func (d *DB) InterruptHeld(ctx context.Context, id int64, why string) error {
	return d.held(ctx, id, heldChange{what: "interrupt", from: StateExecuting, to: StateInterrupted,
		set: `error = ?, sent_at = COALESCE(sent_at, ?)`, args: []any{why, nanos(d.now())}, noteKind: NoteInterrupted, note: why})
}

// ProgressHeld records the progress of the operations this holder follows
// (a done request, still followed) and renews the lease; done true ends
// the follow-up and the lease. A holder that lost the follow-up (another
// process took it over) gets *LeaseError, the step is kept as a note, and
// it must stop following.
func (d *DB) ProgressHeld(ctx context.Context, id int64, progress json.RawMessage, done bool) error {
	if len(progress) > 0 && !json.Valid(progress) {
		return invalidf("progress of approval %d is not JSON", id)
	}
	c := heldChange{what: "progress", from: StateDone, to: StateDone, following: true,
		set: `progress = ?, lease_until = ?`, args: []any{nullJSON(progress), nanos(d.now().Add(d.leaseTTL))},
		noteKind: NoteProgress, note: string(progress)}
	if done {
		c.set, c.args = `progress = ?, follow_done = TRUE, holder = '', lease_until = 0`, []any{nullJSON(progress)}
	}
	return d.held(ctx, id, c)
}

// FailOperationsHeld ends the follow-up of a done request this holder
// follows whose operations failed: it records the last progress and why
// (no secret), moves the request to failed and ends the lease, in one
// compare-and-set. A holder that lost the follow-up gets *LeaseError and
// why is kept as a note.
func (d *DB) FailOperationsHeld(ctx context.Context, id int64, progress json.RawMessage, errMsg string) error {
	if len(progress) > 0 && !json.Valid(progress) {
		return invalidf("progress of approval %d is not JSON", id)
	}
	return d.held(ctx, id, heldChange{what: "fail operations", from: StateDone, to: StateFailed, following: true,
		set: `progress = ?, follow_done = TRUE, error = ?`, args: []any{nullJSON(progress), errMsg},
		noteKind: NoteFailed, note: errMsg})
}

// heldChange is one holder-checked move of a request.
type heldChange struct {
	what      string
	from, to  ApprovalState
	following bool // the follow-up must still run (follow_done false)
	set       string
	args      []any
	noteKind  string
	note      string
}

// held applies c to request id when this holder holds it in state c.from;
// otherwise it keeps the note and returns a *LeaseError. The change and
// the note are one transaction.
func (d *DB) held(ctx context.Context, id int64, c heldChange) error {
	var lost *LeaseError
	err := d.inTx(ctx, func(tx *sqlTx) error {
		lost = nil
		now := d.now()
		var q strings.Builder
		q.WriteString(`UPDATE approvals SET state = ?, updated_at = ?, ` + c.set)
		if endsLease(c.to) {
			q.WriteString(`, holder = '', lease_until = 0`)
		}
		q.WriteString(` WHERE id = ? AND state = ? AND holder = ?`)
		if c.following {
			q.WriteString(` AND follow_done = FALSE`)
		}
		args := append(append([]any{c.to, nanos(now)}, c.args...), id, c.from, d.holder)
		res, err := tx.ExecContext(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		cur, holder, err := d.stateOf(ctx, tx, id)
		if err != nil {
			return err
		}
		lost = &LeaseError{ID: id, Want: c.from, State: cur, Holder: holder, Noted: true}
		_, err = tx.ExecContext(ctx, `INSERT INTO approval_notes (approval_id, holder, kind, body, at) VALUES (?, ?, ?, ?, ?)`,
			id, d.holder, c.noteKind, c.note, nanos(now))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return err
		}
		return fmt.Errorf("store: approval %d: %s: %w", id, c.what, err)
	}
	if lost != nil {
		return lost
	}
	return nil
}

// stateOf reads the state and holder of request id (ErrNotFound).
func (d *DB) stateOf(ctx context.Context, q queryer, id int64) (ApprovalState, string, error) {
	var cur ApprovalState
	var holder string
	err := q.QueryRowContext(ctx, `SELECT state, holder FROM approvals WHERE id = ?`, id).Scan(&cur, &holder)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("store: approval %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("store: approval %d: %w", id, err)
	}
	return cur, holder, nil
}

// The kinds of ApprovalNote.
const (
	NoteDone        = "done"        // Body: the result JSON
	NoteFailed      = "failed"      // Body: the error message
	NoteInterrupted = "interrupted" // Body: why
	NoteProgress    = "progress"    // Body: the progress JSON
)

// ApprovalNote is what a holder brought back for a request after it had
// lost the lease: kept for people to read, never applied.
type ApprovalNote struct {
	ID         int64
	ApprovalID int64
	Holder     string // the holder that brought it
	Kind       string // NoteDone, NoteFailed, NoteInterrupted, NoteProgress
	Body       string
	At         time.Time // UTC
}

// ApprovalNotes lists the notes of request id, oldest first (none: nil).
func (d *DB) ApprovalNotes(ctx context.Context, id int64) ([]ApprovalNote, error) {
	out, err := queryAll(ctx, d.db, scanNote, `SELECT id, approval_id, holder, kind, body, at FROM approval_notes
		WHERE approval_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: notes of approval %d: %w", id, err)
	}
	return out, nil
}

func scanNote(sc interface{ Scan(...any) error }) (ApprovalNote, error) {
	var n ApprovalNote
	var at int64
	err := sc.Scan(&n.ID, &n.ApprovalID, &n.Holder, &n.Kind, &n.Body, &at)
	n.At = fromNanos(at)
	return n, err
}

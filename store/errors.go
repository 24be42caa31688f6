package store

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotFound: no row with that id (or for that identity).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a compare-and-set lost, the row was not in the expected
	// state. The error is a *StateError carrying the current state.
	ErrConflict = errors.New("conflict")
	// ErrWrongSecret: the secret does not match the one the database was
	// created with (or last rotated to).
	ErrWrongSecret = errors.New("wrong secret")
	// ErrNewerSchema: the database was written by a newer paasbot.
	ErrNewerSchema = errors.New("database schema is newer than this paasbot")
	// ErrUndecryptable: a stored API key does not open under this secret and
	// identity (the row was tampered with or moved).
	ErrUndecryptable = errors.New("stored API key cannot be decrypted")
	// ErrInvalid: the caller passed something the store refuses (an empty
	// identity, params holding a password…). The message says what.
	ErrInvalid = errors.New("invalid")
)

// StateError is returned when an approval transition loses its
// compare-and-set: the approval was not in state Want (or its deadline had
// passed). errors.Is(err, ErrConflict) is true.
type StateError struct {
	ID      int64
	Want    ApprovalState // the state the caller expected
	Current ApprovalState // the state found after the update failed
}

func (e *StateError) Error() string {
	return fmt.Sprintf("approval %d is %s, not %s", e.ID, e.Current, e.Want)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *StateError) Is(target error) bool { return target == ErrConflict }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("store: %w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

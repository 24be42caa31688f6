package commands

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// Code classifies an Error so that transports and metrics can branch on it
// without parsing messages.
type Code string

const (
	EINVALID      Code = "invalid"      // the command or its arguments are wrong
	ENOTFOUND     Code = "not_found"    // the instance, vhost, approval… does not exist
	EUNAUTHORIZED Code = "unauthorized" // no key, a refused key, or not allowed to click
	ECONFLICT     Code = "conflict"     // the state changed under us (already approved…)
	EUNAVAILABLE  Code = "unavailable"  // Gandi is slow, rate limited or down; retry later
	EINTERNAL     Code = "internal"     // a bug or an unexpected failure; see the log
)

// Error is the one application error type of paasbot. Message is written
// for the person who typed the command and is safe to post in a channel:
// it never holds a secret. For EINTERNAL the message is replaced by a
// reference, and the detail stays in the log under the same reference.
type Error struct {
	Code    Code
	Message string
	// Ref ties an EINTERNAL error shown to a person to its log line.
	Ref string
	// Err is the underlying cause, for logs and errors.Is; never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message for people.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors paasbot did not
// classify.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns what may be shown to a person for err: the message
// of an *Error, or "internal error (ref X)" for anything else, together with
// the reference to log the detail under ("" when none is needed).
func ErrorMessage(err error) (msg, ref string) {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message, ""
	}
	ref = newRef()
	if errors.As(err, &e) && e.Ref != "" {
		ref = e.Ref
	}
	return fmt.Sprintf("internal error (ref %s); the team running paasbot can look it up in the logs", ref), ref
}

func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

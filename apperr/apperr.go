// Package apperr is paasbot's one application error type (WTF Dial's
// error.go): a Code that transports and metrics branch on, a Message
// written for the person who typed the command, and the cause for logs.
// It also turns the Gandi client's failures into such errors (FromGandi).
// The core (commands) and the approvals engine return these errors; the
// transports (bot) show Message, which for EINTERNAL is only "internal
// error (ref X)" with the detail logged under the same ref.
package apperr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/paasbot/paasbot/secret"
)

// Code classifies an Error so that transports and metrics can branch on it
// without parsing messages.
type Code string

const (
	EINVALID      Code = "invalid"      // the command or its arguments are wrong
	ENOTFOUND     Code = "not_found"    // the instance, vhost, approval… does not exist
	EUNAUTHORIZED Code = "unauthorized" // no key, a refused key, or not allowed to click
	ECONFLICT     Code = "conflict"     // the state changed under us (already approved…)
	EUNAVAILABLE  Code = "unavailable"  // Gandi is slow, rate limited, down or unreadable; retry later
	EINTERNAL     Code = "internal"     // a bug or an unexpected failure; see the log
)

// Error is the one application error type of paasbot. Message is written
// for the person who typed the command and is safe to post in a channel:
// it never holds a secret. For EINTERNAL the message is replaced by a
// reference, and the detail stays in the log under the same reference.
type Error struct {
	Code    Code
	Message string
	// Ref, when set, is the reference Message shows and logs for an
	// EINTERNAL error instead of a fresh one.
	Ref string
	// Err is the underlying cause, for logs and errors.Is; never shown.
	Err error
}

// Error reads "code: message: cause", leaving out the parts that are
// empty (an EINTERNAL error usually has no message).
func (e *Error) Error() string {
	parts := make([]string, 0, 3)
	parts = append(parts, string(e.Code))
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message for people.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err, EINTERNAL for errors paasbot did not
// classify.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Message returns what may be shown to a person for err. An *Error
// that is not EINTERNAL shows its Message and nothing is logged. Anything
// else is paasbot's own bug or an unexpected failure: the person sees
// "internal error (ref X)", and Message itself logs, at error level on
// log, one line what with ref X, the error's detail (API keys redacted) and
// attrs, so that the ref a person quotes is always the ref of the log line
// holding the detail, whoever formats the error. An *Error carrying a Ref
// keeps it. A nil log logs nothing (tests only).
func Message(ctx context.Context, log *slog.Logger, what string, err error, attrs ...any) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	ref := ""
	if e != nil {
		ref = e.Ref
	}
	if ref == "" {
		ref = newRef()
	}
	if log != nil {
		detail := "<nil>"
		if err != nil {
			detail = secret.RedactAPIKeys(err.Error())
		}
		log.ErrorContext(ctx, what, append([]any{"ref", ref, "err", detail}, attrs...)...)
	}
	return fmt.Sprintf("internal error (ref %s); the team running paasbot can look it up in the logs", ref)
}

func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/paasbot/paasbot/gandi"
)

// gandiErr turns an error of the Gandi client into an *Error a person can
// read. notFound is the sentence for ErrNotFound ("no instance 42 in your
// account"); "" uses Gandi's own text.
func gandiErr(err error, notFound string) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	var fault *gandi.Fault
	text := ""
	if errors.As(err, &fault) {
		text = fault.Text()
	}
	switch {
	case errors.Is(err, gandi.ErrBadAPIKey):
		return &Error{Code: EUNAUTHORIZED, Message: "Your API key was refused: run `/paas login` again.", Err: err}
	case errors.Is(err, gandi.ErrNotFound):
		if notFound == "" {
			notFound = "Gandi says: " + text
		}
		return &Error{Code: ENOTFOUND, Message: upperFirst(notFound) + ".", Err: err}
	case errors.Is(err, gandi.ErrNoCredit):
		return &Error{Code: ECONFLICT, Message: "Not enough prepaid credit on the Gandi account for this operation.", Err: err}
	case errors.Is(err, gandi.ErrTooManyRequests), errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: EUNAVAILABLE, Message: "Gandi is not answering right now; try again in a minute.", Err: err}
	case errors.Is(err, gandi.ErrPermission):
		return &Error{Code: EUNAUTHORIZED, Message: "Your API key may not do this: " + orDefault(text, "permission denied") + ".", Err: err}
	case errors.Is(err, gandi.ErrBadState):
		return &Error{Code: ECONFLICT, Message: "Not possible in the current state: " + orDefault(text, "the instance is busy") + ".", Err: err}
	case errors.Is(err, gandi.ErrExists):
		return &Error{Code: ECONFLICT, Message: "Already exists: " + orDefault(text, "Gandi refused a duplicate") + ".", Err: err}
	case errors.Is(err, gandi.ErrBadParameter):
		return &Error{Code: EINVALID, Message: "Gandi refused the request: " + orDefault(text, "a parameter is invalid") + ".", Err: err}
	}
	var te *gandi.TransportError
	var he *gandi.HTTPError
	if errors.As(err, &te) || errors.As(err, &he) {
		return &Error{Code: EUNAVAILABLE, Message: "Gandi is not answering right now; try again in a minute.", Err: err}
	}
	return &Error{Code: EINTERNAL, Err: fmt.Errorf("gandi: %w", err)}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

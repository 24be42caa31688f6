package apperr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
)

// Sentences for Gandi failures that are not a refusal of this request.
const (
	unreadableText = "Gandi sent an answer paasbot could not read"
	notAnswering   = "Gandi is not answering right now; try again in a minute."
)

// FromGandi turns an error of the Gandi client into an *Error a person can
// read. notFound is the sentence for ErrNotFound ("no instance 42 in your
// account"); "" uses Gandi's own text. Every Gandi failure is named for
// what it is: a refusal (with Gandi's text, even for a code paasbot does
// not map), a request to slow down (with the wait), an answer that could
// not be read, no answer. Only what is none of these is EINTERNAL.
func FromGandi(err error, notFound string) error {
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
	case errors.Is(err, gandi.ErrTooManyRequests):
		return &Error{Code: EUNAVAILABLE, Message: fmt.Sprintf("Gandi asks to slow down; try again in %d s.", slowDownSeconds(err)), Err: err}
	case errors.Is(err, gandi.ErrNotFound):
		if notFound == "" {
			notFound = "Gandi says: " + text
		}
		return &Error{Code: ENOTFOUND, Message: human.UpperFirst(notFound) + ".", Err: err}
	case errors.Is(err, gandi.ErrNoCredit):
		return &Error{Code: ECONFLICT, Message: "Not enough prepaid credit on the Gandi account for this operation.", Err: err}
	case errors.Is(err, gandi.ErrPermission):
		return &Error{Code: EUNAUTHORIZED, Message: "Your API key may not do this: " + human.OrDefault(text, "permission denied") + ".", Err: err}
	case errors.Is(err, gandi.ErrBadState):
		return &Error{Code: ECONFLICT, Message: "Not possible in the current state: " + human.OrDefault(text, "the instance is busy") + ".", Err: err}
	case errors.Is(err, gandi.ErrExists):
		return &Error{Code: ECONFLICT, Message: "Already exists: " + human.OrDefault(text, "Gandi refused a duplicate") + ".", Err: err}
	case errors.Is(err, gandi.ErrBadParameter):
		return &Error{Code: EINVALID, Message: "Gandi refused the request: " + human.OrDefault(text, "a parameter is invalid") + ".", Err: err}
	case fault != nil:
		// A code paasbot does not map: Gandi's own words, and the code for
		// whoever asks Gandi's support.
		code := EINVALID
		if fault.Qualification() == 1 {
			code = EUNAVAILABLE // a server-side failure
		}
		return &Error{Code: code, Message: fmt.Sprintf("Gandi says: %s (fault %d).", human.OrDefault(text, "no reason given"), fault.Code), Err: err}
	case errors.Is(err, gandi.ErrUnreadableAnswer):
		msg := unreadableText + "; try again in a minute."
		var he *gandi.HTTPError
		if errors.As(err, &he) {
			msg = fmt.Sprintf("%s (HTTP %d); try again in a minute.", unreadableText, he.StatusCode)
		}
		return &Error{Code: EUNAVAILABLE, Message: msg, Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: EUNAVAILABLE, Message: notAnswering, Err: err}
	}
	var te *gandi.TransportError
	var he *gandi.HTTPError
	if errors.As(err, &te) || errors.As(err, &he) {
		return &Error{Code: EUNAVAILABLE, Message: notAnswering, Err: err}
	}
	return &Error{Code: EINTERNAL, Err: err}
}

// slowDownSeconds is the wait, in whole seconds (at least 1), that Gandi
// asked for: the client's *RateLimitError says it; a bare 429 may carry
// Retry-After; otherwise a minute.
func slowDownSeconds(err error) int {
	wait := time.Minute
	var rl *gandi.RateLimitError
	var he *gandi.HTTPError
	switch {
	case errors.As(err, &rl) && rl.RetryAfter > 0:
		wait = rl.RetryAfter
	case errors.As(err, &he) && he.RetryAfter > 0:
		wait = he.RetryAfter
	}
	return max(1, int(math.Ceil(wait.Seconds())))
}

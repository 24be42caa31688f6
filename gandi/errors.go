package gandi

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors for the cases callers branch on. Test with errors.Is: a
// *Fault, *HTTPError, *DecodeError or *RateLimitError matches the sentinel
// its code or status stands for, and errors.As still gives the details.
var (
	// ErrBadAPIKey: the API key is unknown or revoked (fault 510150,
	// OBJECT_ACCOUNT CAUSE_NORIGHT).
	ErrBadAPIKey = errors.New("gandi: invalid API key")
	// ErrNotFound: the object does not exist (causes DONTEXIST, NOTFOUND).
	ErrNotFound = errors.New("gandi: not found")
	// ErrBadParameter: a parameter was refused (cause BADPARAMETER, or code
	// 1, the API's answer to malformed input), or an enum value is invalid.
	ErrBadParameter = errors.New("gandi: bad parameter")
	// ErrNoCredit: the prepaid account lacks money (cause NOT_ENOUGH_MONEY,
	// or fault 530040).
	ErrNoCredit = errors.New("gandi: not enough prepaid credit")
	// ErrTooManyRequests: slow down and retry later (cause TOOMANY, or HTTP
	// 429 or 503). The client's error is then a *RateLimitError saying how
	// long to wait.
	ErrTooManyRequests = errors.New("gandi: too many requests")
	// ErrUnreadableAnswer: an answer that is not the XML-RPC the method
	// should answer (garbage, truncated, HTML, too large, invalid UTF-8,
	// empty: a *DecodeError), or a non-200 status other than 429 and 503
	// whose body is no fault (a proxy's error page: an *HTTPError). Whether
	// a write ran is then unknown.
	ErrUnreadableAnswer = errors.New("gandi: answer could not be read")
	// ErrPermission: the key may not act on this object (cause NORIGHT on
	// an object other than the account).
	ErrPermission = errors.New("gandi: permission denied")
	// ErrExists: the object already exists (cause EXIST).
	ErrExists = errors.New("gandi: already exists")
	// ErrBadState: the object is in a state that forbids the action, for
	// example an instance being created (cause STATE).
	ErrBadState = errors.New("gandi: object in the wrong state")
	// ErrOperationFailed: an operation ended in ERROR, SUPPORT or CANCEL
	// (see *OperationError).
	ErrOperationFailed = errors.New("gandi: operation failed")
)

// FaultObject is the object part of a fault code (its digits 2-4).
type FaultObject int

// Objects seen in Gandi fault codes.
const (
	ObjectAccount         FaultObject = 101
	ObjectOperation       FaultObject = 102
	ObjectSnapshot        FaultObject = 324
	ObjectDatacenter      FaultObject = 327
	ObjectPaaS            FaultObject = 375
	ObjectVirtualHost     FaultObject = 376
	ObjectSnapshotProfile FaultObject = 378
)

func (o FaultObject) String() string {
	switch o {
	case ObjectAccount:
		return "ACCOUNT"
	case ObjectOperation:
		return "OPERATION"
	case ObjectSnapshot:
		return "SNAPSHOT"
	case ObjectDatacenter:
		return "DATACENTER"
	case ObjectPaaS:
		return "PAAS"
	case ObjectVirtualHost:
		return "VIRTUALHOST"
	case ObjectSnapshotProfile:
		return "SNAPSHOT_PROFILE"
	}
	return fmt.Sprintf("OBJECT_%03d", int(o))
}

// FaultCause is the cause part of a fault code (its last two digits).
type FaultCause int

// Causes seen in Gandi fault codes.
const (
	CauseBadParameter   FaultCause = 37
	CauseDontExist      FaultCause = 40
	CauseExist          FaultCause = 41
	CauseNotFound       FaultCause = 42
	CauseNoRight        FaultCause = 50
	CauseState          FaultCause = 60
	CauseNotEnoughMoney FaultCause = 63
	CauseTooMany        FaultCause = 99
)

func (c FaultCause) String() string {
	switch c {
	case CauseBadParameter:
		return "BADPARAMETER"
	case CauseDontExist:
		return "DONTEXIST"
	case CauseExist:
		return "EXIST"
	case CauseNotFound:
		return "NOTFOUND"
	case CauseNoRight:
		return "NORIGHT"
	case CauseState:
		return "STATE"
	case CauseNotEnoughMoney:
		return "NOT_ENOUGH_MONEY"
	case CauseTooMany:
		return "TOOMANY"
	}
	return fmt.Sprintf("CAUSE_%02d", int(c))
}

// codeNoCredit is the code FACTS.md records for "no prepaid credit"; its
// digits would otherwise read as cause DONTEXIST.
const codeNoCredit = 530040

// Fault is an XML-RPC fault answered by the API (with HTTP 200). Code has
// six digits: qualification (1 server, 5 data), object, cause; Message
// reads "Error on object : OBJECT_<NAME> (CAUSE_<NAME>) [<text>]".
type Fault struct {
	Code    int
	Message string
	Method  string // the XML-RPC method that failed, for example "paas.info"
}

func (f *Fault) Error() string {
	return fmt.Sprintf("gandi: %s: fault %d: %s", f.Method, f.Code, f.Message)
}

// FaultCode returns Code. It lets packages that must not import gandi
// (metrics, for one) tell an answered fault from a failure to call.
func (f *Fault) FaultCode() int { return f.Code }

// Qualification is the first digit of a six-digit code: 1 server, 5 data;
// 0 for short codes such as 1.
func (f *Fault) Qualification() int {
	if f.Code < 100000 {
		return 0
	}
	return f.Code / 100000
}

// Object decodes the object from a six-digit code (0 for short codes).
func (f *Fault) Object() FaultObject {
	if f.Code < 100000 {
		return 0
	}
	return FaultObject(f.Code / 100 % 1000)
}

// Cause decodes the cause from a six-digit code (0 for short codes).
func (f *Fault) Cause() FaultCause {
	if f.Code < 100000 {
		return 0
	}
	return FaultCause(f.Code % 100)
}

// Text is the human part of Message: the text between the last [ and ],
// or the whole message when it has no brackets.
func (f *Fault) Text() string {
	m := f.Message
	i := strings.LastIndex(m, "[")
	j := strings.LastIndex(m, "]")
	if i >= 0 && j > i {
		return strings.TrimSpace(m[i+1 : j])
	}
	return strings.TrimSpace(m)
}

// Is maps the fault to the sentinel errors.
func (f *Fault) Is(target error) bool {
	switch target {
	case ErrBadAPIKey:
		return (f.Object() == ObjectAccount && f.Cause() == CauseNoRight) ||
			strings.Contains(strings.ToLower(f.Message), "invalid api key")
	case ErrNoCredit:
		return f.Code == codeNoCredit || f.Cause() == CauseNotEnoughMoney
	case ErrNotFound:
		return f.Code != codeNoCredit && (f.Cause() == CauseDontExist || f.Cause() == CauseNotFound)
	case ErrBadParameter:
		return f.Code == 1 || f.Cause() == CauseBadParameter
	case ErrTooManyRequests:
		return f.Cause() == CauseTooMany
	case ErrPermission:
		return f.Cause() == CauseNoRight && f.Object() != ObjectAccount
	case ErrExists:
		return f.Cause() == CauseExist
	case ErrBadState:
		return f.Cause() == CauseState
	}
	return false
}

// HTTPError is an answer whose HTTP status is not 200 and whose body is
// not an XML-RPC fault (a fault is a *Fault whatever the status).
// StatusCode 429 and 503 match ErrTooManyRequests (the client returns them
// inside a *RateLimitError); any other status matches ErrUnreadableAnswer.
// RetryAfter is the server's Retry-After (seconds or HTTP date), 0 when it
// sent none.
type HTTPError struct {
	Method     string
	StatusCode int
	Status     string // "503 Service Unavailable"
	RetryAfter time.Duration

	hasRetryAfter bool // the server sent a Retry-After (possibly 0)
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("gandi: %s: %s", e.Method, e.statusText())
}

// statusText is "HTTP 503 Service Unavailable".
func (e *HTTPError) statusText() string {
	if e.Status != "" {
		return "HTTP " + e.Status
	}
	return fmt.Sprintf("HTTP %d", e.StatusCode)
}

// Is makes 429 and 503 match ErrTooManyRequests and other statuses
// ErrUnreadableAnswer.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrTooManyRequests:
		return e.slowDown()
	case ErrUnreadableAnswer:
		return !e.slowDown()
	}
	return false
}

func (e *HTTPError) slowDown() bool { return e.StatusCode == 429 || e.StatusCode == 503 }

// RateLimitError is Gandi asking to slow down (HTTP 429 or 503, or a fault
// with cause TOOMANY) on every attempt the client made: a read call is
// sent up to ReadAttempts times, waiting out Retry-After (at most
// MaxRetryWait per pause, never past the call's deadline); a paid or
// destructive call is sent once (Attempts is 1). It matches
// ErrTooManyRequests and unwraps to the last answer (*HTTPError or
// *Fault). RetryAfter is how long to wait before trying again: the
// server's Retry-After when it sent one, else the client's next back-off;
// never zero.
type RateLimitError struct {
	Method     string
	RetryAfter time.Duration
	Attempts   int
	Err        error
}

func (e *RateLimitError) Error() string {
	what := fmt.Sprint(e.Err)
	var he *HTTPError
	var f *Fault
	switch {
	case errors.As(e.Err, &he):
		what = he.statusText()
	case errors.As(e.Err, &f):
		what = fmt.Sprintf("fault %d", f.Code)
	}
	return fmt.Sprintf("gandi: %s: asked to slow down (%s; %d attempt(s)); retry in %v", e.Method, what, e.Attempts, e.RetryAfter)
}

// Unwrap returns the last answer.
func (e *RateLimitError) Unwrap() error { return e.Err }

// Is makes the error match ErrTooManyRequests.
func (e *RateLimitError) Is(target error) bool { return target == ErrTooManyRequests }

// TransportError is a failure to send the request or read the answer
// (connection refused, TLS, timeout, cancellation, cut connection). It
// unwraps to the cause, so errors.Is(err, context.DeadlineExceeded) works.
type TransportError struct {
	Method string
	Err    error
}

func (e *TransportError) Error() string { return fmt.Sprintf("gandi: %s: %v", e.Method, e.Err) }
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is an answer that is not the XML-RPC the method should
// answer: malformed or truncated XML, HTML, an empty body, invalid UTF-8,
// a body over the size limit or cut short, or a value of the wrong type
// (Path says where, for example "[3].date_end"). It matches
// ErrUnreadableAnswer.
type DecodeError struct {
	Method string
	Path   string
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("gandi: %s: bad answer at %s: %v", e.Method, e.Path, e.Err)
	}
	return fmt.Sprintf("gandi: %s: bad answer: %v", e.Method, e.Err)
}
func (e *DecodeError) Unwrap() error { return e.Err }

// Is makes the error match ErrUnreadableAnswer.
func (e *DecodeError) Is(target error) bool { return target == ErrUnreadableAnswer }

// OperationError is an operation that ended in ERROR, SUPPORT or CANCEL.
// It matches ErrOperationFailed.
type OperationError struct {
	Operation Operation
}

func (e *OperationError) Error() string {
	op := e.Operation
	msg := fmt.Sprintf("gandi: operation %d (%s) ended in %s", op.ID, op.Type, op.Step)
	if op.LastError != "" {
		msg += ": " + op.LastError
	}
	return msg
}

// Is makes the error match ErrOperationFailed.
func (e *OperationError) Is(target error) bool { return target == ErrOperationFailed }

// redactedError hides the API key in an error's text while keeping the
// chain for errors.Is and errors.As.
type redactedError struct {
	err error
	msg string
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

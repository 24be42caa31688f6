package alerts

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Kind is the kind of report a subscription posts.
type Kind string

// The report kinds.
const (
	KindExpiry    Kind = "expiry"    // instances whose date_end falls within Days
	KindUpgrade   Kind = "upgrade"   // instances with need_upgrade
	KindSnapshots Kind = "snapshots" // snapshot profile and snapshots per instance
)

// Kinds returns every report kind, in the order help lists them.
func Kinds() []Kind { return []Kind{KindExpiry, KindUpgrade, KindSnapshots} }

// Errors callers branch on with errors.Is. Their messages are written for
// people and may be shown as they are.
var (
	// ErrBadKind: the report kind is not one of Kinds.
	ErrBadKind = errors.New("unknown report kind")
	// ErrBadSchedule: the schedule expression is refused.
	ErrBadSchedule = errors.New("bad schedule")
	// ErrBadZone: the time zone is not an IANA zone name.
	ErrBadZone = errors.New("bad time zone")
	// ErrBadParams: days or quiet are out of range or malformed.
	ErrBadParams = errors.New("bad report parameters")
)

// ParseKind checks a user-supplied kind (case-insensitive); the error lists
// the valid ones and wraps ErrBadKind.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range Kinds() {
		if k == v {
			return k, nil
		}
	}
	return "", fmt.Errorf("%w %q: use expiry, upgrade or snapshots", ErrBadKind, s)
}

// Defaults of Params per kind.
const (
	DefaultExpiryDays   = 30
	DefaultSnapshotDays = 7
	// MaxDays bounds days= so that a typo cannot ask for a century.
	MaxDays = 3660
)

// Params are a subscription's report parameters, stored as JSON
// ({"days":30,"quiet":true}) in store.Subscription.Params.
type Params struct {
	// Days is the horizon: expiry lists instances expiring within Days
	// (calendar days in the subscription's zone); snapshots flags instances
	// whose newest snapshot is older than Days. Upgrade ignores it.
	Days int `json:"days"`
	// Quiet (the default) posts nothing when the report is empty; false
	// posts "nothing to report" so the channel knows the check ran.
	Quiet bool `json:"quiet"`
}

// DefaultParams returns the parameters a subscription of kind k gets when
// the user gives none.
func DefaultParams(k Kind) Params {
	switch k {
	case KindExpiry:
		return Params{Days: DefaultExpiryDays, Quiet: true}
	case KindSnapshots:
		return Params{Days: DefaultSnapshotDays, Quiet: true}
	}
	return Params{Quiet: true}
}

// ParseParams reads stored params (nil or empty: the defaults of k),
// filling what is missing with the defaults and checking the ranges.
// Errors wrap ErrBadParams.
func ParseParams(k Kind, raw json.RawMessage) (Params, error) {
	p := DefaultParams(k)
	if len(strings.TrimSpace(string(raw))) > 0 && string(raw) != "null" {
		var in struct {
			Days  *int  `json:"days"`
			Quiet *bool `json:"quiet"`
		}
		if err := json.Unmarshal(raw, &in); err != nil {
			return p, fmt.Errorf("%w: %v", ErrBadParams, err)
		}
		if in.Days != nil {
			p.Days = *in.Days
		}
		if in.Quiet != nil {
			p.Quiet = *in.Quiet
		}
	}
	return p, p.Check(k)
}

// Check reports whether p suits kind k: days between 0 and MaxDays for
// expiry, between 1 and MaxDays for snapshots.
func (p Params) Check(k Kind) error {
	switch k {
	case KindExpiry:
		if p.Days < 0 || p.Days > MaxDays {
			return fmt.Errorf("%w: days=%d: give a number of days from 0 to %d", ErrBadParams, p.Days, MaxDays)
		}
	case KindSnapshots:
		if p.Days < 1 || p.Days > MaxDays {
			return fmt.Errorf("%w: days=%d: give a number of days from 1 to %d", ErrBadParams, p.Days, MaxDays)
		}
	}
	return nil
}

// JSON is the stored form of p.
func (p Params) JSON() json.RawMessage {
	b, _ := json.Marshal(p) // a struct of an int and a bool cannot fail
	return b
}

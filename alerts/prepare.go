package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/paasbot/paasbot/store"
)

// DefaultSchedule is the schedule of a subscription added without one:
// weekdays at 09:00 in its zone.
const DefaultSchedule = "0 9 * * 1-5"

// Prepare checks and completes a subscription before it is stored (for
// `alerts add`): Kind is normalised (ErrBadKind), an empty Schedule becomes
// DefaultSchedule and an empty TZ the scheduler's DefaultTZ, the schedule
// and zone are validated (ErrBadSchedule, ErrBadZone), and Params is set
// from days and quiet (nil: the kind's default) and checked (ErrBadParams).
// It returns the next n runs after the scheduler's now, in the
// subscription's zone, to show back. Error messages are written for people.
func (s *Scheduler) Prepare(sub *store.Subscription, days *int, quiet *bool, n int) ([]time.Time, error) {
	kind, err := ParseKind(sub.Kind)
	if err != nil {
		return nil, err
	}
	sub.Kind = string(kind)
	if strings.TrimSpace(sub.Schedule) == "" {
		sub.Schedule = DefaultSchedule
	}
	if strings.TrimSpace(sub.TZ) == "" {
		sub.TZ = s.cfg.DefaultTZ
	}
	if sub.TZ == "" {
		sub.TZ = "UTC"
	}
	sched, err := ParseSchedule(sub.Schedule, sub.TZ)
	if err != nil {
		return nil, err
	}
	sub.Schedule = sched.String()
	sub.TZ = sched.Location().String()
	p := DefaultParams(kind)
	if days != nil {
		p.Days = *days
	}
	if quiet != nil {
		p.Quiet = *quiet
	}
	if err := p.Check(kind); err != nil {
		return nil, err
	}
	sub.Params = p.JSON()
	return sched.Next(s.cfg.Now(), n), nil
}

// Describe explains a stored subscription for `alerts list`: its
// parameters in words ("days=30, quiet") and its next n runs in its zone.
// A subscription that no longer parses is described by its error.
func (s *Scheduler) Describe(sub store.Subscription, n int) (params string, next []time.Time, err error) {
	sched, p, err := s.parseSub(sub)
	if err != nil {
		return "", nil, err
	}
	var parts []string
	if Kind(sub.Kind) != KindUpgrade {
		parts = append(parts, fmt.Sprintf("days=%d", p.Days))
	}
	if p.Quiet {
		parts = append(parts, "quiet")
	} else {
		parts = append(parts, "quiet=off")
	}
	return strings.Join(parts, ", "), sched.Next(s.cfg.Now(), n), nil
}

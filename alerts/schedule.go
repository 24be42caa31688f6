package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// MinInterval is the shortest gap allowed between two runs of a schedule:
// a report is for people, and each run scans the owner's whole account.
const MinInterval = time.Hour

// Schedule is a validated cron schedule in a time zone. Its activations
// are whole minutes.
type Schedule struct {
	expr  string
	loc   *time.Location
	sched cron.Schedule
}

// descriptors are the @-forms accepted besides @every.
var descriptors = map[string]bool{
	"@yearly": true, "@annually": true, "@monthly": true, "@weekly": true,
	"@daily": true, "@midnight": true, "@hourly": true,
}

// ParseSchedule validates expr and tz before robfig/cron sees them (a bare
// "CRON_TZ=…" panics inside that library) and returns the schedule.
//
// expr is five fields (minute hour day-of-month month day-of-week, for
// example "0 9 * * 1-5"), a descriptor (@daily, @hourly, @weekly, @monthly,
// @yearly) or "@every <duration>" (a whole number of minutes, anchored on
// the Unix epoch so that every replica computes the same slots). Runs must
// be at least MinInterval apart. A zone inside expr ("CRON_TZ=", "TZ=") is
// refused: the zone is tz, an IANA name such as "Europe/Paris" ("" means
// UTC). Errors wrap ErrBadSchedule or ErrBadZone and read well on their own.
func ParseSchedule(expr, tz string) (s Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = Schedule{}, fmt.Errorf("%w %q: the cron parser refused it", ErrBadSchedule, expr)
		}
	}()
	loc, err := LoadZone(tz)
	if err != nil {
		return Schedule{}, err
	}
	e := strings.Join(strings.Fields(expr), " ")
	if e == "" {
		return Schedule{}, fmt.Errorf(`%w: it is empty; give five fields such as "0 9 * * 1-5" (minute hour day month weekday) or @daily`, ErrBadSchedule)
	}
	if u := strings.ToUpper(e); strings.Contains(u, "TZ=") {
		return Schedule{}, fmt.Errorf("%w %q: give the time zone separately with tz=…, not inside the schedule", ErrBadSchedule, expr)
	}
	var sched cron.Schedule
	switch {
	case strings.HasPrefix(e, "@every"):
		d, perr := time.ParseDuration(strings.TrimSpace(strings.TrimPrefix(e, "@every")))
		if perr != nil || d <= 0 || d%time.Minute != 0 {
			return Schedule{}, fmt.Errorf("%w %q: @every takes a duration in whole minutes, such as @every 6h", ErrBadSchedule, expr)
		}
		sched = everySchedule{d: d}
	case strings.HasPrefix(e, "@"):
		if !descriptors[strings.ToLower(e)] {
			return Schedule{}, fmt.Errorf("%w %q: use @hourly, @daily, @weekly, @monthly, @yearly or @every <duration>", ErrBadSchedule, expr)
		}
		sched, err = cron.ParseStandard(strings.ToLower(e))
	default:
		if n := len(strings.Fields(e)); n != 5 {
			hint := ""
			if n == 6 {
				hint = " (seconds are not supported)"
			}
			return Schedule{}, fmt.Errorf(`%w %q: %d fields%s; give five: minute hour day-of-month month day-of-week, such as "0 9 * * 1-5"`, ErrBadSchedule, expr, n, hint)
		}
		sched, err = cron.ParseStandard(e)
	}
	if err != nil {
		return Schedule{}, fmt.Errorf("%w %q: %v", ErrBadSchedule, expr, err)
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		spec.Location = loc
		sched = wallClockSchedule{spec: spec}
	}
	s = Schedule{expr: e, loc: loc, sched: sched}
	if err := s.checkRate(); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// LoadZone loads an IANA zone; "" is UTC. "Local" is refused because it
// would depend on the server's settings. Errors wrap ErrBadZone.
func LoadZone(tz string) (*time.Location, error) {
	tz = strings.TrimSpace(tz)
	if strings.EqualFold(tz, "local") {
		return nil, fmt.Errorf("%w %q: name a zone, such as Europe/Paris or UTC", ErrBadZone, tz)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("%w %q: use an IANA zone name such as Europe/Paris, America/New_York or UTC", ErrBadZone, tz)
	}
	return loc, nil
}

// checkRate refuses a schedule that never runs or runs more often than
// MinInterval. Looking at 50 consecutive runs is enough: a schedule with
// more than 24 runs in a day has a gap under an hour, and with fewer the
// 50 runs cover two firing days, where every gap of the pattern shows.
func (s Schedule) checkRate() error {
	ref := time.Date(2030, 1, 1, 0, 0, 0, 0, s.loc)
	runs := s.Next(ref, 50)
	if len(runs) == 0 {
		return fmt.Errorf("%w %q: it never runs", ErrBadSchedule, s.expr)
	}
	for i := 1; i < len(runs); i++ {
		if gap := runs[i].Sub(runs[i-1]); gap < MinInterval {
			return fmt.Errorf("%w %q: it runs every %s; reports may run at most once an hour", ErrBadSchedule, s.expr, gap)
		}
	}
	return nil
}

// String is the expression as validated (spaces normalised).
func (s Schedule) String() string { return s.expr }

// Location is the schedule's zone.
func (s Schedule) Location() *time.Location { return s.loc }

// Next returns the next n activations strictly after after, in the
// schedule's zone (fewer if the schedule ends, none for a zero Schedule).
func (s Schedule) Next(after time.Time, n int) []time.Time {
	if s.sched == nil {
		return nil
	}
	out := make([]time.Time, 0, max(n, 0))
	t := after
	for len(out) < n {
		t = s.sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(s.loc))
	}
	return out
}

// Prev returns the latest activation in (now-window, now], truncated to
// the minute: the slot due at now. ok is false when there is none.
func (s Schedule) Prev(now time.Time, window time.Duration) (slot time.Time, ok bool) {
	if s.sched == nil {
		return time.Time{}, false
	}
	t := now.Add(-window)
	for range 100000 { // bounded: MinInterval keeps a day under 25 runs
		next := s.sched.Next(t)
		if next.IsZero() || next.After(now) {
			break
		}
		slot, ok, t = next, true, next
	}
	return slot.Truncate(time.Minute), ok
}

// everySchedule is "@every d" anchored on the Unix epoch (robfig's own
// @every counts from when the cron started, which differs between
// restarts and replicas, so slots could not be claimed consistently).
type everySchedule struct{ d time.Duration }

func (e everySchedule) Next(t time.Time) time.Time {
	return time.Unix(0, 0).Add(t.Sub(time.Unix(0, 0)).Truncate(e.d) + e.d).In(t.Location())
}

package alerts

import (
	"time"

	"github.com/robfig/cron/v3"
)

// wallClockSchedule gives a cron expression one run per matching local
// date and wall-clock time across daylight-saving changes, which
// robfig/cron does not: on the night the clocks go back it fires twice for
// a time in the repeated hour (02:30 CEST, then 02:30 CET), and on the
// night they go forward it never fires for a time in the skipped hour, so
// a daily report at 02:30 would post twice in autumn and not at all in
// spring. Here the repeated wall-clock time runs once, at its first
// occurrence, and a skipped one runs once at the first instant after the
// change (03:00 CEST for 02:30 on the spring-forward night in Paris).
//
// Known limit: robfig/cron's own search assumes whole-hour changes, and on
// the night Australia/Lord_Howe goes back by 30 minutes it misses a daily
// run after the change; this wrapper does not correct that.
type wallClockSchedule struct {
	spec *cron.SpecSchedule
}

// maxSkips bounds the loop of Next over repeated times: a day has at most
// a few dozen runs (MinInterval), and a repeated hour fewer.
const maxSkips = 1000

// Next returns the first run strictly after t.
func (w wallClockSchedule) Next(t time.Time) time.Time {
	for range maxSkips {
		n := w.spec.Next(t)
		if gap := w.skippedRun(t, n); !gap.IsZero() {
			return gap
		}
		if n.IsZero() || !w.repeated(n) {
			return n
		}
		t = n
	}
	return time.Time{}
}

// repeated reports whether n's wall-clock time already happened in the
// hour the clocks went back, in which case the spec matched it then too
// (its fields are wall-clock fields) and n is the same slot again.
func (w wallClockSchedule) repeated(n time.Time) bool {
	n = n.In(w.spec.Location)
	start, _ := n.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, before := start.Add(-time.Second).Zone()
	_, after := n.Zone()
	back := time.Duration(before-after) * time.Second
	return back > 0 && n.Before(start.Add(back))
}

// skippedRun returns the first instant after a spring-forward change in
// (t, n] (or after t when n is zero, within a year) if the spec matches a
// wall-clock time that the change skipped; zero otherwise.
func (w wallClockSchedule) skippedRun(t, n time.Time) time.Time {
	limit := n
	if limit.IsZero() {
		limit = t.AddDate(1, 0, 0)
	}
	cur := t.In(w.spec.Location)
	for range 64 { // a zone changes offset a few times a year at most
		_, end := cur.ZoneBounds()
		if end.IsZero() || end.After(limit) {
			return time.Time{}
		}
		_, before := end.Add(-time.Second).Zone()
		_, after := end.Zone()
		if fwd := time.Duration(after-before) * time.Second; fwd > 0 && end.After(t) && w.matchesIn(end, before, fwd) {
			return end
		}
		cur = end
	}
	return time.Time{}
}

// matchesIn reports whether the spec matches a wall-clock time in the gap
// [change, change+fwd) read with the offset before the change (the local
// times that never showed on a clock).
func (w wallClockSchedule) matchesIn(change time.Time, offset int, fwd time.Duration) bool {
	old := *w.spec
	old.Location = time.FixedZone("", offset)
	first := old.Next(change.Add(-time.Second))
	return !first.IsZero() && first.Before(change.Add(fwd))
}

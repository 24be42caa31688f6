package alerts

import (
	"fmt"
	"strconv"
	"time"

	"github.com/paasbot/paasbot/gandi"
)

// formatDate shows t in loc with its zone abbreviation, so a reader knows
// which clock it is ("Tue 2026-11-24 14:00 CET").
func formatDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2006-01-02 15:04 MST")
}

// formatDay shows the date of t in loc ("2027-03-01").
func formatDay(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02")
}

// untilText says when something happens relative to today: "today",
// "tomorrow", "in 5 days".
func untilText(days int) string {
	switch days {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	}
	return fmt.Sprintf("in %d days", days)
}

// agoText says how long ago something happened: "today", "yesterday",
// "12 days ago".
func agoText(days int) string {
	switch {
	case days <= 0:
		return "today"
	case days == 1:
		return "yesterday"
	}
	return fmt.Sprintf("%d days ago", days)
}

// plural writes "1 instance" or "3 instances".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// gone reports whether an instance is deleted or being deleted: nobody
// renews, upgrades or backs those up, so reports leave them out.
func gone(in gandi.Instance) bool {
	return in.State == gandi.StateDeleted || in.State == gandi.StateBeingDeleted
}

// orUTC returns loc, or UTC when it is nil.
func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// nameList joins up to max names, adding "and N more".
func nameList(names []string, maxNames int) string {
	s := ""
	for i, n := range names {
		if i == maxNames {
			return s + fmt.Sprintf(" and %d more", len(names)-maxNames)
		}
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

package commands

import (
	"fmt"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi"
)

// humanDuration writes d roughly: "24 h", "3 days", "5 min".
func humanDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "0 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()+0.5))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24+0.5))
}

// daysUntil counts calendar days (in Paris, the API's zone) from now to t.
func daysUntil(now, t time.Time) int {
	loc := gandi.Paris()
	a := now.In(loc)
	b := t.In(loc)
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// relDays writes a day count relative to today: "in 3 days", "today",
// "2 days ago".
func relDays(n int) string {
	switch {
	case n == 0:
		return "today"
	case n == 1:
		return "tomorrow"
	case n == -1:
		return "yesterday"
	case n > 0:
		return fmt.Sprintf("in %d days", n)
	}
	return fmt.Sprintf("%d days ago", -n)
}

// fmtDate writes a date of the API as YYYY-MM-DD in Paris; "—" for nil.
func fmtDate(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.In(gandi.Paris()).Format("2006-01-02")
}

// fmtDateTime writes a date and time in Paris; "—" for nil.
func fmtDateTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.In(gandi.Paris()).Format("2006-01-02 15:04 MST")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// plural writes "1 instance", "3 instances".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

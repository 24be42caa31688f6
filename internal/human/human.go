// Package human writes values for people: durations, day counts, the
// API's dates (Europe/Paris), plurals, people's names. It is the one
// implementation the core (commands), the approvals engine and the error
// package share, so that the same value reads the same in every message.
// Every function is pure; none of them reads the clock.
package human

import (
	"fmt"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/reply"
)

// Duration writes d roughly: "24 h", "3 days", "5 min" ("0 min" when
// negative).
func Duration(d time.Duration) string {
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

// DayDiff is the number of calendar days from now to t in loc: 0 for
// later today, 1 for tomorrow, -1 for yesterday. Counting civil dates (not
// 24-hour spans) keeps the answer right across daylight-saving changes.
func DayDiff(now, t time.Time, loc *time.Location) int {
	y1, m1, d1 := now.In(loc).Date()
	y2, m2, d2 := t.In(loc).Date()
	a := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// DaysUntil counts calendar days in Paris, the API's zone, from now to t.
func DaysUntil(now, t time.Time) int { return DayDiff(now, t, gandi.Paris()) }

// RelDays writes a day count relative to today: "in 3 days", "today",
// "tomorrow", "2 days ago".
func RelDays(n int) string {
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

// Date writes a date of the API as YYYY-MM-DD in Paris; "—" for nil or
// zero.
func Date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.In(gandi.Paris()).Format("2006-01-02")
}

// DateTime writes a date and time in Paris with the zone ("2026-11-23
// 10:00 CET"); "—" for nil or zero.
func DateTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.In(gandi.Paris()).Format("2006-01-02 15:04 MST")
}

// Plural writes "1 instance", "3 instances".
func Plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// YesNo writes a boolean as "yes" or "no".
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// OnOff writes a boolean as "on" or "off".
func OnOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// OrDash is s, or "—" when s is blank.
func OrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// OrDefault is s, or def when s is empty.
func OrDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// UpperFirst capitalises an ASCII first letter.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// Sentence capitalises the first letter of msg and ends it with a period.
func Sentence(msg string) string {
	if msg == "" {
		return msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// Person names someone in a message: a Slack mention for a Slack user id
// (reply.IsUserID), the name as typed otherwise (the shell's --user).
func Person(user string) string {
	if reply.IsUserID(user) {
		return reply.Mention(user)
	}
	return user
}

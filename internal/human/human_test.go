package human

import (
	"testing"
	"time"
)

func TestDayDiff(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-08 loses an hour in New York: still one calendar day.
	now := time.Date(2026, 3, 7, 23, 30, 0, 0, ny)
	for _, tt := range []struct {
		t    time.Time
		want int
	}{
		{now.Add(10 * time.Minute), 0},
		{time.Date(2026, 3, 8, 0, 30, 0, 0, ny), 1},
		{time.Date(2026, 3, 9, 0, 0, 0, 0, ny), 2},
		{time.Date(2026, 3, 6, 23, 59, 0, 0, ny), -1},
	} {
		if got := DayDiff(now, tt.t, ny); got != tt.want {
			t.Errorf("DayDiff(%v, %v) = %d, want %d", now, tt.t, got, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	paris := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC) // 00:30 the next day in Paris
	for _, tt := range []struct{ got, want string }{
		{Duration(-time.Minute), "0 min"},
		{Duration(29*time.Minute + 40*time.Second), "30 min"},
		{Duration(24 * time.Hour), "24 h"},
		{Duration(72 * time.Hour), "3 days"},
		{RelDays(0) + "," + RelDays(1) + "," + RelDays(-1) + "," + RelDays(5) + "," + RelDays(-3), "today,tomorrow,yesterday,in 5 days,3 days ago"},
		{Plural(1, "instance") + "," + Plural(0, "instance") + "," + Plural(3, "operation"), "1 instance,0 instances,3 operations"},
		{Date(&paris), "2026-11-23"},
		{DateTime(&paris), "2026-11-23 00:30 CET"},
		{Date(nil) + DateTime(&time.Time{}), "——"},
		{OrDash("  ") + OrDash("x") + OrDefault("", "d") + OrDefault("s", "d"), "—xds"},
		{UpperFirst("renew shop") + "|" + UpperFirst("") + "|" + UpperFirst("éa"), "Renew shop||éa"},
		{Sentence("bad schedule") + "|" + Sentence("Done."), "Bad schedule.|Done."},
		{YesNo(true) + OnOff(false), "yesoff"},
		{Person("UDANA") + "|" + Person("dana") + "|" + Person("U1") + "|" + Person("Uabc"), "{@UDANA}|dana|U1|Uabc"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

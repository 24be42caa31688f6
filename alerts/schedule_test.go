package alerts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSchedule_Refused(t *testing.T) {
	tests := []struct {
		name, expr, tz string
		is             error
		msg            string // a part of the message a person reads
	}{
		{"empty", "", "UTC", ErrBadSchedule, "it is empty"},
		{"blank", "   ", "UTC", ErrBadSchedule, "it is empty"},
		{"bare CRON_TZ panics in robfig", "CRON_TZ=Europe/Paris", "UTC", ErrBadSchedule, "tz=…"},
		{"bare TZ", "TZ=Europe/Paris", "UTC", ErrBadSchedule, "tz=…"},
		{"CRON_TZ with fields", "CRON_TZ=Europe/Paris 0 9 * * *", "UTC", ErrBadSchedule, "not inside the schedule"},
		{"lower-case cron_tz", "cron_tz=UTC 0 9 * * *", "UTC", ErrBadSchedule, "not inside the schedule"},
		{"four fields", "0 9 * *", "UTC", ErrBadSchedule, "4 fields"},
		{"six fields", "0 0 9 * * *", "UTC", ErrBadSchedule, "seconds are not supported"},
		{"bad minute", "61 9 * * *", "UTC", ErrBadSchedule, "61 9 * * *"},
		{"bad weekday", "0 9 * * mon-fry", "UTC", ErrBadSchedule, "mon-fry"},
		{"never runs", "0 9 30 2 *", "UTC", ErrBadSchedule, "never runs"},
		{"every minute", "* * * * *", "UTC", ErrBadSchedule, "at most once an hour"},
		{"every 30 minutes", "*/30 * * * *", "UTC", ErrBadSchedule, "every 30m0s"},
		{"two close runs a day", "0,30 9 * * *", "UTC", ErrBadSchedule, "at most once an hour"},
		{"unknown descriptor", "@reboot", "UTC", ErrBadSchedule, "@hourly, @daily"},
		{"every too often", "@every 5m", "UTC", ErrBadSchedule, "at most once an hour"},
		{"every seconds", "@every 90s", "UTC", ErrBadSchedule, "whole minutes"},
		{"every garbage", "@every soon", "UTC", ErrBadSchedule, "whole minutes"},
		{"every negative", "@every -1h", "UTC", ErrBadSchedule, "whole minutes"},
		{"unknown zone", "0 9 * * *", "Europe/Pari", ErrBadZone, "IANA zone name"},
		{"Local refused", "0 9 * * *", "Local", ErrBadZone, "name a zone"},
		{"zone with junk", "0 9 * * *", "../etc/passwd", ErrBadZone, "IANA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSchedule(tc.expr, tc.tz)
			if err == nil {
				t.Fatalf("accepted: %v", s.Next(time.Now(), 3))
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), "panic") {
				t.Errorf("error leaks internals: %q", err)
			}
		})
	}
}

func TestParseSchedule_Next(t *testing.T) {
	loc := paris(t)
	after := at(loc, 2026, 11, 20, 10, 0) // Friday 10:00 CET
	tests := []struct {
		name, expr, tz string
		want           []string // in the schedule's zone
	}{
		{"weekdays at nine", "0 9 * * 1-5", "Europe/Paris",
			[]string{"Mon 2026-11-23 09:00 CET", "Tue 2026-11-24 09:00 CET", "Wed 2026-11-25 09:00 CET"}},
		{"extra spaces", "  0   9 * *   1-5 ", "Europe/Paris",
			[]string{"Mon 2026-11-23 09:00 CET", "Tue 2026-11-24 09:00 CET", "Wed 2026-11-25 09:00 CET"}},
		{"daily", "@daily", "Europe/Paris",
			[]string{"Sat 2026-11-21 00:00 CET", "Sun 2026-11-22 00:00 CET", "Mon 2026-11-23 00:00 CET"}},
		{"hourly", "@hourly", "Europe/Paris",
			[]string{"Fri 2026-11-20 11:00 CET", "Fri 2026-11-20 12:00 CET", "Fri 2026-11-20 13:00 CET"}},
		{"weekly", "@WEEKLY", "Europe/Paris",
			[]string{"Sun 2026-11-22 00:00 CET", "Sun 2026-11-29 00:00 CET", "Sun 2026-12-06 00:00 CET"}},
		{"every 1h anchored", "@every 1h", "Europe/Paris",
			[]string{"Fri 2026-11-20 11:00 CET", "Fri 2026-11-20 12:00 CET", "Fri 2026-11-20 13:00 CET"}},
		{"every 6h anchored on UTC midnight", "@every 6h", "Europe/Paris",
			[]string{"Fri 2026-11-20 13:00 CET", "Fri 2026-11-20 19:00 CET", "Sat 2026-11-21 01:00 CET"}},
		{"other zone", "0 9 * * *", "America/New_York",
			[]string{"Fri 2026-11-20 09:00 EST", "Sat 2026-11-21 09:00 EST", "Sun 2026-11-22 09:00 EST"}},
		{"empty zone is UTC", "0 9 * * *", "",
			[]string{"Sat 2026-11-21 09:00 UTC", "Sun 2026-11-22 09:00 UTC", "Mon 2026-11-23 09:00 UTC"}},
		{"names of days", "0 9 * * mon", "UTC",
			[]string{"Mon 2026-11-23 09:00 UTC", "Mon 2026-11-30 09:00 UTC", "Mon 2026-12-07 09:00 UTC"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSchedule(tc.expr, tc.tz)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range s.Next(after, 3) {
				got = append(got, n.Format("Mon 2006-01-02 15:04 MST"))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("next runs:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSchedule_DST(t *testing.T) {
	loc := paris(t)
	s, err := ParseSchedule("0 9 * * *", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	runs := s.Next(at(loc, 2027, 3, 27, 10, 0), 2)
	// 09:00 local on both sides of the change: 23 hours apart.
	if runs[0].Format("15:04 MST") != "09:00 CEST" || runs[1].Sub(at(loc, 2027, 3, 27, 9, 0)) != 47*time.Hour {
		t.Errorf("runs across spring forward: %v", runs)
	}
}

func TestSchedule_Prev(t *testing.T) {
	loc := paris(t)
	s, err := ParseSchedule("0 9 * * 1-5", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		now    time.Time
		window time.Duration
		want   time.Time // zero: none
	}{
		{"at the slot", at(loc, 2026, 11, 23, 9, 0), time.Hour, at(loc, 2026, 11, 23, 9, 0)},
		{"a little after", at(loc, 2026, 11, 23, 9, 0).Add(59 * time.Second), time.Hour, at(loc, 2026, 11, 23, 9, 0)},
		{"a second before", at(loc, 2026, 11, 23, 9, 0).Add(-time.Second), 24 * time.Hour, time.Time{}}, // Monday: Friday's slot is 3 days back
		{"catch-up within a day", at(loc, 2026, 11, 24, 8, 0), 24 * time.Hour, at(loc, 2026, 11, 23, 9, 0)},
		{"too old", at(loc, 2026, 11, 24, 9, 30), 15 * time.Minute, time.Time{}},
		{"latest of several", at(loc, 2026, 11, 26, 10, 0), 72 * time.Hour, at(loc, 2026, 11, 26, 9, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := s.Prev(tc.now, tc.window)
			if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
				t.Errorf("Prev = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
	if _, ok := (Schedule{}).Prev(time.Now(), time.Hour); ok {
		t.Error("zero Schedule has a slot")
	}
}

func TestParseKindAndParams(t *testing.T) {
	for _, k := range []string{"expiry", "UPGRADE", " snapshots "} {
		if _, err := ParseKind(k); err != nil {
			t.Errorf("ParseKind(%q): %v", k, err)
		}
	}
	if _, err := ParseKind("backups"); !errors.Is(err, ErrBadKind) || !strings.Contains(err.Error(), "expiry, upgrade or snapshots") {
		t.Errorf("ParseKind(backups) = %v", err)
	}
	tests := []struct {
		kind Kind
		raw  string
		want Params
		bad  bool
	}{
		{KindExpiry, "", Params{Days: 30, Quiet: true}, false},
		{KindExpiry, "null", Params{Days: 30, Quiet: true}, false},
		{KindExpiry, `{"days":7}`, Params{Days: 7, Quiet: true}, false},
		{KindExpiry, `{"days":0,"quiet":false}`, Params{Days: 0, Quiet: false}, false},
		{KindSnapshots, `{}`, Params{Days: 7, Quiet: true}, false},
		{KindSnapshots, `{"days":0}`, Params{}, true},
		{KindExpiry, `{"days":-1}`, Params{}, true},
		{KindExpiry, `{"days":99999}`, Params{}, true},
		{KindExpiry, `{"days":"x"}`, Params{}, true},
		{KindUpgrade, `{"quiet":false}`, Params{Quiet: false}, false},
	}
	for _, tc := range tests {
		got, err := ParseParams(tc.kind, []byte(tc.raw))
		if tc.bad {
			if !errors.Is(err, ErrBadParams) {
				t.Errorf("%s %s: err = %v, want ErrBadParams", tc.kind, tc.raw, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %s = %+v, %v; want %+v", tc.kind, tc.raw, got, err, tc.want)
		}
		if back, err := ParseParams(tc.kind, got.JSON()); err != nil || back != got {
			t.Errorf("round trip of %+v = %+v, %v", got, back, err)
		}
	}
}

// Across the 2027 daylight-saving changes in Paris (clocks forward at
// 02:00 CET on 28 March, back at 03:00 CEST on 31 October) each matching
// local date and wall-clock time runs once: a repeated time at its first
// occurrence, a skipped one at the first instant after the change.
func TestSchedule_DSTTransitions(t *testing.T) {
	loc := paris(t)
	utc := func(d, h, m int, mo time.Month) time.Time { return time.Date(2027, mo, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name string
		expr string
		from time.Time
		want []time.Time // UTC instants of the next runs
	}{
		{"daily in the repeated hour runs once", "30 2 * * *", utc(30, 12, 0, time.October),
			[]time.Time{utc(31, 0, 30, time.October), utc(1, 1, 30, time.November)}},
		{"daily in the skipped hour runs at 03:00 CEST", "30 2 * * *", utc(27, 12, 0, time.March),
			[]time.Time{utc(28, 1, 0, time.March), utc(29, 0, 30, time.March)}},
		{"daily at the start of the skipped hour", "0 2 * * *", utc(27, 12, 0, time.March),
			[]time.Time{utc(28, 1, 0, time.March), utc(29, 0, 0, time.March)}},
		{"hourly: the repeated 02:00 once", "0 * * * *", utc(30, 22, 30, time.October),
			[]time.Time{utc(30, 23, 0, time.October), utc(31, 0, 0, time.October), utc(31, 2, 0, time.October)}},
		{"hourly: the skipped 02:00 is 03:00 CEST, once", "0 * * * *", utc(27, 23, 30, time.March),
			[]time.Time{utc(28, 0, 0, time.March), utc(28, 1, 0, time.March), utc(28, 2, 0, time.March)}},
		{"outside the changed hour nothing moves", "0 9 * * *", utc(30, 12, 0, time.October),
			[]time.Time{utc(31, 8, 0, time.October), utc(1, 8, 0, time.November)}},
		{"a weekday that is not the change's day", "30 2 * * 1", utc(27, 12, 0, time.March),
			[]time.Time{utc(29, 0, 30, time.March)}},
		{"@every counts real time", "@every 24h", utc(30, 12, 0, time.October),
			[]time.Time{utc(31, 0, 0, time.October), utc(1, 0, 0, time.November)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSchedule(tc.expr, "Europe/Paris")
			if err != nil {
				t.Fatal(err)
			}
			got := s.Next(tc.from, len(tc.want))
			if len(got) != len(tc.want) {
				t.Fatalf("Next = %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) {
					t.Errorf("run %d = %s, want %s", i, got[i].Format(time.RFC3339), tc.want[i].In(loc).Format(time.RFC3339))
				}
			}
		})
	}
}

// Prev, asked every minute of each changed night as the scheduler asks it,
// finds exactly one slot for that day's 02:30.
func TestSchedule_PrevAcrossDST(t *testing.T) {
	s, err := ParseSchedule("30 2 * * *", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day  string
		from time.Time
	}{
		{"2027-10-31", time.Date(2027, 10, 30, 12, 0, 0, 0, time.UTC)},
		{"2027-03-28", time.Date(2027, 3, 27, 12, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.day, func(t *testing.T) {
			seen := map[time.Time]bool{}
			for m := range 36 * 60 {
				if p, ok := s.Prev(tc.from.Add(time.Duration(m)*time.Minute), 24*time.Hour); ok && p.In(s.Location()).Format("2006-01-02") == tc.day {
					seen[p] = true
				}
			}
			if len(seen) != 1 {
				t.Errorf("%d slots on %s, want 1: %v", len(seen), tc.day, seen)
			}
		})
	}
}

// The same rule holds in zones whose changes fall elsewhere: New York's
// skipped 02:30, and São Paulo's 2018 change that skipped midnight itself.
func TestSchedule_DSTOtherZones(t *testing.T) {
	tests := []struct {
		tz, expr string
		from     time.Time
		want     []time.Time
	}{
		{"America/New_York", "30 2 * * *", time.Date(2027, 3, 13, 12, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2027, 3, 14, 7, 0, 0, 0, time.UTC), time.Date(2027, 3, 15, 6, 30, 0, 0, time.UTC)}},
		{"America/New_York", "30 1 * * *", time.Date(2027, 11, 6, 12, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC), time.Date(2027, 11, 8, 6, 30, 0, 0, time.UTC)}},
		{"America/Sao_Paulo", "0 0 * * *", time.Date(2018, 11, 3, 12, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2018, 11, 4, 3, 0, 0, 0, time.UTC), time.Date(2018, 11, 5, 2, 0, 0, 0, time.UTC)}},
	}
	for _, tc := range tests {
		t.Run(tc.tz+" "+tc.expr, func(t *testing.T) {
			s, err := ParseSchedule(tc.expr, tc.tz)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Next(tc.from, len(tc.want))
			if len(got) != len(tc.want) {
				t.Fatalf("Next = %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) {
					t.Errorf("run %d = %s, want %s", i, got[i].Format(time.RFC3339), tc.want[i].In(s.Location()).Format(time.RFC3339))
				}
			}
		})
	}
}

package alerts

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
)

func TestBuildExpiry(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0) // Sunday, CET (UTC+1)
	deleted := inst(90, "gone", tp(at(loc, 2026, 11, 23, 0, 0)))
	deleted.State = gandi.StateDeleted
	beingDeleted := inst(91, "going", tp(at(loc, 2026, 11, 23, 0, 0)))
	beingDeleted.State = gandi.StateBeingDeleted

	tests := []struct {
		name      string
		now       time.Time
		days      int
		instances []gandi.Instance
		want      []string // group:name in order
		empty     bool
	}{
		{
			name: "boundaries",
			now:  now, days: 30,
			instances: []gandi.Instance{
				inst(1, "day31", tp(at(loc, 2026, 12, 23, 0, 0))),         // 31 days: out
				inst(2, "exactly30", tp(at(loc, 2026, 12, 22, 23, 59))),   // 30 days: in
				inst(3, "later-today", tp(at(loc, 2026, 11, 22, 18, 0))),  // today, not yet
				inst(4, "earlier-today", tp(at(loc, 2026, 11, 22, 2, 0))), // expired today
				inst(5, "past", tp(at(loc, 2026, 11, 10, 12, 0))),         // expired 12 days ago
				inst(6, "seven", tp(at(loc, 2026, 11, 29, 23, 0))),        // 7 days: ≤ 7
				inst(7, "eight", tp(at(loc, 2026, 11, 30, 0, 30))),        // 8 days: ≤ 30
				inst(8, "no-date", nil),                                   // note, not listed
				inst(9, "exactly-now", tp(now)),                           // expired (not after now)
				deleted, beingDeleted,                                     // left out
			},
			want: []string{"expired:past", "expired:earlier-today", "expired:exactly-now",
				"≤ 7 days:later-today", "≤ 7 days:seven", "≤ 30 days:eight", "≤ 30 days:exactly30"},
		},
		{
			name: "days 0 keeps today and the expired",
			now:  now, days: 0,
			instances: []gandi.Instance{
				inst(1, "tomorrow", tp(at(loc, 2026, 11, 23, 0, 1))),
				inst(2, "tonight", tp(at(loc, 2026, 11, 22, 23, 59))),
				inst(3, "past", tp(at(loc, 2025, 1, 1, 0, 0))),
			},
			want: []string{"expired:past", "≤ 7 days:tonight"},
		},
		{
			name: "beyond 30 days goes to later",
			now:  now, days: 60,
			instances: []gandi.Instance{
				inst(1, "d45", tp(at(loc, 2027, 1, 6, 9, 0))),
				inst(2, "d61", tp(at(loc, 2027, 1, 22, 9, 0))),
			},
			want: []string{"later:d45"},
		},
		{
			name: "ties by name then id",
			now:  now, days: 30,
			instances: []gandi.Instance{
				inst(3, "b", tp(at(loc, 2026, 11, 24, 9, 0))),
				inst(2, "a", tp(at(loc, 2026, 11, 24, 9, 0))),
				inst(1, "a", tp(at(loc, 2026, 11, 24, 9, 0))),
			},
			want: []string{"≤ 7 days:a", "≤ 7 days:a", "≤ 7 days:b"},
		},
		{
			name: "only nil dates is empty",
			now:  now, days: 30,
			instances: []gandi.Instance{inst(1, "x", nil), {ID: 2, Name: "zero", DateEnd: &time.Time{}}},
			empty:     true,
		},
		{name: "no instances", now: now, days: 30, empty: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := BuildExpiry(tc.instances, tc.now, loc, ExpiryParams{Days: tc.days})
			if got := names(r); !slices.Equal(got, tc.want) {
				t.Errorf("items:\n got %q\nwant %q", got, tc.want)
			}
			if r.Empty != tc.empty {
				t.Errorf("Empty = %v, want %v", r.Empty, tc.empty)
			}
			if r.Kind != KindExpiry {
				t.Errorf("Kind = %q", r.Kind)
			}
		})
	}
}

func TestBuildExpiry_Cells(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	committed := inst(7, "shop-prod", tp(at(loc, 2026, 11, 25, 14, 0)))
	committed.DateEndCommitment = tp(at(loc, 2027, 3, 1, 0, 0))
	committed.Size, committed.Type = gandi.SizeM, "nodejs"
	oldCommit := inst(8, "old", tp(at(loc, 2026, 11, 26, 14, 0)))
	oldCommit.DateEndCommitment = tp(at(loc, 2026, 1, 1, 0, 0))
	past := inst(9, "past", tp(at(loc, 2026, 11, 21, 14, 0)))

	r := BuildExpiry([]gandi.Instance{committed, oldCommit, past}, now, loc, ExpiryParams{Days: 30})
	rows := map[string][]string{}
	for _, g := range r.Groups {
		for _, it := range g.Items {
			rows[it.Name] = it.Cells
		}
	}
	// instance, id, expires, when, size, type, subscription
	want := map[string][]string{
		"shop-prod": {"shop-prod", "7", "Wed 2026-11-25 14:00 CET", "in 3 days", "m", "nodejs", "fixed until 2027-03-01"},
		"old":       {"old", "8", "Thu 2026-11-26 14:00 CET", "in 4 days", "s", "phpmysql", "-"},
		"past":      {"past", "9", "Sat 2026-11-21 14:00 CET", "expired yesterday", "s", "phpmysql", "-"},
	}
	for name, w := range want {
		if !slices.Equal(rows[name], w) {
			t.Errorf("%s cells:\n got %q\nwant %q", name, rows[name], w)
		}
	}
	// The zone of the report is the subscription's, not Paris.
	ny, _ := time.LoadLocation("America/New_York")
	r = BuildExpiry([]gandi.Instance{committed}, now, ny, ExpiryParams{Days: 30})
	if got := r.Groups[0].Items[0].Cells[2]; got != "Wed 2026-11-25 08:00 EST" {
		t.Errorf("date in New York = %q", got)
	}
	if !strings.Contains(r.Summary, "America/New_York") {
		t.Errorf("summary does not name the zone: %q", r.Summary)
	}
}

func TestBuildExpiry_DST(t *testing.T) {
	loc := paris(t)
	tests := []struct {
		name     string
		now, end time.Time
		days     int
		want     string // the "when" cell; "" = not listed
		date     string
	}{
		// Spring forward on 2027-03-28: 12:00 CET to 12:00 CEST the next
		// day is 23 hours but one calendar day.
		{"spring forward", at(loc, 2027, 3, 27, 12, 0), at(loc, 2027, 3, 28, 12, 0), 1, "tomorrow", "Sun 2027-03-28 12:00 CEST"},
		// Fall back on 2026-10-25: 25 hours, still one day.
		{"fall back", at(loc, 2026, 10, 24, 12, 0), at(loc, 2026, 10, 25, 23, 30), 1, "tomorrow", "Sun 2026-10-25 23:30 CET"},
		// 00:30 two days later is 36h30 away but two calendar days: out
		// of a one-day horizon.
		{"two days over a 25h day", at(loc, 2026, 10, 24, 12, 0), at(loc, 2026, 10, 26, 0, 30), 1, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := BuildExpiry([]gandi.Instance{inst(1, "x", &tc.end)}, tc.now, loc, ExpiryParams{Days: tc.days})
			if tc.want == "" {
				if !r.Empty {
					t.Fatalf("listed, want left out: %q", names(r))
				}
				return
			}
			if r.Empty {
				t.Fatal("left out, want listed")
			}
			cells := r.Groups[0].Items[0].Cells
			if cells[3] != tc.want || cells[2] != tc.date {
				t.Errorf("cells = %q, want when %q date %q", cells, tc.want, tc.date)
			}
		})
	}
}

func TestBuildExpiry_NotesAndButtons(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	r := BuildExpiry([]gandi.Instance{
		inst(12, "shop-prod", tp(at(loc, 2026, 11, 23, 9, 0))),
		inst(13, "nodate-b", nil), inst(14, "nodate-a", nil),
	}, now, loc, ExpiryParams{Days: 30})
	if len(r.Notes) != 1 || r.Notes[0] != "2 instances have no expiry date and are not listed: nodate-a, nodate-b." {
		t.Errorf("notes = %q", r.Notes)
	}
	b := r.Groups[0].Items[0].Button
	if b == nil || b.Label != "Renew shop-prod" || b.Action != "cmd" ||
		b.Value != "renew 12" || b.Command != "renew 12 duration=12m" { // Value opens the renew form
		t.Errorf("button = %+v", b)
	}
	if !strings.Contains(r.Hint, "/paas renew <name> duration=12m") {
		t.Errorf("hint = %q", r.Hint)
	}
}

func TestBuildExpiry_Golden(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	committed := inst(1, "shop-prod", tp(at(loc, 2026, 12, 5, 14, 0)))
	committed.DateEndCommitment = tp(at(loc, 2027, 3, 1, 0, 0))
	committed.Size = gandi.SizeM
	r := BuildExpiry([]gandi.Instance{
		committed,
		inst(2, "shop-staging", tp(at(loc, 2026, 11, 27, 12, 0))),
		inst(3, "legacy", tp(at(loc, 2026, 11, 19, 0, 0))),
		inst(4, "wiki", nil),
	}, now, loc, ExpiryParams{Days: 30})
	golden(t, "expiry.txt", plainText(r.Posting().Messages()))
}

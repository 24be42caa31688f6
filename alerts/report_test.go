package alerts

import (
	"fmt"
	"testing"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/reply"
)

func TestReportMessages_Split(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	var ins []gandi.Instance
	for i := range 45 {
		end := now.AddDate(0, 0, i-5) // 6 expired (the last at now exactly), then one a day
		ins = append(ins, inst(i+1, fmt.Sprintf("site-%02d", i+1), &end))
	}
	r := BuildExpiry(ins, now, loc, ExpiryParams{Days: 60})
	tests := []struct {
		name    string
		maxRows int
		parts   []int
	}{
		{"buttons cap at 20 per message", 50, []int{20, 20, 5}},
		{"default budget", 0, []int{20, 20, 5}},
		{"smaller row budget", 8, []int{8, 8, 8, 8, 8, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs := r.Messages(tc.maxRows)
			if len(msgs) != len(tc.parts) {
				t.Fatalf("%d messages, want %d", len(msgs), len(tc.parts))
			}
			next := 1
			for i, m := range msgs {
				if m.Visibility != reply.Shared {
					t.Errorf("message %d is not shared", i)
				}
				if len(m.Table.Rows) != tc.parts[i] || len(m.Buttons) != tc.parts[i] {
					t.Errorf("message %d: %d rows %d buttons, want %d", i, len(m.Table.Rows), len(m.Buttons), tc.parts[i])
				}
				if len(m.Buttons) > MaxButtonsPerMessage {
					t.Errorf("message %d has %d buttons", i, len(m.Buttons))
				}
				if want := fmt.Sprintf("%s (%d/%d)", r.Title, i+1, len(msgs)); m.Title != want {
					t.Errorf("title %q, want %q", m.Title, want)
				}
				if len(m.Table.Columns) != 8 || m.Table.Columns[0] != "status" {
					t.Errorf("message %d header %q", i, m.Table.Columns)
				}
				if m.Table.Rows[0][0] == "" {
					t.Errorf("message %d: first row does not name its group", i)
				}
				if m.Notes[len(m.Notes)-1] != r.Hint {
					t.Errorf("message %d does not end with the hint", i)
				}
				// Nothing lost, nothing reordered.
				for _, row := range m.Table.Rows {
					if want := fmt.Sprintf("site-%02d", next); row[1] != want {
						t.Fatalf("row %q, want %s", row, want)
					}
					next++
				}
			}
			if next != 46 {
				t.Errorf("rendered %d rows, want 45", next-1)
			}
		})
	}
	// Group names are not repeated on every row of a part.
	m := r.Messages(50)[0]
	if m.Table.Rows[0][0] != GroupExpired || m.Table.Rows[1][0] != "" || m.Table.Rows[6][0] != Group7Days {
		t.Errorf("group column: %q %q %q", m.Table.Rows[0][0], m.Table.Rows[1][0], m.Table.Rows[6][0])
	}
}

func TestReportMessages_NoButtonsUsesRowBudget(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	var ins []gandi.Instance
	for i := range 70 {
		ins = append(ins, inst(i+1, fmt.Sprintf("s%02d", i), nil)) // no profile: flagged
	}
	msgs := BuildSnapshots(ins, nil, now, loc, SnapshotParams{Days: 7}).Messages(30)
	if len(msgs) != 3 || len(msgs[0].Table.Rows) != 30 || len(msgs[2].Table.Rows) != 10 {
		t.Fatalf("parts: %d", len(msgs))
	}
	if len(msgs[0].Buttons) != 0 {
		t.Errorf("snapshots report has buttons")
	}
}

package alerts

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/reply"
)

// expiringDaily is n instances site-0001…, the first 6 expired, then one
// expiring each day.
func expiringDaily(now time.Time, n int) []gandi.Instance {
	var ins []gandi.Instance
	for i := range n {
		end := now.AddDate(0, 0, i-5) // 6 expired (the last at now exactly), then one a day
		ins = append(ins, inst(i+1, fmt.Sprintf("site-%04d", i+1), &end))
	}
	return ins
}

// TestReportPosting: whatever the report's size, one channel message with
// the 15 most urgent rows, then at most 10 thread replies of 20, then one
// line with how many are left and what lists them; nothing reordered.
func TestReportPosting(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	tests := []struct {
		name    string
		rows    int
		replies []int // rows per reply
		left    int
	}{
		{"fits the channel message", 12, nil, 0},
		{"exactly the channel message", HeadRows, nil, 0},
		{"one short reply", 16, []int{1}, 0},
		{"two replies", 45, []int{20, 10}, 0},
		{"every reply full", HeadRows + MaxThreadReplies*ReplyRows, []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 0},
		{"more than fits", 2000, []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 2000 - 215},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := BuildExpiry(expiringDaily(now, tc.rows), now, loc, ExpiryParams{Days: 3650})
			p := r.Posting()
			if p.Left != tc.left || len(p.Replies) != len(tc.replies) {
				t.Fatalf("%d replies, %d left; want %d and %d", len(p.Replies), p.Left, len(tc.replies), tc.left)
			}
			head := p.Head
			if head.Title != r.Title || head.Text != r.Summary || head.Visibility != reply.Shared {
				t.Errorf("head: title %q text %q", head.Title, head.Text)
			}
			if want := min(tc.rows, HeadRows); len(head.Table.Rows) != want || len(head.Buttons) != want {
				t.Errorf("head: %d rows %d buttons, want %d", len(head.Table.Rows), len(head.Buttons), want)
			}
			if !strings.Contains(strings.Join(head.Notes, "\n"), r.Hint) {
				t.Error("the head does not carry the hint")
			}
			threadNote := fmt.Sprintf("The next %d instances are in the thread.", tc.rows-min(tc.rows, HeadRows))
			if tc.rows == HeadRows+1 {
				threadNote = "The next instance is in the thread."
			}
			if tc.rows > HeadRows && !strings.Contains(strings.Join(head.Notes, "\n"), threadNote) {
				t.Errorf("head notes %q lack %q", head.Notes, threadNote)
			}
			next := 1
			for i, m := range p.Messages() {
				if m.Visibility != reply.Shared || len(m.Buttons) > MaxButtonsPerMessage {
					t.Errorf("message %d: visibility %v, %d buttons", i, m.Visibility, len(m.Buttons))
				}
				if i > 0 && len(m.Table.Rows) != tc.replies[i-1] {
					t.Errorf("reply %d: %d rows, want %d", i, len(m.Table.Rows), tc.replies[i-1])
				}
				if m.Table.Columns[0] != "status" || m.Table.Rows[0][0] == "" {
					t.Errorf("message %d: header %q, first row %q", i, m.Table.Columns, m.Table.Rows[0])
				}
				for _, row := range m.Table.Rows {
					if want := fmt.Sprintf("site-%04d", next); row[1] != want {
						t.Fatalf("message %d: row %q, want %s", i, row[1], want)
					}
					next++
				}
			}
			if next-1 != tc.rows-tc.left {
				t.Errorf("%d rows shown, want %d", next-1, tc.rows-tc.left)
			}
			last := p.Messages()[len(p.Replies)]
			more := fmt.Sprintf("%d more instances not shown: `/paas list expires-within=3650d sort=date_end` lists them all.", tc.left)
			ends := len(last.Notes) > 0 && last.Notes[len(last.Notes)-1] == more
			if ends != (tc.left > 0) {
				t.Errorf("last message notes %q; the remainder line expected: %v", last.Notes, tc.left > 0)
			}
		})
	}
}

// TestReportPosting_Groups: the group column names each group on its
// first row and on the first row of every message.
func TestReportPosting_Groups(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	p := BuildExpiry(expiringDaily(now, 45), now, loc, ExpiryParams{Days: 60}).Posting()
	rows := p.Head.Table.Rows
	if rows[0][0] != GroupExpired || rows[1][0] != "" || rows[6][0] != Group7Days {
		t.Errorf("group column: %q %q %q", rows[0][0], rows[1][0], rows[6][0])
	}
	if got := p.Replies[0].Table.Rows[0][0]; got != Group30Days {
		t.Errorf("first row of the thread names %q, want %q", got, Group30Days)
	}
}

// TestReportPosting_Empty: an empty report is one message saying so.
func TestReportPosting_Empty(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	p := BuildExpiry(nil, now, loc, ExpiryParams{Days: 30}).Posting()
	if len(p.Replies) != 0 || p.Left != 0 || !strings.HasPrefix(p.Head.Text, "Nothing to report") || p.Head.Table != nil {
		t.Errorf("empty posting = %+v", p)
	}
}

// TestReportPosting_NoButtons: a report without buttons (snapshots) is
// laid out by rows alone.
func TestReportPosting_NoButtons(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	var ins []gandi.Instance
	for i := range 70 {
		ins = append(ins, inst(i+1, fmt.Sprintf("s%02d", i), nil)) // no profile: flagged
	}
	p := BuildSnapshots(ins, nil, now, loc, SnapshotParams{Days: 7}).Posting()
	if len(p.Head.Table.Rows) != 15 || len(p.Replies) != 3 || len(p.Replies[2].Table.Rows) != 15 {
		t.Fatalf("head %d rows, %d replies", len(p.Head.Table.Rows), len(p.Replies))
	}
	for _, m := range p.Messages() {
		if len(m.Buttons) != 0 {
			t.Errorf("snapshots report has buttons")
		}
	}
}

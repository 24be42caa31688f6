package alerts

import (
	"fmt"

	"github.com/paasbot/paasbot/reply"
)

// MaxButtonsPerMessage bounds the buttons of one rendered message. Slack
// allows 25 per actions block; 20 leaves room and keeps a post readable.
const MaxButtonsPerMessage = 20

// DefaultMaxRows is the row budget of one message when Messages is given
// zero or less.
const DefaultMaxRows = 20

// Report is a built report: plain data, rendered by Messages. Builders
// fill every field; a zero Report renders nothing useful.
type Report struct {
	Kind Kind
	// Title names the report ("Expiry report: instances expiring within 30 days").
	Title string
	// Summary is one line saying what was found.
	Summary string
	// GroupColumn heads the first column, which shows each group's name on
	// its first row; empty means the report has no group column.
	GroupColumn string
	// Columns head the item cells; Align right-aligns a column (numbers).
	Columns []string
	Align   []bool
	Groups  []Group
	// Notes are shown with the first message (instances left out and why).
	Notes []string
	// Hint says what to do next; it is shown with every message.
	Hint string
	// Empty is true when nothing needs attention; EmptyText then says so
	// ("No instance expires within 30 days.").
	Empty     bool
	EmptyText string
}

// Group is a titled run of items ("expired", "≤ 7 days"), in report order.
type Group struct {
	Name  string
	Items []Item
}

// Item is one instance of a report.
type Item struct {
	ID   int // the instance id
	Name string
	// Cells hold one value per Report.Columns.
	Cells []string
	// Button, when set, lets a reader act on the item; clicking runs
	// Button.Value as a command typed by the clicker, so paid actions go
	// through the approval flow.
	Button *reply.Button
}

// Len is the number of items of r.
func (r Report) Len() int {
	n := 0
	for _, g := range r.Groups {
		n += len(g.Items)
	}
	return n
}

// Messages renders r as one or more Shared messages, in order. Each holds
// at most maxRows table rows (DefaultMaxRows when maxRows <= 0) and at most
// MaxButtonsPerMessage buttons; a long report is split, never cut, the
// table header and the group name repeated in every part. An empty report
// renders as one message carrying EmptyText (the scheduler decides whether
// to post it).
func (r Report) Messages(maxRows int) []reply.Message {
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	if r.Empty || r.Len() == 0 {
		text := r.EmptyText
		if text == "" {
			text = "Nothing to report."
		}
		return []reply.Message{{
			Visibility: reply.Shared, Tone: reply.Success, Title: r.Title,
			Text: text, Notes: append([]string(nil), r.Notes...),
		}}
	}

	type row struct {
		group string
		item  *Item
	}
	var parts [][]row
	var cur []row
	buttons := 0
	for gi := range r.Groups {
		g := &r.Groups[gi]
		for ii := range g.Items {
			it := &g.Items[ii]
			full := len(cur) == maxRows || (it.Button != nil && buttons == MaxButtonsPerMessage)
			if full {
				parts = append(parts, cur)
				cur, buttons = nil, 0
			}
			cur = append(cur, row{group: g.Name, item: it})
			if it.Button != nil {
				buttons++
			}
		}
	}
	parts = append(parts, cur)

	cols := r.Columns
	align := r.Align
	if r.GroupColumn != "" {
		cols = append([]string{r.GroupColumn}, cols...)
		align = append([]bool{false}, align...)
	}
	tone := reply.Warning
	msgs := make([]reply.Message, 0, len(parts))
	for pi, part := range parts {
		m := reply.Message{Visibility: reply.Shared, Tone: tone, Title: r.Title}
		if len(parts) > 1 {
			m.Title = fmt.Sprintf("%s (%d/%d)", r.Title, pi+1, len(parts))
		}
		if pi == 0 {
			m.Text = r.Summary
			m.Notes = append(m.Notes, r.Notes...)
		}
		t := &reply.Table{Columns: append([]string(nil), cols...), Align: append([]bool(nil), align...)}
		prev := ""
		for ri, rw := range part {
			var cells []string
			if r.GroupColumn != "" {
				name := ""
				if ri == 0 || rw.group != prev {
					name = rw.group
				}
				cells = append(cells, name)
				prev = rw.group
			}
			cells = append(cells, rw.item.Cells...)
			t.Rows = append(t.Rows, cells)
			if rw.item.Button != nil {
				m.Buttons = append(m.Buttons, *rw.item.Button)
			}
		}
		m.Table = t
		if r.Hint != "" {
			m.Notes = append(m.Notes, r.Hint)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

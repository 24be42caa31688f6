package alerts

import (
	"fmt"

	"github.com/paasbot/paasbot/reply"
)

// MaxButtonsPerMessage bounds the buttons of one message. Slack allows 25
// per actions block; 20 leaves room and keeps a post readable.
const MaxButtonsPerMessage = 20

// The layout of a posted report (DESIGN.md §6), whatever the account's
// size: one channel message with the HeadRows most urgent rows, the next
// ones in at most MaxThreadReplies replies of ReplyRows rows in its
// thread, then one line saying how many are left and what lists them. A
// report is thus at most 1+MaxThreadReplies Slack posts.
const (
	HeadRows         = 15
	MaxThreadReplies = 10
	ReplyRows        = 20
)

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
	// Hint says what to do next; it is shown with the channel message.
	Hint string
	// ListHint says what lists every row, for the rows a posting leaves
	// out ("`/paas list expires-within=30d sort=date_end` lists them all").
	ListHint string
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

// Posting is a report laid out for a channel: Head is posted in the
// channel, Replies in its thread, in order.
type Posting struct {
	Head    reply.Message
	Replies []reply.Message
	// Left is how many rows neither shows (the last message says so).
	Left int
}

// Messages is the head then the replies, in posting order.
func (p Posting) Messages() []reply.Message {
	return append([]reply.Message{p.Head}, p.Replies...)
}

// Posting lays r out (all messages Shared): the head carries the title,
// the summary with the counts by group, the notes, the HeadRows most
// urgent rows with their buttons and the hint; each reply carries the
// next ReplyRows rows and their buttons, the table header and group names
// repeated; past MaxThreadReplies replies, the last message ends with how
// many rows are left and r.ListHint. An empty report is a head carrying
// EmptyText (the scheduler decides whether to post it).
func (r Report) Posting() Posting {
	if r.Empty || r.Len() == 0 {
		text := r.EmptyText
		if text == "" {
			text = "Nothing to report."
		}
		return Posting{Head: reply.Message{
			Visibility: reply.Shared, Tone: reply.Success, Title: r.Title,
			Text: text, Notes: append([]string(nil), r.Notes...),
		}}
	}
	rows := r.rows()
	head := r.part(rows[:min(HeadRows, len(rows))])
	head.Title, head.Text = r.Title, r.Summary
	head.Notes = append(append([]string(nil), r.Notes...), head.Notes...)
	rest := rows[min(HeadRows, len(rows)):]
	if len(rest) > 0 {
		note := "The next instance is in the thread."
		if len(rest) > 1 {
			note = fmt.Sprintf("The next %d instances are in the thread.", len(rest))
		}
		head.Notes = append(head.Notes, note)
	}
	if r.Hint != "" {
		head.Notes = append(head.Notes, r.Hint)
	}
	p := Posting{Head: head}
	shown := len(rows) - len(rest)
	for len(rest) > 0 && len(p.Replies) < MaxThreadReplies {
		n := min(ReplyRows, len(rest))
		m := r.part(rest[:n])
		m.Text = fmt.Sprintf("%s, rows %d–%d of %d", r.Title, shown+1, shown+n, len(rows))
		p.Replies = append(p.Replies, m)
		rest, shown = rest[n:], shown+n
	}
	if p.Left = len(rest); p.Left > 0 {
		last := &p.Head
		if len(p.Replies) > 0 {
			last = &p.Replies[len(p.Replies)-1]
		}
		line := fmt.Sprintf("%s not shown", plural(p.Left, "more instance", "more instances"))
		if r.ListHint != "" {
			line += ": " + r.ListHint
		}
		last.Notes = append(last.Notes, line+".")
	}
	return p
}

// reportRow is one item of a report with its group's name.
type reportRow struct {
	group string
	item  *Item
}

// rows lists r's items in report order.
func (r Report) rows() []reportRow {
	var out []reportRow
	for gi := range r.Groups {
		g := &r.Groups[gi]
		for ii := range g.Items {
			out = append(out, reportRow{group: g.Name, item: &g.Items[ii]})
		}
	}
	return out
}

// part renders rows as one Shared message: a table (the group named on
// its first row and where it changes) and the rows' buttons.
func (r Report) part(rows []reportRow) reply.Message {
	cols, align := r.Columns, r.Align
	if r.GroupColumn != "" {
		cols = append([]string{r.GroupColumn}, cols...)
		align = append([]bool{false}, align...)
	}
	m := reply.Message{Visibility: reply.Shared, Tone: reply.Warning}
	t := &reply.Table{Columns: append([]string(nil), cols...), Align: append([]bool(nil), align...)}
	if r.GroupColumn != "" {
		t.Key = 1 // the instance, not its group, names a row
	}
	prev := ""
	for i, rw := range rows {
		var cells []string
		if r.GroupColumn != "" {
			name := ""
			if i == 0 || rw.group != prev {
				name = rw.group
			}
			cells = append(cells, name)
			prev = rw.group
		}
		t.Rows = append(t.Rows, append(cells, rw.item.Cells...))
		if rw.item.Button != nil {
			m.Buttons = append(m.Buttons, *rw.item.Button)
		}
	}
	m.Table = t
	// Each row's button beside its row, when every row has one.
	m.RowButtons = len(m.Buttons) == len(t.Rows)
	return m
}

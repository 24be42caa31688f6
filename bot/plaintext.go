package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/paasbot/paasbot/reply"
)

// RenderPlain renders m as readable plain text for a terminal: a title
// line (with a tone prefix), the text, aligned fields and tables, notes,
// and buttons shown as the command to type, e.g. "[approve 7]". Nothing
// of m is dropped. The result ends with a newline unless m is empty.
func RenderPlain(m reply.Message) string {
	var b strings.Builder
	prefix := map[reply.Tone]string{reply.Success: "✓ ", reply.Warning: "! ", reply.Error: "error: "}[m.Tone]
	switch {
	case m.Title != "":
		b.WriteString(prefix + m.Title + "\n")
		if m.Text != "" {
			b.WriteString(plainText(m.Text) + "\n")
		}
	case m.Text != "":
		b.WriteString(prefix + plainText(m.Text) + "\n")
	case prefix != "" && len(m.Fields)+len(m.Notes) > 0:
		b.WriteString(strings.TrimSpace(prefix) + "\n")
	}
	if len(m.Fields) > 0 {
		w := 0
		for _, f := range m.Fields {
			w = max(w, plainWidth(f.Label))
		}
		for _, f := range m.Fields {
			val := strings.ReplaceAll(plainText(f.Value), "\n", "\n"+strings.Repeat(" ", w+4))
			b.WriteString("  " + plainPad(plainText(f.Label)+":", w+1, false) + " " + val + "\n")
		}
	}
	if m.Table != nil {
		b.WriteString(plainTable(m.Table))
	}
	for _, n := range m.Notes {
		b.WriteString("  " + plainText(n) + "\n")
	}
	if len(m.Buttons) > 0 {
		var bs []string
		for _, bt := range m.Buttons {
			cmd := bt.Command
			if cmd == "" {
				cmd = bt.Label
			}
			bs = append(bs, "["+cmd+"]")
		}
		b.WriteString("  type: " + strings.Join(bs, "  ") + "\n")
	}
	if m.Form != nil && len(m.Form.Fields) > 0 {
		// A terminal shows no form: the line that does the same.
		b.WriteString(m.Form.Title + ": type it with its options, e.g.\n  " + m.Form.Usage + "\n")
	} else if m.Form != nil {
		label := m.Form.Label
		if label == "" {
			label = m.Form.Title
		}
		b.WriteString("  (" + label + " will be asked for next")
		if m.Form.Hint != "" {
			b.WriteString("; " + m.Form.Hint)
		}
		b.WriteString(")\n")
	}
	return b.String()
}

// plainText drops the markup of reply's text subset, which a terminal
// shows as stray characters: ``` fences become line breaks, `code` loses
// its backticks, *bold* and _italic_ their markers (only around words, so
// that ~name=* or date_end stay as written), and a mention token becomes
// "@U123".
func plainText(s string) string {
	s = strings.ReplaceAll(s, "```", "\n")
	s = strings.ReplaceAll(s, "`", "")
	s = boldMarks.ReplaceAllString(s, "$1$2$3")
	s = italicMarks.ReplaceAllString(s, "$1$2$3")
	return reply.ExpandMentions(s, func(id string) string { return "@" + id })
}

// boldMarks and italicMarks match *x* and _x_ standing as words: after the
// start, a space or an opening bracket, and before the end, a space or
// punctuation.
var (
	boldMarks   = regexp.MustCompile(`(^|[\s(\[])\*([^*\s][^*\n]*?)\*($|[\s.,;:!?)\]])`)
	italicMarks = regexp.MustCompile(`(^|[\s(\[])_([^_\s][^_\n]*?)_($|[\s.,;:!?)\]])`)
)

func plainTable(t *reply.Table) string {
	n := len(t.Columns)
	for _, r := range t.Rows {
		n = max(n, len(r))
	}
	widths := make([]int, n)
	for i, c := range t.Columns {
		widths[i] = plainWidth(c)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			widths[i] = max(widths[i], plainWidth(c))
		}
	}
	right := func(i int) bool { return i < len(t.Align) && t.Align[i] }
	line := func(cells []string) string {
		parts := make([]string, n)
		for i := range n {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			parts[i] = plainPad(c, widths[i], right(i))
		}
		return "  " + strings.TrimRight(strings.Join(parts, "  "), " ") + "\n"
	}
	var b strings.Builder
	if len(t.Columns) > 0 {
		b.WriteString(line(t.Columns))
	}
	for _, r := range t.Rows {
		b.WriteString(line(r))
	}
	return b.String()
}

func plainWidth(s string) int { return utf8.RuneCountInString(s) }

func plainPad(s string, w int, right bool) string {
	gap := w - plainWidth(s)
	if gap <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}

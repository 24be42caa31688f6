package bot

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/reply"
)

const codeFence = "```"

// escapeMrkdwn escapes the three characters Slack's mrkdwn reserves for
// links and mentions, so that user-supplied text can never ping someone or
// forge a link. Only the core's reply.Mention tokens become real mentions.
func escapeMrkdwn(s string) string {
	s = strings.ReplaceAll(s, "&", "&amp;")
	s = strings.ReplaceAll(s, "<", "&lt;")
	s = strings.ReplaceAll(s, ">", "&gt;")
	return reply.ExpandMentions(s, func(id string) string { return "<@" + id + ">" })
}

// shorten cuts a label to max characters, ending it with an ellipsis. Use
// it for titles and labels only, never for data.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	return strings.TrimRight(string(r), " ") + "…"
}

// splitMrkdwn escapes raw and splits it into chunks of at most limit
// characters, at line breaks where it can, else at a space, never inside an
// entity. A ``` code block cut by a split is closed at the end of one chunk
// and reopened at the start of the next. Joining the chunks (minus those
// added fences) gives back the escaped text, except for the line breaks the
// splits replace.
func splitMrkdwn(raw string, limit int) []string {
	return splitChunks(raw, limit, escapeMrkdwn)
}

// splitMrkdwnEscaped is splitMrkdwn for text already escaped (rows whose
// bold markers are the renderer's own).
func splitMrkdwnEscaped(esc string, limit int) []string {
	return splitChunks(esc, limit, func(s string) string { return s })
}

func splitChunks(raw string, limit int, escape func(string) string) []string {
	const reserve = len(codeFence) + 1 // room to close a fence: "\n```"
	var chunks []string
	var b strings.Builder
	n := 0           // characters in b
	inCode := false  // inside a code block at the end of b
	content := false // b holds more than a reopened fence
	needSep := false // the next line needs a "\n" first
	flush := func() {
		s := b.String()
		if inCode {
			s += "\n" + codeFence
		}
		if strings.TrimSpace(s) != "" {
			chunks = append(chunks, s)
		}
		b.Reset()
		n, content, needSep = 0, false, false
		if inCode {
			b.WriteString(codeFence + "\n")
			n = len(codeFence) + 1
		}
	}
	for _, line := range strings.Split(raw, "\n") {
		pieces := splitLine(escape(line), limit-2*reserve)
		for i, p := range pieces {
			sep := needSep && i == 0
			cost := utf8.RuneCountInString(p)
			if sep {
				cost++
			}
			if content && n+cost+reserve > limit {
				flush()
				sep = false
				cost = utf8.RuneCountInString(p)
			}
			if sep {
				b.WriteByte('\n')
			}
			b.WriteString(p)
			n += cost
			content = true
			if strings.Count(p, codeFence)%2 == 1 {
				inCode = !inCode
			}
		}
		needSep = true
	}
	if s := b.String(); content && strings.TrimSpace(s) != "" {
		chunks = append(chunks, s)
	}
	return chunks
}

// splitLine cuts an escaped line into pieces of at most max characters,
// preferring a space in the second half of a piece and never cutting an
// entity such as &amp;.
func splitLine(esc string, max int) []string {
	var out []string
	for utf8.RuneCountInString(esc) > max {
		cut := runeOffset(esc, max)
		if amp := strings.LastIndexByte(esc[:cut], '&'); amp >= 0 && amp > cut-len("&amp;") && !strings.Contains(esc[amp:cut], ";") {
			cut = amp
		}
		if sp := strings.LastIndexByte(esc[:cut], ' '); sp > cut/2 {
			cut = sp + 1
		}
		out = append(out, esc[:cut])
		esc = esc[cut:]
	}
	return append(out, esc)
}

// runeOffset is the byte offset of the n-th rune of s.
func runeOffset(s string, n int) int {
	i := 0
	for off := range s {
		if i == n {
			return off
		}
		i++
	}
	return len(s)
}

// MaxPreLine is the longest line of a preformatted block, as displayed
// (code points, after Slack's entities): what a laptop's Slack pane and a
// phone show without wrapping (DESIGN §9).
const MaxPreLine = 72

// renderTable renders t in the layout that reads on a phone: a monospace
// code block of aligned columns when every line fits MaxPreLine and no
// cell names a person (a mention inside code shows as a raw id), else one
// mrkdwn line per row ("*shop-prod* · running · m · in 5 days ⚠").
func renderTable(t reply.Table) []slack.Block {
	if tableFits(t) {
		return renderCodeTable(t)
	}
	var lines []string
	for _, r := range t.Rows {
		lines = append(lines, rowLine(t, r))
	}
	var blocks []slack.Block
	for _, chunk := range splitMrkdwnEscaped(strings.Join(lines, "\n"), MaxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	return blocks
}

// tableFits reports whether t reads as aligned columns within
// MaxPreLine and holds no mention.
func tableFits(t reply.Table) bool {
	ncols := len(t.Columns)
	for _, r := range t.Rows {
		ncols = max(ncols, len(r))
	}
	widths := make([]int, ncols)
	measure := func(row []string) bool {
		for i, c := range row {
			if reply.ExpandMentions(c, func(string) string { return "" }) != c {
				return false
			}
			widths[i] = max(widths[i], displayWidth(flatCell(c)))
		}
		return true
	}
	if !measure(t.Columns) {
		return false
	}
	for _, r := range t.Rows {
		if !measure(r) {
			return false
		}
	}
	total := 0
	for i, w := range widths {
		if i > 0 {
			total += 2
		}
		total += w
	}
	return total <= MaxPreLine
}

var flatCells = strings.NewReplacer("\r\n", " ", "\n", " ", "\t", " ")

func flatCell(s string) string { return flatCells.Replace(s) }

// displayWidth is the width of s as Slack displays it in code: code
// points, the entities it will carry counting as the one character each
// shows.
func displayWidth(s string) int { return utf8.RuneCountInString(s) }

// rowLine writes one table row as a mrkdwn line: the Key cell in bold,
// then the other non-empty cells joined by " · ", a bare number labelled
// with its column ("dc 1") so that it still says what it is.
func rowLine(t reply.Table, row []string) string {
	key := t.Key
	if key < 0 || key >= len(row) {
		key = 0
	}
	var parts []string
	if key < len(row) && strings.TrimSpace(row[key]) != "" {
		parts = append(parts, "*"+escapeMrkdwn(flatCell(row[key]))+"*")
	}
	for i, c := range row {
		c = strings.TrimSpace(flatCell(c))
		if i == key || c == "" || c == "-" || c == "—" {
			continue
		}
		if i < len(t.Columns) && t.Columns[i] != "" && isNumber(c) {
			c = t.Columns[i] + " " + c
		}
		parts = append(parts, escapeMrkdwn(c))
	}
	return strings.Join(parts, " · ")
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// wrapPre hard-wraps the lines of s's ``` blocks to MaxPreLine display
// characters, at a space where one falls in the second half of the line,
// so that no preformatted line scrolls or wraps unpredictably on a phone.
// Text outside code is left to Slack, which wraps it.
func wrapPre(s string) string {
	if !strings.Contains(s, codeFence) {
		return s
	}
	var out []string
	inCode := false
	for _, line := range strings.Split(s, "\n") {
		// A fence opening and closing on one line ("```x```") is code too.
		code := inCode || strings.Count(line, codeFence) >= 2
		if code {
			out = append(out, wrapLine(line, MaxPreLine)...)
		} else {
			out = append(out, line)
		}
		if strings.Count(line, codeFence)%2 == 1 {
			inCode = !inCode
		}
	}
	return strings.Join(out, "\n")
}

// wrapLine cuts line into pieces of at most width display characters.
func wrapLine(line string, width int) []string {
	var out []string
	for displayWidth(line) > width {
		r := []rune(line)
		cut := width
		if sp := strings.LastIndex(string(r[:width]), " "); sp > 0 && utf8.RuneCountInString(string(r[:width])[:sp]) > width/2 {
			cut = utf8.RuneCountInString(string(r[:width])[:sp]) + 1
		}
		out = append(out, strings.TrimRight(string(r[:cut]), " "))
		line = string(r[cut:])
	}
	return append(out, line)
}

// renderCodeTable renders t as monospace code blocks with aligned columns, as
// many sections as needed, each repeating the header row and cut only
// between rows. A table whose single row cannot fit a section is rendered
// as records ("Column: value" lines) instead, so nothing is lost.
func renderCodeTable(t reply.Table) []slack.Block {
	ncols := len(t.Columns)
	for _, r := range t.Rows {
		ncols = max(ncols, len(r))
	}
	if ncols == 0 {
		return nil
	}
	flat := strings.NewReplacer("\r\n", " ", "\n", " ", "\t", " ")
	cell := func(row []string, i int) string {
		if i >= len(row) {
			return ""
		}
		return flat.Replace(row[i])
	}
	widths := make([]int, ncols)
	for i := range ncols {
		widths[i] = utf8.RuneCountInString(cell(t.Columns, i))
		for _, r := range t.Rows {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell(r, i)))
		}
	}
	format := func(row []string) string {
		parts := make([]string, ncols)
		for i := range ncols {
			c := cell(row, i)
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i < len(t.Align) && t.Align[i] {
				parts[i] = pad + c
			} else {
				parts[i] = c + pad
			}
		}
		return escapeMrkdwn(strings.TrimRight(strings.Join(parts, "  "), " "))
	}

	head := codeFence + "\n"
	if len(t.Columns) > 0 {
		rule := make([]string, ncols)
		for i, w := range widths {
			rule[i] = strings.Repeat("-", max(w, 1))
		}
		head += format(t.Columns) + "\n" + strings.Join(rule, "  ") + "\n"
	}
	tail := codeFence
	headLen, tailLen := utf8.RuneCountInString(head), utf8.RuneCountInString(tail)

	lines := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		lines[i] = format(r)
		if headLen+utf8.RuneCountInString(lines[i])+1+tailLen > MaxSectionText {
			return renderRecords(t, ncols, cell)
		}
	}

	var blocks []slack.Block
	var b strings.Builder
	n, rows := 0, 0
	flush := func() {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(head+b.String()+tail), nil, nil))
		b.Reset()
		n, rows = 0, 0
	}
	for _, l := range lines {
		cost := utf8.RuneCountInString(l) + 1
		if rows > 0 && headLen+n+cost+tailLen > MaxSectionText {
			flush()
		}
		b.WriteString(l)
		b.WriteByte('\n')
		n += cost
		rows++
	}
	if rows > 0 || len(blocks) == 0 {
		flush()
	}
	return blocks
}

// renderRecords is the fallback layout for tables too wide for a code
// block: one "Column: value" line per cell, a blank line between rows.
func renderRecords(t reply.Table, ncols int, cell func([]string, int) string) []slack.Block {
	var sb strings.Builder
	for ri, r := range t.Rows {
		if ri > 0 {
			sb.WriteString("\n\n")
		}
		for i := range ncols {
			if i > 0 {
				sb.WriteByte('\n')
			}
			name := cell(t.Columns, i)
			if name == "" {
				name = "#" + strconv.Itoa(i+1)
			}
			sb.WriteString("*" + name + ":* " + cell(r, i))
		}
	}
	var blocks []slack.Block
	for _, chunk := range splitMrkdwn(sb.String(), MaxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	return blocks
}

package commands

import (
	"strings"
	"unicode"
)

// Rendering a parsed line back to text: what a button re-runs (the More
// button of a list, a report's Renew) must read back to the same line.

// String renders the line in a canonical form that Parse reads back to
// the same Line: words quoted when they need it, &, < escaped where they
// would be read as an escape or a link.
func (l Line) String() string {
	parts := make([]string, 0, len(l.Args))
	for _, a := range l.Args {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, " ")
}

// String renders one argument canonically (see Line.String).
func (a Arg) String() string {
	switch a.Kind {
	case Flag:
		return "--" + a.Key
	case Pair:
		v := quoteValue(a.Value, false)
		if a.Link != "" && a.Value != "" {
			v = renderLink(a.Link, a.Value)
		}
		if strings.HasPrefix(a.Key, "-") {
			return "--" + a.Key + "=" + v
		}
		return a.Key + "=" + v
	default:
		if a.Link != "" && a.Value != "" {
			return renderLink(a.Link, a.Value)
		}
		return quoteValue(a.Value, true)
	}
}

// quoteValue quotes s when Parse would otherwise split it, drop it, or
// read it as a pair or a flag (word is true for a positional word).
func quoteValue(s string, word bool) string {
	s = escapeSlack(s)
	needs := s == ""
	for _, r := range s {
		if unicode.IsSpace(r) || isQuoteRune(r) {
			needs = true
			break
		}
	}
	if word && !needs {
		if strings.HasPrefix(s, "--") || strings.HasPrefix(s, "—") || strings.HasPrefix(s, "–") {
			needs = true
		} else if k, _, ok := strings.Cut(s, "="); ok && validKey(k) {
			needs = true
		}
	}
	if !needs {
		return s
	}
	// Quote with " unless the text holds one; then join segments.
	var b strings.Builder
	seg := func(txt string) {
		if txt == "" {
			return
		}
		if !strings.ContainsRune(txt, '"') {
			b.WriteString(`"` + txt + `"`)
		} else {
			b.WriteString(`'` + txt + `'`)
		}
	}
	if s == "" {
		return `""`
	}
	// Split s into runs that each avoid one of the two ASCII quotes and
	// contain no other opening quote unquoted (inside quotes, only the
	// closer matters).
	cur := strings.Builder{}
	curHasDQ, curHasSQ := false, false
	for _, r := range s {
		isDQ, isSQ := r == '"', r == '\''
		if (isDQ && curHasSQ) || (isSQ && curHasDQ) {
			seg(cur.String())
			cur.Reset()
			curHasDQ, curHasSQ = false, false
		}
		if isDQ {
			curHasDQ = true
		}
		if isSQ {
			curHasSQ = true
		}
		cur.WriteRune(r)
	}
	seg(cur.String())
	return b.String()
}

func isQuoteRune(r rune) bool {
	_, ok := closingQuote[r]
	return ok || r == '”' || r == '’' || r == '»'
}

// renderLink writes a Slack link form that Parse reads back as target
// and label.
func renderLink(target, label string) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", " ")
	return "<" + esc.Replace(target) + "|" + esc.Replace(label) + ">"
}

// escapeSlack escapes & and < where Parse would decode them.
func escapeSlack(s string) string {
	if !strings.ContainsAny(s, "&<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '&':
			if _, n := entityAt(s[i:]); n > 0 {
				b.WriteString("&amp;")
				continue
			}
		case s[i] == '<':
			for _, p := range linkPrefixes {
				if strings.HasPrefix(s[i+1:], p) {
					b.WriteString("&lt;")
					goto next
				}
			}
		}
		b.WriteByte(s[i])
	next:
	}
	return b.String()
}

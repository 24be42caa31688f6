package commands

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ArgKind says how a word of a command line was written.
type ArgKind int

const (
	// Word is a plain or quoted word: a command name, an instance, a switch
	// such as "fixed".
	Word ArgKind = iota
	// Pair is key=value (also --key=value).
	Pair
	// Flag is --name (also —name, as Slack's autocorrect writes it).
	Flag
)

// Arg is one word of a parsed line, after quotes, Slack escapes and Slack
// links have been removed.
type Arg struct {
	Kind  ArgKind
	Key   string // Pair and Flag: the key or flag name (without "--")
	Value string // Word and Pair: the text
	// Link is set when the word (or a pair's value) was written as exactly
	// one Slack link: its target, e.g. "#C123" for <#C123|ops>, "@U123"
	// for <@U123|sam>, or the URL, while Value holds the label. Alerts use
	// it to get a channel id rather than its name.
	Link string
}

// Line is a parsed command line: its words in order.
type Line struct {
	Args []Arg
}

// ParseError points at the word of a line that could not be read.
type ParseError struct {
	Index int    // index of the bad word (0-based)
	Word  string // the word as typed
	Msg   string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("cannot read %s: %s", quoteWord(e.Word), e.Msg)
}

// closingQuote maps each opening quote to the quotes that close it.
// Slack's clients turn typed quotes into smart ones; a lone ’ is an
// apostrophe and stays literal.
var closingQuote = map[rune]string{
	'"':  `"`,
	'\'': `'`,
	'“':  `”“"`,
	'‘':  `’‘'`,
	'„':  `“”"`,
	'«':  `»`,
}

// Parse reads a command line as a transport received it: words separated
// by white space; key=value pairs and --flags; values quoted with "…",
// '…', “…” or ‘…’ (quoted parts of one word join, as in a shell); Slack's
// escapes &amp; &lt; &gt; decoded; Slack's link forms <http://x|label>,
// <#C123|ops>, <@U123|sam>, <mailto:a@b|a@b> replaced by their label (or
// their target when they have none). It never panics; an unterminated
// quote or an empty --flag is a *ParseError.
func Parse(text string) (Line, error) {
	var line Line
	text = strings.ToValidUTF8(text, "\uFFFD")
	words, err := splitWords(text)
	if err != nil {
		return line, err
	}
	for i, w := range words {
		a, err := classify(w)
		if err != nil {
			return Line{}, &ParseError{Index: i, Word: w.typed, Msg: err.Error()}
		}
		line.Args = append(line.Args, a)
	}
	return line, nil
}

// rawWord is one word before classification: its decoded text and, for
// each byte of it, whether it came from inside quotes.
type rawWord struct {
	text   strings.Builder
	quoted []bool
	typed  string // the word as typed, for error messages
	any    bool   // some content (even an empty quote) was read
	links  []linkSpan
}

// linkSpan is where a Slack link's label sits in a word's decoded text.
type linkSpan struct {
	start, end int
	target     string
}

func (w *rawWord) add(s string, quoted bool) {
	w.text.WriteString(s)
	for range len(s) {
		w.quoted = append(w.quoted, quoted)
	}
	w.any = true
}

// addUnquoted adds an unquoted run: entities decoded, and each link's
// label added as literal data (like a quoted part) and recorded.
func (w *rawWord) addUnquoted(run string) {
	plainStart := 0
	for k := 0; k < len(run); k++ {
		if run[k] != '<' {
			continue
		}
		label, end, ok := linkAt(run, k)
		if !ok {
			continue
		}
		if k > plainStart {
			w.add(decodeEntities(run[plainStart:k]), false)
		}
		target, _, _ := strings.Cut(run[k+1:end-1], "|")
		start := w.text.Len()
		w.add(label, true)
		w.links = append(w.links, linkSpan{start: start, end: w.text.Len(), target: decodeEntities(target)})
		plainStart = end
		k = end - 1
	}
	if plainStart < len(run) || len(run) == 0 {
		w.add(decodeEntities(run[plainStart:]), false)
	}
}

func splitWords(text string) ([]*rawWord, error) {
	var words []*rawWord
	var cur *rawWord
	start := 0
	flush := func(end int) {
		if cur != nil && cur.any {
			cur.typed = text[start:end]
			words = append(words, cur)
		}
		cur = nil
	}
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			flush(i)
			i += size
			continue
		}
		if cur == nil {
			cur, start = &rawWord{}, i
		}
		if closers, ok := closingQuote[r]; ok {
			j := i + size
			end := -1
			for k, c := range text[j:] {
				if strings.ContainsRune(closers, c) {
					end = j + k
					break
				}
			}
			if end < 0 {
				return nil, &ParseError{Index: len(words), Word: text[start:], Msg: fmt.Sprintf("the quote %c is never closed", r)}
			}
			cur.add(decodeSlack(text[j:end]), true)
			cur.any = true
			_, csize := utf8.DecodeRuneInString(text[end:])
			i = end + csize
			continue
		}
		// Unquoted run up to white space or a quote.
		j := i
		for j < len(text) {
			c, cs := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(c) {
				break
			}
			if _, q := closingQuote[c]; q {
				break
			}
			if c == '<' {
				if _, end, ok := linkAt(text, j); ok {
					j = end
					continue
				}
			}
			j += cs
		}
		cur.addUnquoted(text[i:j])
		i = j
	}
	flush(len(text))
	return words, nil
}

// linkPrefixes start the targets of Slack's link forms.
var linkPrefixes = []string{"http://", "https://", "mailto:", "#", "@", "!"}

// linkAt reports whether a Slack link form starts at s[i] ('<'), and
// returns its replacement and the index just past its '>'.
func linkAt(s string, i int) (label string, end int, ok bool) {
	if i >= len(s) || s[i] != '<' {
		return "", 0, false
	}
	body := s[i+1:]
	hasPrefix := false
	for _, p := range linkPrefixes {
		if strings.HasPrefix(body, p) && len(body) > len(p) {
			hasPrefix = true
			break
		}
	}
	if !hasPrefix {
		return "", 0, false
	}
	k := strings.IndexAny(body, "<>\n")
	if k < 0 || body[k] != '>' {
		return "", 0, false
	}
	inner := body[:k]
	target, lbl, hasLabel := strings.Cut(inner, "|")
	if strings.ContainsFunc(target, unicode.IsSpace) {
		return "", 0, false
	}
	switch {
	case hasLabel && lbl != "":
		label = lbl
	case strings.HasPrefix(target, "mailto:"):
		label = strings.TrimPrefix(target, "mailto:")
	case strings.HasPrefix(target, "#"), strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
		label = target[1:]
	default:
		label = target
	}
	return decodeEntities(label), i + 1 + k + 1, true
}

// decodeSlack replaces the link forms of s by their labels and decodes
// Slack's three escapes.
func decodeSlack(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	i := 0
	for i < len(s) {
		if s[i] == '<' {
			if label, end, ok := linkAt(s, i); ok {
				b.WriteString(label)
				i = end
				continue
			}
		}
		if s[i] == '&' {
			if r, n := entityAt(s[i:]); n > 0 {
				b.WriteByte(r)
				i += n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if r, n := entityAt(s[i:]); n > 0 {
			b.WriteByte(r)
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func entityAt(s string) (byte, int) {
	switch {
	case strings.HasPrefix(s, "&amp;"):
		return '&', 5
	case strings.HasPrefix(s, "&lt;"):
		return '<', 4
	case strings.HasPrefix(s, "&gt;"):
		return '>', 4
	}
	return 0, 0
}

// isKeyByte is the alphabet of keys: the API's filter keys (~name,
// <date_end) and the friendly ones (per-page, name~).
func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '~' || c == '<' || c == '>'
}

func classify(w *rawWord) (Arg, error) {
	s := w.text.String()
	unquotedPrefix := func(n int) bool {
		for k := 0; k < n && k < len(w.quoted); k++ {
			if w.quoted[k] {
				return false
			}
		}
		return len(s) >= n
	}
	// --flag, --key=value; Slack may have turned "--" into an em or en dash.
	dash := 0
	switch {
	case strings.HasPrefix(s, "--") && unquotedPrefix(2):
		dash = 2
	case strings.HasPrefix(s, "—") && unquotedPrefix(len("—")):
		dash = len("—")
	case strings.HasPrefix(s, "–") && unquotedPrefix(len("–")):
		dash = len("–")
	}
	if dash > 0 {
		rest := s[dash:]
		key, val, hasEq := strings.Cut(rest, "=")
		if key == "" || !validKey(key) || strings.ContainsAny(key, "<>~") {
			return Arg{}, fmt.Errorf("a flag is -- followed by a name, such as --share")
		}
		if hasEq {
			return Arg{Kind: Pair, Key: key, Value: val}, nil
		}
		return Arg{Kind: Flag, Key: key}, nil
	}
	// key=value: the first unquoted '=' after a non-empty unquoted key.
	for k := 0; k < len(s); k++ {
		if w.quoted[k] {
			break
		}
		if s[k] == '=' {
			if k > 0 && validKey(s[:k]) {
				return Arg{Kind: Pair, Key: s[:k], Value: s[k+1:], Link: w.wholeLink(k+1, len(s))}, nil
			}
			break
		}
		if !isKeyByte(s[k]) {
			break
		}
	}
	return Arg{Kind: Word, Value: s, Link: w.wholeLink(0, len(s))}, nil
}

// wholeLink returns the target of the one link spanning exactly [start,
// end) of the word, "" otherwise.
func (w *rawWord) wholeLink(start, end int) string {
	if len(w.links) != 1 || w.links[0].start != start || w.links[0].end != end || start == end {
		return ""
	}
	return w.links[0].target
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isKeyByte(k[i]) {
			return false
		}
	}
	return strings.Trim(k, "<>~") != ""
}

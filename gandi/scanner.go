package gandi

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// scanner is a small XML tokenizer for XML-RPC documents, several times
// faster than encoding/xml (which dominated the decoding time of a large
// paas.list). It supports what XML-RPC uses: the declaration, elements
// with attributes (ignored) and namespace prefixes (dropped), self-closing
// tags, text with the predefined and numeric entities, CDATA, comments and
// processing instructions. Document type declarations are refused (no
// entity expansion attacks). Tags must nest properly; text must be UTF-8.
type scanner struct {
	in      []byte
	pos     int
	stack   []string // open elements
	pending bool     // a self-closing tag's end is due
}

type tokKind uint8

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
)

// token is one element boundary or run of text. text aliases the input or
// a fresh buffer, never memory the scanner reuses.
type token struct {
	kind tokKind
	name string
	text []byte
}

// maxOpen bounds element nesting (values are bounded separately).
const maxOpen = 4 * maxDepth

var errEOF = errors.New("unexpected end of document")

func newScanner(in []byte) (*scanner, error) {
	in, err := toUTF8(in)
	if err != nil {
		return nil, err
	}
	return &scanner{in: in}, nil
}

// next returns the next start tag, end tag or text; comments, processing
// instructions and text outside the root element are skipped.
func (s *scanner) next() (token, error) {
	if s.pending {
		s.pending = false
		name := s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
		return token{kind: tokEnd, name: name}, nil
	}
	for {
		if s.pos >= len(s.in) {
			return token{}, errEOF
		}
		if s.in[s.pos] != '<' {
			t, err := s.text()
			if err != nil {
				return token{}, err
			}
			if len(s.stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return token{}, errors.New("text outside the root element")
				}
				continue
			}
			return token{kind: tokText, text: t}, nil
		}
		var second byte
		if s.pos+1 < len(s.in) {
			second = s.in[s.pos+1]
		}
		switch second {
		case '/':
			return s.endTag()
		case '?':
			if err := s.skipPast("?>"); err != nil {
				return token{}, err
			}
		case '!':
			if t, ok, err := s.bang(); err != nil || ok {
				return t, err
			}
		default:
			return s.startTag()
		}
	}
}

// bang handles "<!": comments are skipped (ok false), CDATA is text,
// anything else (DOCTYPE) is refused.
func (s *scanner) bang() (token, bool, error) {
	rest := s.in[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return token{}, false, s.skipPast("-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		if len(s.stack) == 0 {
			return token{}, false, errors.New("CDATA outside the root element")
		}
		start := s.pos + len("<![CDATA[")
		end := bytes.Index(s.in[start:], []byte("]]>"))
		if end < 0 {
			return token{}, false, errEOF
		}
		s.pos = start + end + 3
		t := s.in[start : start+end]
		if !utf8.Valid(t) {
			return token{}, false, errors.New("invalid UTF-8")
		}
		return token{kind: tokText, text: t}, true, nil
	}
	return token{}, false, errors.New("document type declarations are not allowed")
}

func (s *scanner) skipPast(end string) error {
	i := bytes.Index(s.in[s.pos:], []byte(end))
	if i < 0 {
		return errEOF
	}
	s.pos += i + len(end)
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// readName reads an element name and drops a namespace prefix.
func (s *scanner) readName() (string, error) {
	start := s.pos
	for s.pos < len(s.in) {
		c := s.in[s.pos]
		if isSpace(c) || c == '>' || c == '/' || c == '<' || c == '=' {
			break
		}
		s.pos++
	}
	b := s.in[start:s.pos]
	if len(b) == 0 {
		return "", errors.New("element without a name")
	}
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		b = b[i+1:]
	}
	if len(b) == 0 || !utf8.Valid(b) {
		return "", errors.New("bad element name")
	}
	return internName(b), nil
}

func (s *scanner) startTag() (token, error) {
	s.pos++ // '<'
	name, err := s.readName()
	if err != nil {
		return token{}, err
	}
	// Attributes are skipped, honouring quotes.
	var quote byte
	for ; s.pos < len(s.in); s.pos++ {
		c := s.in[s.pos]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			return token{}, errors.New("'<' inside a tag")
		case c == '>':
			selfClosing := s.in[s.pos-1] == '/'
			s.pos++
			if len(s.stack) >= maxOpen {
				return token{}, fmt.Errorf("elements nested deeper than %d", maxOpen)
			}
			s.stack = append(s.stack, name)
			s.pending = selfClosing
			return token{kind: tokStart, name: name}, nil
		}
	}
	return token{}, errEOF
}

func (s *scanner) endTag() (token, error) {
	s.pos += 2 // "</"
	name, err := s.readName()
	if err != nil {
		return token{}, err
	}
	for s.pos < len(s.in) && isSpace(s.in[s.pos]) {
		s.pos++
	}
	if s.pos >= len(s.in) {
		return token{}, errEOF
	}
	if s.in[s.pos] != '>' {
		return token{}, fmt.Errorf("bad end tag </%s", name)
	}
	s.pos++
	if len(s.stack) == 0 || s.stack[len(s.stack)-1] != name {
		return token{}, fmt.Errorf("unexpected end tag </%s>", name)
	}
	s.stack = s.stack[:len(s.stack)-1]
	return token{kind: tokEnd, name: name}, nil
}

// text reads character data up to the next '<', decoding entities.
func (s *scanner) text() ([]byte, error) {
	start := s.pos
	end := bytes.IndexByte(s.in[start:], '<')
	if end < 0 {
		end = len(s.in)
	} else {
		end += start
	}
	s.pos = end
	raw := s.in[start:end]
	if !utf8.Valid(raw) {
		return nil, errors.New("invalid UTF-8")
	}
	if bytes.IndexByte(raw, '\r') >= 0 {
		// XML end-of-line handling: "\r\n" and a lone "\r" read as "\n".
		raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
		raw = bytes.ReplaceAll(raw, []byte("\r"), []byte("\n"))
	}
	amp := bytes.IndexByte(raw, '&')
	if amp < 0 {
		return raw, nil
	}
	buf := make([]byte, 0, len(raw))
	buf = append(buf, raw[:amp]...)
	for i := amp; i < len(raw); {
		c := raw[i]
		if c != '&' {
			buf = append(buf, c)
			i++
			continue
		}
		semi := bytes.IndexByte(raw[i:], ';')
		if semi < 0 {
			return nil, errors.New("unterminated entity")
		}
		ent := raw[i+1 : i+semi]
		i += semi + 1
		switch string(ent) {
		case "lt":
			buf = append(buf, '<')
		case "gt":
			buf = append(buf, '>')
		case "amp":
			buf = append(buf, '&')
		case "quot":
			buf = append(buf, '"')
		case "apos":
			buf = append(buf, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return nil, fmt.Errorf("unknown entity &%s;", clip(string(ent)))
			}
			buf = utf8.AppendRune(buf, r)
		}
	}
	return buf, nil
}

// charRef decodes "#65" or "#x41".
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if ent[1] == 'x' {
		n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
	}
	if err != nil || n == 0 || n > utf8.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
		return 0, false
	}
	return rune(n), true
}

// internName returns the XML-RPC element names without allocating.
func internName(b []byte) string {
	switch string(b) {
	case "value":
		return "value"
	case "member":
		return "member"
	case "name":
		return "name"
	case "struct":
		return "struct"
	case "array":
		return "array"
	case "data":
		return "data"
	case "string":
		return "string"
	case "int":
		return "int"
	case "i4":
		return "i4"
	case "i8":
		return "i8"
	case "boolean":
		return "boolean"
	case "double":
		return "double"
	case "dateTime.iso8601":
		return "dateTime.iso8601"
	case "base64":
		return "base64"
	case "nil":
		return "nil"
	case "params":
		return "params"
	case "param":
		return "param"
	case "fault":
		return "fault"
	case "methodResponse":
		return "methodResponse"
	case "methodCall":
		return "methodCall"
	case "methodName":
		return "methodName"
	}
	return string(b)
}

// toUTF8 reads the encoding of the XML declaration: UTF-8 and ASCII pass
// through, ISO-8859-1 is converted, anything else is refused.
func toUTF8(in []byte) ([]byte, error) {
	in = bytes.TrimPrefix(in, []byte("\xef\xbb\xbf")) // BOM
	if !bytes.HasPrefix(bytes.TrimLeft(in, " \t\r\n"), []byte("<?xml")) {
		return in, nil
	}
	end := bytes.Index(in, []byte("?>"))
	if end < 0 {
		return in, nil // the scanner reports it
	}
	decl := in[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return in, nil
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return nil, errors.New("bad encoding declaration")
	}
	j := bytes.IndexByte(rest[1:], rest[0])
	if j < 0 {
		return nil, errors.New("bad encoding declaration")
	}
	switch label := string(bytes.ToLower(rest[1 : 1+j])); label {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		out := make([]byte, 0, len(in)+len(in)/8)
		for _, c := range in {
			out = utf8.AppendRune(out, rune(c))
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unsupported encoding %q", clip(label))
	}
}

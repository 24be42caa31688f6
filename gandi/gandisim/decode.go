package gandisim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// This file is the simulator's own XML-RPC codec. It is written apart from
// the gandi client on purpose: the simulator is an independent check of the
// client, so the two must not share a decoder's bugs.
//
// Decoded values are: string, int (64-bit), bool, float64, time.Time (read
// as Europe/Paris wall-clock), []byte (base64), []any, map[string]any and
// nil (<nil/>).

// maxDepth bounds nesting of arrays and structs in a request, so a hostile
// body cannot exhaust the stack.
const maxDepth = 32

// errMalformed wraps every decoding failure; the server answers it with
// fault code 1.
var errMalformed = errors.New("malformed XML-RPC")

// wireTime is the layout of dateTime.iso8601 on the Gandi wire: no zone.
const wireTime = "20060102T15:04:05"

type xmlParser struct {
	d     *xml.Decoder
	loc   *time.Location
	depth int
}

func newXMLParser(r io.Reader, loc *time.Location) *xmlParser {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = charsetReader
	return &xmlParser{d: d, loc: loc}
}

// charsetReader accepts the encodings XML-RPC clients actually declare.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		runes := make([]rune, len(b))
		for i, c := range b {
			runes[i] = rune(c)
		}
		return strings.NewReader(string(runes)), nil
	}
	return nil, fmt.Errorf("unsupported charset %q", label)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// next returns the next token that matters: elements and character data.
// Whitespace-only text between elements is skipped unless keepText is set.
func (p *xmlParser) token() (xml.Token, error) {
	for {
		t, err := p.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, malformed("unexpected end of document")
			}
			return nil, fmt.Errorf("%w: %w", errMalformed, err)
		}
		switch t := t.(type) {
		case xml.Comment, xml.ProcInst, xml.Directive:
			continue
		case xml.CharData:
			return t.Copy(), nil
		default:
			return t, nil
		}
	}
}

// nextElement skips blank text and returns the next start or end element.
func (p *xmlParser) nextElement() (xml.Token, error) {
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		if cd, ok := t.(xml.CharData); ok {
			if len(bytes.TrimSpace(cd)) != 0 {
				return nil, malformed("unexpected text %q", truncate(string(cd)))
			}
			continue
		}
		return t, nil
	}
}

func (p *xmlParser) expectStart(name string) error {
	t, err := p.nextElement()
	if err != nil {
		return err
	}
	se, ok := t.(xml.StartElement)
	if !ok || se.Name.Local != name {
		return malformed("expected <%s>, got %s", name, describe(t))
	}
	return nil
}

func (p *xmlParser) expectEnd(name string) error {
	t, err := p.nextElement()
	if err != nil {
		return err
	}
	ee, ok := t.(xml.EndElement)
	if !ok || ee.Name.Local != name {
		return malformed("expected </%s>, got %s", name, describe(t))
	}
	return nil
}

// text reads character data up to the end of element name.
func (p *xmlParser) text(name string) (string, error) {
	var sb strings.Builder
	for {
		t, err := p.token()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.EndElement:
			if t.Name.Local != name {
				return "", malformed("expected </%s>, got </%s>", name, t.Name.Local)
			}
			return sb.String(), nil
		default:
			return "", malformed("unexpected %s inside <%s>", describe(t), name)
		}
	}
}

func describe(t xml.Token) string {
	switch t := t.(type) {
	case xml.StartElement:
		return "<" + t.Name.Local + ">"
	case xml.EndElement:
		return "</" + t.Name.Local + ">"
	case xml.CharData:
		return fmt.Sprintf("text %q", truncate(string(t)))
	}
	return fmt.Sprintf("%T", t)
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// decodeCall parses a methodCall document into its method name and params.
func decodeCall(r io.Reader, loc *time.Location) (string, []any, error) {
	p := newXMLParser(r, loc)
	if err := p.expectStart("methodCall"); err != nil {
		return "", nil, err
	}
	if err := p.expectStart("methodName"); err != nil {
		return "", nil, err
	}
	method, err := p.text("methodName")
	if err != nil {
		return "", nil, err
	}
	method = strings.TrimSpace(method)
	if method == "" {
		return "", nil, malformed("empty methodName")
	}
	var params []any
	t, err := p.nextElement()
	if err != nil {
		return "", nil, err
	}
	if se, ok := t.(xml.StartElement); ok && se.Name.Local == "params" {
		for {
			t, err := p.nextElement()
			if err != nil {
				return "", nil, err
			}
			if ee, ok := t.(xml.EndElement); ok && ee.Name.Local == "params" {
				break
			}
			if se, ok := t.(xml.StartElement); !ok || se.Name.Local != "param" {
				return "", nil, malformed("expected <param>, got %s", describe(t))
			}
			v, err := p.value()
			if err != nil {
				return "", nil, err
			}
			if err := p.expectEnd("param"); err != nil {
				return "", nil, err
			}
			params = append(params, v)
		}
		t, err = p.nextElement()
		if err != nil {
			return "", nil, err
		}
	}
	if ee, ok := t.(xml.EndElement); !ok || ee.Name.Local != "methodCall" {
		return "", nil, malformed("expected </methodCall>, got %s", describe(t))
	}
	return method, params, nil
}

func (p *xmlParser) value() (any, error) {
	if err := p.expectStart("value"); err != nil {
		return nil, err
	}
	return p.valueBody()
}

func (p *xmlParser) valueBody() (any, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, malformed("values nested deeper than %d", maxDepth)
	}
	var raw strings.Builder
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			raw.Write(t)
		case xml.EndElement:
			// An untyped value is a string, whitespace included.
			return raw.String(), nil
		case xml.StartElement:
			if strings.TrimSpace(raw.String()) != "" {
				return nil, malformed("text mixed with <%s>", t.Name.Local)
			}
			v, err := p.typed(t.Name.Local)
			if err != nil {
				return nil, err
			}
			if err := p.expectEnd("value"); err != nil {
				return nil, err
			}
			return v, nil
		}
	}
}

func (p *xmlParser) typed(name string) (any, error) {
	switch name {
	case "string":
		return p.text(name)
	case "int", "i4", "i8":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || (name == "i4" && (n > math.MaxInt32 || n < math.MinInt32)) {
			return nil, malformed("bad <%s> %q", name, truncate(s))
		}
		return int(n), nil
	case "boolean":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(s) {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
		return nil, malformed("bad <boolean> %q", truncate(s))
	case "double":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, malformed("bad <double> %q", truncate(s))
		}
		return f, nil
	case "dateTime.iso8601":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		return parseWireTime(strings.TrimSpace(s), p.loc)
	case "base64":
		s, err := p.text(name)
		if err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, malformed("bad <base64>")
		}
		return b, nil
	case "nil":
		if _, err := p.text(name); err != nil {
			return nil, err
		}
		return nil, nil
	case "struct":
		return p.structBody()
	case "array":
		return p.arrayBody()
	}
	return nil, malformed("unknown value type <%s>", name)
}

func (p *xmlParser) structBody() (any, error) {
	m := map[string]any{}
	for {
		t, err := p.nextElement()
		if err != nil {
			return nil, err
		}
		if ee, ok := t.(xml.EndElement); ok && ee.Name.Local == "struct" {
			return m, nil
		}
		if se, ok := t.(xml.StartElement); !ok || se.Name.Local != "member" {
			return nil, malformed("expected <member>, got %s", describe(t))
		}
		if err := p.expectStart("name"); err != nil {
			return nil, err
		}
		name, err := p.text("name")
		if err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := p.expectEnd("member"); err != nil {
			return nil, err
		}
		if _, dup := m[name]; dup {
			return nil, malformed("duplicate struct member %q", truncate(name))
		}
		m[name] = v
	}
}

func (p *xmlParser) arrayBody() (any, error) {
	if err := p.expectStart("data"); err != nil {
		return nil, err
	}
	list := []any{}
	for {
		t, err := p.nextElement()
		if err != nil {
			return nil, err
		}
		if ee, ok := t.(xml.EndElement); ok && ee.Name.Local == "data" {
			break
		}
		if se, ok := t.(xml.StartElement); !ok || se.Name.Local != "value" {
			return nil, malformed("expected <value>, got %s", describe(t))
		}
		v, err := p.valueBody()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	if err := p.expectEnd("array"); err != nil {
		return nil, err
	}
	return list, nil
}

// parseWireTime reads the zone-less layouts clients send, as wall-clock
// time in loc (Europe/Paris, like the real service).
func parseWireTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{wireTime, "2006-01-02T15:04:05", "20060102T15:04:05Z", "2006-01-02T15:04:05Z07:00"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, malformed("bad <dateTime.iso8601> %q", truncate(s))
}

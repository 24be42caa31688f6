package gandi

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// This file parses XML-RPC documents into a small value tree. It is written
// here rather than taken from kolo/xmlrpc because that decoder leaves a
// <nil/> *time.Time as a pointer to the zero time, drops struct members
// after an empty <value/>, and decodes dates as UTC. The parser never
// panics, bounds nesting depth, and reports malformed input as an error.

type kind uint8

const (
	kindNil kind = iota
	kindString
	kindInt
	kindBool
	kindDouble
	kindDate
	kindBase64
	kindStruct
	kindArray
)

func (k kind) String() string {
	return [...]string{"nil", "string", "int", "boolean", "double", "dateTime", "base64", "struct", "array"}[k]
}

// value is one decoded XML-RPC value.
type value struct {
	kind kind
	str  string // string, base64 (decoded bytes), date (raw text)
	num  int64  // int; bool as 0/1
	dbl  float64
	date time.Time
	arr  []value
	mem  []member
}

type member struct {
	name string
	val  value
}

// maxDepth bounds value nesting so that hostile input cannot exhaust the stack.
const maxDepth = 64

// errFaultShape is returned when a <fault> lacks faultCode/faultString.
var errFaultShape = errors.New("fault without faultCode")

type parser struct {
	d   *xml.Decoder
	loc *time.Location
}

func newParser(body []byte, loc *time.Location) *parser {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charsetReader
	return &parser{d: d, loc: loc}
}

// parseResponse parses a methodResponse. It returns the single param's
// value, or a non-nil fault (with Code and Message set) for a <fault>.
func parseResponse(body []byte, loc *time.Location) (value, *Fault, error) {
	p := newParser(body, loc)
	if err := p.expectStart("methodResponse"); err != nil {
		return value{}, nil, err
	}
	se, err := p.nextStart()
	if err != nil {
		return value{}, nil, err
	}
	switch se.Name.Local {
	case "params":
		if err := p.expectStart("param"); err != nil {
			return value{}, nil, err
		}
		if err := p.expectStart("value"); err != nil {
			return value{}, nil, err
		}
		v, err := p.value(0)
		if err != nil {
			return value{}, nil, err
		}
		return v, nil, nil
	case "fault":
		if err := p.expectStart("value"); err != nil {
			return value{}, nil, err
		}
		v, err := p.value(0)
		if err != nil {
			return value{}, nil, err
		}
		f, err := faultFromValue(v)
		return value{}, f, err
	}
	return value{}, nil, fmt.Errorf("unexpected <%s> in methodResponse", se.Name.Local)
}

// parseCall parses a methodCall into its method name and params; the
// tests use it to check what the client sends.
func parseCall(body []byte, loc *time.Location) (string, []value, error) {
	p := newParser(body, loc)
	if err := p.expectStart("methodCall"); err != nil {
		return "", nil, err
	}
	if err := p.expectStart("methodName"); err != nil {
		return "", nil, err
	}
	name, err := p.text()
	if err != nil {
		return "", nil, err
	}
	var params []value
	for {
		tok, err := p.next()
		if err != nil {
			return "", nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "params":
			case "param":
				if err := p.expectStart("value"); err != nil {
					return "", nil, err
				}
				v, err := p.value(0)
				if err != nil {
					return "", nil, err
				}
				params = append(params, v)
			default:
				return "", nil, fmt.Errorf("unexpected <%s> in methodCall", t.Name.Local)
			}
		case xml.EndElement:
			if t.Name.Local == "methodCall" {
				return strings.TrimSpace(name), params, nil
			}
		}
	}
}

func faultFromValue(v value) (*Fault, error) {
	if v.kind != kindStruct {
		return nil, errFaultShape
	}
	f := &Fault{}
	seen := false
	for _, m := range v.mem {
		switch m.name {
		case "faultCode":
			switch m.val.kind {
			case kindInt:
				f.Code, seen = int(m.val.num), true
			case kindString:
				n, err := strconv.Atoi(strings.TrimSpace(m.val.str))
				if err != nil {
					return nil, errFaultShape
				}
				f.Code, seen = n, true
			default:
				return nil, errFaultShape
			}
		case "faultString":
			f.Message = m.val.str
		}
	}
	if !seen {
		return nil, errFaultShape
	}
	return f, nil
}

// next returns the next token that matters: elements and text; comments,
// processing instructions and directives are skipped.
func (p *parser) next() (xml.Token, error) {
	for {
		tok, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch tok.(type) {
		case xml.StartElement, xml.EndElement, xml.CharData:
			return tok, nil
		}
	}
}

// nextStart skips whitespace and returns the next start element.
func (p *parser) nextStart() (xml.StartElement, error) {
	for {
		tok, err := p.next()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, fmt.Errorf("unexpected </%s>", t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return xml.StartElement{}, errors.New("unexpected text")
			}
		}
	}
}

func (p *parser) expectStart(name string) error {
	se, err := p.nextStart()
	if err != nil {
		return err
	}
	if se.Name.Local != name {
		return fmt.Errorf("expected <%s>, found <%s>", name, se.Name.Local)
	}
	return nil
}

// expectEnd skips whitespace up to the end element.
func (p *parser) expectEnd(name string) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local != name {
				return fmt.Errorf("expected </%s>, found </%s>", name, t.Name.Local)
			}
			return nil
		case xml.StartElement:
			return fmt.Errorf("unexpected <%s> in <%s>", t.Name.Local, name)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return fmt.Errorf("unexpected text in <%s>", name)
			}
		}
	}
}

// text reads character data up to the end of the current element.
func (p *parser) text() (string, error) {
	var buf []byte
	for {
		tok, err := p.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			buf = append(buf, t...)
		case xml.EndElement:
			return string(buf), nil
		case xml.StartElement:
			return "", fmt.Errorf("unexpected <%s> in text", t.Name.Local)
		}
	}
}

// value parses the content of a <value> whose start tag was consumed, up to
// and including </value>.
func (p *parser) value(depth int) (value, error) {
	if depth > maxDepth {
		return value{}, fmt.Errorf("values nested deeper than %d", maxDepth)
	}
	var text []byte
	for {
		tok, err := p.next()
		if err != nil {
			return value{}, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text = append(text, t...)
		case xml.EndElement:
			// <value>text</value> without a type element is a string.
			return value{kind: kindString, str: string(text)}, nil
		case xml.StartElement:
			v, err := p.typed(t.Name.Local, depth)
			if err != nil {
				return value{}, err
			}
			return v, p.expectEnd("value")
		}
	}
}

// typed parses a type element (<int>, <struct>…) whose start tag was consumed.
func (p *parser) typed(name string, depth int) (value, error) {
	switch name {
	case "struct":
		return p.structValue(depth)
	case "array":
		return p.arrayValue(depth)
	case "nil":
		return value{kind: kindNil}, p.expectEnd("nil")
	}
	s, err := p.text()
	if err != nil {
		return value{}, err
	}
	switch name {
	case "string":
		return value{kind: kindString, str: s}, nil
	case "int", "i4", "i8":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return value{}, fmt.Errorf("bad <%s> %q", name, clip(s))
		}
		return value{kind: kindInt, num: n}, nil
	case "boolean":
		switch strings.TrimSpace(s) {
		case "1", "true":
			return value{kind: kindBool, num: 1}, nil
		case "0", "false":
			return value{kind: kindBool}, nil
		}
		return value{}, fmt.Errorf("bad <boolean> %q", clip(s))
	case "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return value{}, fmt.Errorf("bad <double> %q", clip(s))
		}
		return value{kind: kindDouble, dbl: f}, nil
	case "dateTime.iso8601":
		t, err := parseDate(s, p.loc)
		if err != nil {
			return value{}, err
		}
		return value{kind: kindDate, date: t, str: s}, nil
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return value{}, errors.New("bad <base64>")
		}
		return value{kind: kindBase64, str: string(b)}, nil
	}
	return value{}, fmt.Errorf("unknown value type <%s>", name)
}

func (p *parser) structValue(depth int) (value, error) {
	v := value{kind: kindStruct}
	for {
		tok, err := p.next()
		if err != nil {
			return value{}, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return v, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return value{}, errors.New("unexpected text in <struct>")
			}
		case xml.StartElement:
			if t.Name.Local != "member" {
				return value{}, fmt.Errorf("unexpected <%s> in <struct>", t.Name.Local)
			}
			m, err := p.member(depth)
			if err != nil {
				return value{}, err
			}
			v.mem = append(v.mem, m)
		}
	}
}

func (p *parser) member(depth int) (member, error) {
	var m member
	var gotName, gotValue bool
	for {
		tok, err := p.next()
		if err != nil {
			return member{}, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if !gotName || !gotValue {
				return member{}, errors.New("struct member without name or value")
			}
			return m, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return member{}, errors.New("unexpected text in <member>")
			}
		case xml.StartElement:
			switch t.Name.Local {
			case "name":
				if m.name, err = p.text(); err != nil {
					return member{}, err
				}
				gotName = true
			case "value":
				if m.val, err = p.value(depth + 1); err != nil {
					return member{}, err
				}
				gotValue = true
			default:
				return member{}, fmt.Errorf("unexpected <%s> in <member>", t.Name.Local)
			}
		}
	}
}

func (p *parser) arrayValue(depth int) (value, error) {
	v := value{kind: kindArray}
	if err := p.expectStart("data"); err != nil {
		return value{}, err
	}
	for {
		tok, err := p.next()
		if err != nil {
			return value{}, err
		}
		switch t := tok.(type) {
		case xml.EndElement: // </data>
			return v, p.expectEnd("array")
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return value{}, errors.New("unexpected text in <data>")
			}
		case xml.StartElement:
			if t.Name.Local != "value" {
				return value{}, fmt.Errorf("unexpected <%s> in <data>", t.Name.Local)
			}
			e, err := p.value(depth + 1)
			if err != nil {
				return value{}, err
			}
			v.arr = append(v.arr, e)
		}
	}
}

// Date layouts accepted in answers. The API sends "20111014T14:36:30"
// without a zone, in Paris time; a zone, when present, is honoured.
var (
	dateLayouts     = [...]string{"20060102T15:04:05", "2006-01-02T15:04:05", "20060102T150405", "2006-01-02 15:04:05", "2006-01-02"}
	dateZoneLayouts = [...]string{"20060102T15:04:05Z07:00", "2006-01-02T15:04:05Z07:00", "20060102T15:04:05Z0700"}
)

func parseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	for _, l := range dateZoneLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.In(loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q", clip(s))
}

// charsetReader accepts the encodings an XML-RPC server may declare.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return strings.NewReader(string(r)), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", clip(label))
}

// clip shortens text quoted in error messages.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

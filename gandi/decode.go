package gandi

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file parses XML-RPC documents into a small value tree, over the
// tokens of scanner.go. It is written here rather than taken from
// kolo/xmlrpc because that decoder leaves a <nil/> *time.Time as a pointer
// to the zero time, drops struct members after an empty <value/>, and
// decodes dates as UTC. The parser never panics, bounds nesting depth, and
// reports malformed input as an error.

// errFaultShape is returned when a <fault> lacks faultCode/faultString.
var errFaultShape = errors.New("fault without faultCode")

type parser struct {
	s     *scanner
	loc   *time.Location
	names map[string]string // member names, allocated once per answer
}

func newParser(body []byte, loc *time.Location) (*parser, error) {
	s, err := newScanner(body)
	if err != nil {
		return nil, err
	}
	return &parser{s: s, loc: loc, names: map[string]string{}}, nil
}

// parseResponse parses a methodResponse. It returns the single param's
// value, or a non-nil fault (with Code and Message set) for a <fault>.
func parseResponse(body []byte, loc *time.Location) (value, *Fault, error) {
	p, err := newParser(body, loc)
	if err != nil {
		return value{}, nil, err
	}
	if err := p.expectStart("methodResponse"); err != nil {
		return value{}, nil, err
	}
	name, err := p.nextStart()
	if err != nil {
		return value{}, nil, err
	}
	switch name {
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
		return v, nil, p.expectDocumentEnd("param", "params", "methodResponse")
	case "fault":
		if err := p.expectStart("value"); err != nil {
			return value{}, nil, err
		}
		v, err := p.value(0)
		if err != nil {
			return value{}, nil, err
		}
		if err := p.expectDocumentEnd("fault", "methodResponse"); err != nil {
			return value{}, nil, err
		}
		f, err := faultFromValue(v)
		return value{}, f, err
	}
	return value{}, nil, fmt.Errorf("unexpected <%s> in methodResponse", clip(name))
}

// expectDocumentEnd reads the end tags of the elements still open, in
// order, and the end of the document: an answer cut after its value is
// still a truncated answer, and one with more after its root is not
// XML-RPC.
func (p *parser) expectDocumentEnd(open ...string) error {
	for _, name := range open {
		if err := p.expectEnd(name); err != nil {
			return err
		}
	}
	if _, err := p.s.next(); err != errEOF {
		if err != nil {
			return err
		}
		return errors.New("content after </methodResponse>")
	}
	return nil
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

// nextStart skips whitespace and returns the name of the next start tag.
func (p *parser) nextStart() (string, error) {
	for {
		t, err := p.s.next()
		if err != nil {
			return "", err
		}
		switch t.kind {
		case tokStart:
			return t.name, nil
		case tokEnd:
			return "", fmt.Errorf("unexpected </%s>", clip(t.name))
		case tokText:
			if len(bytes.TrimSpace(t.text)) != 0 {
				return "", errors.New("unexpected text")
			}
		}
	}
}

func (p *parser) expectStart(name string) error {
	got, err := p.nextStart()
	if err != nil {
		return err
	}
	if got != name {
		return fmt.Errorf("expected <%s>, found <%s>", name, clip(got))
	}
	return nil
}

// expectEnd skips whitespace up to the end tag of the current element (the
// scanner has checked that tags nest).
func (p *parser) expectEnd(name string) error {
	for {
		t, err := p.s.next()
		if err != nil {
			return err
		}
		switch t.kind {
		case tokEnd:
			return nil
		case tokStart:
			return fmt.Errorf("unexpected <%s> in <%s>", clip(t.name), name)
		case tokText:
			if len(bytes.TrimSpace(t.text)) != 0 {
				return fmt.Errorf("unexpected text in <%s>", name)
			}
		}
	}
}

// textBytes reads character data up to the end of the current element. The
// result aliases scanner memory unless it spans several pieces.
func (p *parser) textBytes() ([]byte, error) {
	var acc []byte
	pieces := 0
	for {
		t, err := p.s.next()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokText:
			if pieces == 0 {
				acc = t.text
			} else {
				if pieces == 1 {
					acc = append([]byte(nil), acc...)
				}
				acc = append(acc, t.text...)
			}
			pieces++
		case tokEnd:
			return acc, nil
		case tokStart:
			return nil, fmt.Errorf("unexpected <%s> in text", clip(t.name))
		}
	}
}

func (p *parser) text() (string, error) {
	b, err := p.textBytes()
	return string(b), err
}

// value parses the content of a <value> whose start tag was consumed, up to
// and including </value>.
func (p *parser) value(depth int) (value, error) {
	if depth > maxDepth {
		return value{}, fmt.Errorf("values nested deeper than %d", maxDepth)
	}
	var text []byte
	pieces := 0
	for {
		t, err := p.s.next()
		if err != nil {
			return value{}, err
		}
		switch t.kind {
		case tokText:
			if pieces == 0 {
				text = t.text
			} else {
				if pieces == 1 {
					text = append([]byte(nil), text...)
				}
				text = append(text, t.text...)
			}
			pieces++
		case tokEnd:
			// <value>text</value> without a type element is a string.
			return value{kind: kindString, str: string(text)}, nil
		case tokStart:
			v, err := p.typed(t.name, depth)
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
	b, err := p.textBytes()
	if err != nil {
		return value{}, err
	}
	switch name {
	case "string":
		return value{kind: kindString, str: string(b)}, nil
	case "int", "i4", "i8":
		n, ok := parseInt(b)
		if !ok {
			return value{}, fmt.Errorf("bad <%s> %q", name, clip(string(b)))
		}
		return value{kind: kindInt, num: n}, nil
	case "boolean":
		switch string(bytes.TrimSpace(b)) {
		case "1", "true":
			return value{kind: kindBool, num: 1}, nil
		case "0", "false":
			return value{kind: kindBool}, nil
		}
		return value{}, fmt.Errorf("bad <boolean> %q", clip(string(b)))
	case "double":
		f, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
		if err != nil {
			return value{}, fmt.Errorf("bad <double> %q", clip(string(b)))
		}
		return value{kind: kindDouble, dbl: f}, nil
	case "dateTime.iso8601":
		s := string(b)
		t, err := parseDate(s, p.loc)
		if err != nil {
			return value{}, err
		}
		return value{kind: kindDate, date: t, str: s}, nil
	case "base64":
		dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
		if err != nil {
			return value{}, errors.New("bad <base64>")
		}
		return value{kind: kindBase64, str: string(dec)}, nil
	}
	return value{}, fmt.Errorf("unknown value type <%s>", clip(name))
}

func (p *parser) structValue(depth int) (value, error) {
	v := value{kind: kindStruct}
	for {
		t, err := p.s.next()
		if err != nil {
			return value{}, err
		}
		switch t.kind {
		case tokEnd:
			return v, nil
		case tokText:
			if len(bytes.TrimSpace(t.text)) != 0 {
				return value{}, errors.New("unexpected text in <struct>")
			}
		case tokStart:
			if t.name != "member" {
				return value{}, fmt.Errorf("unexpected <%s> in <struct>", clip(t.name))
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
		t, err := p.s.next()
		if err != nil {
			return member{}, err
		}
		switch t.kind {
		case tokEnd:
			if !gotName || !gotValue {
				return member{}, errors.New("struct member without name or value")
			}
			return m, nil
		case tokText:
			if len(bytes.TrimSpace(t.text)) != 0 {
				return member{}, errors.New("unexpected text in <member>")
			}
		case tokStart:
			switch t.name {
			case "name":
				b, err := p.textBytes()
				if err != nil {
					return member{}, err
				}
				name, ok := p.names[string(b)]
				if !ok {
					name = string(b)
					p.names[name] = name
				}
				m.name, gotName = name, true
			case "value":
				if m.val, err = p.value(depth + 1); err != nil {
					return member{}, err
				}
				gotValue = true
			default:
				return member{}, fmt.Errorf("unexpected <%s> in <member>", clip(t.name))
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
		t, err := p.s.next()
		if err != nil {
			return value{}, err
		}
		switch t.kind {
		case tokEnd: // </data>
			return v, p.expectEnd("array")
		case tokText:
			if len(bytes.TrimSpace(t.text)) != 0 {
				return value{}, errors.New("unexpected text in <data>")
			}
		case tokStart:
			if t.name != "value" {
				return value{}, fmt.Errorf("unexpected <%s> in <data>", clip(t.name))
			}
			e, err := p.value(depth + 1)
			if err != nil {
				return value{}, err
			}
			v.arr = append(v.arr, e)
		}
	}
}

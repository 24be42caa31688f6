package gandisim

import (
	"encoding/xml"
	"io"
	"time"
)

// The server reads calls and writes answers; the tests also need the other
// direction, to speak to it without the gandi client. These two live here
// so that the simulator's binary does not carry them.

// encodeCall renders a methodCall.
func encodeCall(method string, params []any, loc *time.Location) ([]byte, error) {
	e := &encoder{loc: loc}
	e.buf.WriteString(xmlHeader)
	e.buf.WriteString("<methodCall><methodName>")
	e.escape(method)
	e.buf.WriteString("</methodName><params>")
	for _, p := range params {
		e.buf.WriteString("<param>")
		if err := e.value(p); err != nil {
			return nil, err
		}
		e.buf.WriteString("</param>")
	}
	e.buf.WriteString("</params></methodCall>\n")
	return e.buf.Bytes(), nil
}

// decodeResponse parses a methodResponse. A fault comes back as *Fault.
func decodeResponse(r io.Reader, loc *time.Location) (any, error) {
	p := newXMLParser(r, loc)
	if err := p.expectStart("methodResponse"); err != nil {
		return nil, err
	}
	t, err := p.nextElement()
	if err != nil {
		return nil, err
	}
	se, ok := t.(xml.StartElement)
	if !ok {
		return nil, malformed("expected <params> or <fault>, got %s", describe(t))
	}
	switch se.Name.Local {
	case "fault":
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m, _ := v.(map[string]any)
		code, ok1 := m["faultCode"].(int)
		text, ok2 := m["faultString"].(string)
		if !ok1 || !ok2 {
			return nil, malformed("fault without faultCode and faultString")
		}
		return nil, &Fault{Code: code, String: text}
	case "params":
		if err := p.expectStart("param"); err != nil {
			return nil, err
		}
		return p.value()
	}
	return nil, malformed("expected <params> or <fault>, got %s", describe(t))
}

// value parses <value>…</value>, the opening tag included.

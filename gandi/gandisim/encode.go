package gandisim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// encoder writes XML-RPC values. Struct members come out sorted by name so
// answers are byte-for-byte deterministic.
type encoder struct {
	buf bytes.Buffer
	loc *time.Location
}

func (e *encoder) escape(s string) {
	if plainASCII(s) {
		e.buf.WriteString(s)
		return
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	_ = xml.EscapeText(&e.buf, []byte(s))
}

// plainASCII reports whether s needs no XML escaping at all.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' {
			return false
		}
	}
	return true
}

func (e *encoder) value(v any) error {
	e.buf.WriteString("<value>")
	switch v := v.(type) {
	case nil:
		e.buf.WriteString("<nil/>")
	case string:
		e.buf.WriteString("<string>")
		e.escape(v)
		e.buf.WriteString("</string>")
	case int:
		e.buf.WriteString("<int>")
		e.buf.WriteString(strconv.Itoa(v))
		e.buf.WriteString("</int>")
	case bool:
		if v {
			e.buf.WriteString("<boolean>1</boolean>")
		} else {
			e.buf.WriteString("<boolean>0</boolean>")
		}
	case float64:
		e.buf.WriteString("<double>")
		e.buf.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
		e.buf.WriteString("</double>")
	case time.Time:
		e.buf.WriteString("<dateTime.iso8601>")
		e.buf.WriteString(v.In(e.loc).Format(wireTime))
		e.buf.WriteString("</dateTime.iso8601>")
	case *time.Time:
		if v == nil {
			e.buf.WriteString("<nil/>")
		} else {
			e.buf.WriteString("<dateTime.iso8601>")
			e.buf.WriteString(v.In(e.loc).Format(wireTime))
			e.buf.WriteString("</dateTime.iso8601>")
		}
	case []byte:
		e.buf.WriteString("<base64>")
		e.buf.WriteString(base64.StdEncoding.EncodeToString(v))
		e.buf.WriteString("</base64>")
	case []string:
		e.buf.WriteString("<array><data>")
		for _, s := range v {
			if err := e.value(s); err != nil {
				return err
			}
		}
		e.buf.WriteString("</data></array>")
	case []any:
		e.buf.Grow(len(v) * 1024) // a paas.list item is about 2 KB
		e.buf.WriteString("<array><data>")
		for _, x := range v {
			if err := e.value(x); err != nil {
				return err
			}
		}
		e.buf.WriteString("</data></array>")
	case []map[string]any:
		e.buf.WriteString("<array><data>")
		for _, x := range v {
			if err := e.value(x); err != nil {
				return err
			}
		}
		e.buf.WriteString("</data></array>")
	case map[string]any:
		var arr [32]string
		keys := arr[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.buf.WriteString("<struct>")
		for _, k := range keys {
			e.buf.WriteString("<member><name>")
			e.escape(k)
			e.buf.WriteString("</name>")
			if err := e.value(v[k]); err != nil {
				return err
			}
			e.buf.WriteString("</member>")
		}
		e.buf.WriteString("</struct>")
	default:
		return fmt.Errorf("gandisim: cannot encode %T", v)
	}
	e.buf.WriteString("</value>")
	return nil
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// encodeResponse renders a successful answer.
func encodeResponse(v any, loc *time.Location) ([]byte, error) {
	e := &encoder{loc: loc}
	e.buf.WriteString(xmlHeader)
	e.buf.WriteString("<methodResponse><params><param>")
	if err := e.value(v); err != nil {
		return nil, err
	}
	e.buf.WriteString("</param></params></methodResponse>\n")
	return e.buf.Bytes(), nil
}

// encodeFault renders a fault; it cannot fail.
func encodeFault(f *Fault, loc *time.Location) []byte {
	e := &encoder{loc: loc}
	e.buf.WriteString(xmlHeader)
	e.buf.WriteString("<methodResponse><fault>")
	_ = e.value(map[string]any{"faultCode": f.Code, "faultString": f.String})
	e.buf.WriteString("</fault></methodResponse>\n")
	return e.buf.Bytes()
}

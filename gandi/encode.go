package gandi

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"
)

// This file writes XML-RPC method calls. It is ours rather than
// kolo/xmlrpc's because kolo does not escape struct member names: the
// reference's filter keys "<date_end" and ">date_end" would make invalid
// XML. Every name and string goes through xml.EscapeText here.

// wireMember is one member of a struct built by hand (catalog.list).
type wireMember struct {
	name string
	val  any
}

// wireStruct is an ordered struct built by hand.
type wireStruct []wireMember

// withExtra sends a params struct with extra members appended (the
// "--dry-run" flag).
type withExtra struct {
	params any
	extra  wireStruct
}

// encodeCall writes a complete methodCall document.
func encodeCall(buf *bytes.Buffer, method string, params []any) error {
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<methodCall><methodName>")
	escape(buf, method)
	buf.WriteString("</methodName><params>")
	for i, p := range params {
		buf.WriteString("<param>")
		if err := encodeValue(buf, reflect.ValueOf(p)); err != nil {
			return fmt.Errorf("param %d: %w", i, err)
		}
		buf.WriteString("</param>")
	}
	buf.WriteString("</params></methodCall>\n")
	return nil
}

func escape(buf *bytes.Buffer, s string) {
	_ = xml.EscapeText(buf, []byte(s)) // writes to a bytes.Buffer never fail
}

var (
	intsType        = reflect.TypeFor[Ints]()
	stringsType     = reflect.TypeFor[Strings]()
	intOrStringType = reflect.TypeFor[IntOrString]()
	wireStructType  = reflect.TypeFor[wireStruct]()
	withExtraType   = reflect.TypeFor[withExtra]()
)

func encodeValue(buf *bytes.Buffer, rv reflect.Value) error {
	if !rv.IsValid() {
		buf.WriteString("<value><nil/></value>")
		return nil
	}
	switch rv.Type() {
	case timeType:
		t := rv.Interface().(time.Time).In(paris())
		buf.WriteString("<value><dateTime.iso8601>")
		buf.WriteString(t.Format("20060102T15:04:05"))
		buf.WriteString("</dateTime.iso8601></value>")
		return nil
	case intsType, stringsType:
		if rv.Len() == 1 {
			return encodeValue(buf, rv.Index(0))
		}
	case intOrStringType:
		ios := rv.Interface().(IntOrString)
		if ios.IsStr {
			return encodeValue(buf, reflect.ValueOf(ios.Str))
		}
		return encodeValue(buf, reflect.ValueOf(ios.Int))
	case wireStructType:
		buf.WriteString("<value><struct>")
		for _, m := range rv.Interface().(wireStruct) {
			if err := encodeMember(buf, m.name, reflect.ValueOf(m.val)); err != nil {
				return err
			}
		}
		buf.WriteString("</struct></value>")
		return nil
	case withExtraType:
		we := rv.Interface().(withExtra)
		return encodeStruct(buf, reflect.ValueOf(we.params), we.extra)
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			buf.WriteString("<value><nil/></value>")
			return nil
		}
		return encodeValue(buf, rv.Elem())
	case reflect.String:
		buf.WriteString("<value><string>")
		escape(buf, rv.String())
		buf.WriteString("</string></value>")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		if n > math.MaxInt32 || n < math.MinInt32 {
			return fmt.Errorf("integer %d does not fit XML-RPC <int>", n)
		}
		buf.WriteString("<value><int>")
		buf.WriteString(strconv.FormatInt(n, 10))
		buf.WriteString("</int></value>")
	case reflect.Bool:
		if rv.Bool() {
			buf.WriteString("<value><boolean>1</boolean></value>")
		} else {
			buf.WriteString("<value><boolean>0</boolean></value>")
		}
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("cannot send %v", f)
		}
		buf.WriteString("<value><double>")
		buf.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
		buf.WriteString("</double></value>")
	case reflect.Slice, reflect.Array:
		buf.WriteString("<value><array><data>")
		for i := 0; i < rv.Len(); i++ {
			if err := encodeValue(buf, rv.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteString("</data></array></value>")
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("cannot send %s", rv.Type())
		}
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		buf.WriteString("<value><struct>")
		for _, k := range keys {
			if err := encodeMember(buf, k.String(), rv.MapIndex(k)); err != nil {
				return err
			}
		}
		buf.WriteString("</struct></value>")
	case reflect.Struct:
		return encodeStruct(buf, rv, nil)
	default:
		return fmt.Errorf("cannot send %s", rv.Type())
	}
	return nil
}

func encodeMember(buf *bytes.Buffer, name string, v reflect.Value) error {
	buf.WriteString("<member><name>")
	escape(buf, name)
	buf.WriteString("</name>")
	if err := encodeValue(buf, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	buf.WriteString("</member>")
	return nil
}

// encodeStruct sends the tagged fields of a params struct: a field is sent
// when it is set (non-zero) or tagged ",always".
func encodeStruct(buf *bytes.Buffer, rv reflect.Value, extra wireStruct) error {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			rv = reflect.Value{}
			break
		}
		rv = rv.Elem()
	}
	buf.WriteString("<value><struct>")
	if rv.IsValid() {
		if rv.Kind() != reflect.Struct {
			return fmt.Errorf("cannot send %s as params", rv.Type())
		}
		var err error
		walkFields(rv.Type(), nil, func(name string, opts tagOptions, index []int) {
			if err != nil || opts.rest {
				return
			}
			f := rv.FieldByIndex(index)
			if !opts.always && (f.IsZero() || (f.Kind() == reflect.Slice && f.Len() == 0)) {
				return
			}
			err = encodeMember(buf, name, f)
		})
		if err != nil {
			return err
		}
	}
	for _, m := range extra {
		if err := encodeMember(buf, m.name, reflect.ValueOf(m.val)); err != nil {
			return err
		}
	}
	buf.WriteString("</struct></value>")
	return nil
}

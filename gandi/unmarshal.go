package gandi

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// This file maps a decoded value tree onto the typed structs, by their
// `xmlrpc:"key"` tags. It is lenient where the API is known to drift and
// strict where a value cannot be meant for the field:
//   - <nil/> (and an empty string) leaves pointers nil and other fields zero;
//   - numbers decode into string fields as text, numeric strings into int
//     and float fields, 0/1 into bool fields, integral doubles into ints;
//   - a single value decodes into a slice as one element;
//   - unknown keys are ignored; a ",rest" map field collects every member.
// Anything else is an error naming the path of the value.

var (
	timeType = reflect.TypeFor[time.Time]()
	anyType  = reflect.TypeFor[any]()
)

type fieldInfo struct {
	index []int
}

type structInfo struct {
	byName map[string]fieldInfo
	rest   []int // index of the ",rest" map, nil when none
}

// unmarshaler caches struct layouts for the duration of one answer.
type unmarshaler struct {
	structs map[reflect.Type]*structInfo
}

// pathError locates a type mismatch inside an answer.
type pathError struct {
	path []string // innermost last, built while unwinding
	msg  string
}

func (e *pathError) Error() string { return e.msg }

func (e *pathError) where() string {
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		p := e.path[i]
		if !strings.HasPrefix(p, "[") && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// unmarshal stores v into the value out points to.
func unmarshal(v value, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("unmarshal needs a non-nil pointer, got %T", out)
	}
	u := unmarshaler{structs: map[reflect.Type]*structInfo{}}
	return u.decode(v, rv.Elem())
}

func isEmpty(v value) bool {
	return v.kind == kindNil || (v.kind == kindString && v.str == "")
}

func mismatch(v value, t reflect.Type) error {
	return &pathError{msg: fmt.Sprintf("cannot decode %s into %s", v.kind, t)}
}

func (u *unmarshaler) decode(v value, rv reflect.Value) error {
	t := rv.Type()
	if t == timeType {
		return u.decodeTime(v, rv)
	}
	switch t.Kind() {
	case reflect.Pointer:
		if isEmpty(v) && t.Elem().Kind() != reflect.String {
			rv.SetZero()
			return nil
		}
		if v.kind == kindNil {
			rv.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if err := u.decode(v, p.Elem()); err != nil {
			return err
		}
		rv.Set(p)
		return nil
	case reflect.Interface:
		if t != anyType {
			return mismatch(v, t)
		}
		if a := toAny(v); a != nil {
			rv.Set(reflect.ValueOf(a))
		}
		return nil
	case reflect.String:
		return decodeString(v, rv)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt(v, rv)
	case reflect.Bool:
		return decodeBool(v, rv)
	case reflect.Float32, reflect.Float64:
		return decodeFloat(v, rv)
	case reflect.Slice:
		return u.decodeSlice(v, rv)
	case reflect.Map:
		return u.decodeMap(v, rv)
	case reflect.Struct:
		return u.decodeStruct(v, rv)
	}
	return mismatch(v, t)
}

func (u *unmarshaler) decodeTime(v value, rv reflect.Value) error {
	switch v.kind {
	case kindNil:
		return nil
	case kindDate:
		rv.Set(reflect.ValueOf(v.date))
		return nil
	case kindString:
		if v.str == "" {
			return nil
		}
		t, err := parseDate(v.str, paris())
		if err != nil {
			return &pathError{msg: err.Error()}
		}
		rv.Set(reflect.ValueOf(t))
		return nil
	}
	return mismatch(v, rv.Type())
}

func decodeString(v value, rv reflect.Value) error {
	switch v.kind {
	case kindNil:
		rv.SetString("")
	case kindString, kindBase64:
		rv.SetString(v.str)
	case kindInt:
		rv.SetString(strconv.FormatInt(v.num, 10))
	case kindDouble:
		rv.SetString(strconv.FormatFloat(v.dbl, 'f', -1, 64))
	case kindBool:
		rv.SetString(strconv.FormatBool(v.num != 0))
	case kindDate:
		rv.SetString(v.str)
	default:
		return mismatch(v, rv.Type())
	}
	return nil
}

func decodeInt(v value, rv reflect.Value) error {
	var n int64
	switch v.kind {
	case kindNil:
	case kindInt, kindBool:
		n = v.num
	case kindDouble:
		if v.dbl != math.Trunc(v.dbl) || math.Abs(v.dbl) > 1<<53 {
			return &pathError{msg: fmt.Sprintf("cannot decode double %v into %s", v.dbl, rv.Type())}
		}
		n = int64(v.dbl)
	case kindString:
		s := strings.TrimSpace(v.str)
		if s == "" {
			break
		}
		var err error
		if n, err = strconv.ParseInt(s, 10, 64); err != nil {
			return &pathError{msg: fmt.Sprintf("cannot decode string %q into %s", clip(s), rv.Type())}
		}
	default:
		return mismatch(v, rv.Type())
	}
	if rv.OverflowInt(n) {
		return &pathError{msg: fmt.Sprintf("%d overflows %s", n, rv.Type())}
	}
	rv.SetInt(n)
	return nil
}

func decodeBool(v value, rv reflect.Value) error {
	switch v.kind {
	case kindNil:
		rv.SetBool(false)
	case kindBool, kindInt:
		rv.SetBool(v.num != 0)
	case kindString:
		b, err := strconv.ParseBool(strings.TrimSpace(v.str))
		if err != nil && strings.TrimSpace(v.str) != "" {
			return &pathError{msg: fmt.Sprintf("cannot decode string %q into bool", clip(v.str))}
		}
		rv.SetBool(b)
	default:
		return mismatch(v, rv.Type())
	}
	return nil
}

func decodeFloat(v value, rv reflect.Value) error {
	switch v.kind {
	case kindNil:
		rv.SetFloat(0)
	case kindDouble:
		rv.SetFloat(v.dbl)
	case kindInt:
		rv.SetFloat(float64(v.num))
	case kindString:
		s := strings.TrimSpace(v.str)
		if s == "" {
			rv.SetFloat(0)
			return nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return &pathError{msg: fmt.Sprintf("cannot decode string %q into %s", clip(s), rv.Type())}
		}
		rv.SetFloat(f)
	default:
		return mismatch(v, rv.Type())
	}
	return nil
}

func (u *unmarshaler) decodeSlice(v value, rv reflect.Value) error {
	switch v.kind {
	case kindNil:
		rv.SetZero()
		return nil
	case kindArray:
		s := reflect.MakeSlice(rv.Type(), len(v.arr), len(v.arr))
		for i := range v.arr {
			if err := u.decode(v.arr[i], s.Index(i)); err != nil {
				if pe, ok := err.(*pathError); ok {
					pe.path = append(pe.path, "["+strconv.Itoa(i)+"]")
				}
				return err
			}
		}
		rv.Set(s)
		return nil
	case kindString:
		if v.str == "" {
			rv.SetZero()
			return nil
		}
	}
	// A single value where a list was expected: one element.
	s := reflect.MakeSlice(rv.Type(), 1, 1)
	if err := u.decode(v, s.Index(0)); err != nil {
		return err
	}
	rv.Set(s)
	return nil
}

func (u *unmarshaler) decodeMap(v value, rv reflect.Value) error {
	t := rv.Type()
	if t.Key().Kind() != reflect.String {
		return mismatch(v, t)
	}
	if isEmpty(v) {
		rv.SetZero()
		return nil
	}
	if v.kind != kindStruct {
		return mismatch(v, t)
	}
	m := reflect.MakeMapWithSize(t, len(v.mem))
	for _, mb := range v.mem {
		e := reflect.New(t.Elem()).Elem()
		if err := u.decode(mb.val, e); err != nil {
			if pe, ok := err.(*pathError); ok {
				pe.path = append(pe.path, mb.name)
			}
			return err
		}
		m.SetMapIndex(reflect.ValueOf(mb.name).Convert(t.Key()), e)
	}
	rv.Set(m)
	return nil
}

func (u *unmarshaler) decodeStruct(v value, rv reflect.Value) error {
	if isEmpty(v) {
		return nil
	}
	if v.kind != kindStruct {
		return mismatch(v, rv.Type())
	}
	info := u.info(rv.Type())
	var rest reflect.Value
	if info.rest != nil {
		rest = rv.FieldByIndex(info.rest)
		if rest.IsNil() {
			rest.Set(reflect.MakeMapWithSize(rest.Type(), len(v.mem)))
		}
	}
	for _, mb := range v.mem {
		if rest.IsValid() {
			e := reflect.New(rest.Type().Elem()).Elem()
			if u.decode(mb.val, e) == nil {
				rest.SetMapIndex(reflect.ValueOf(mb.name).Convert(rest.Type().Key()), e)
			}
		}
		f, ok := info.byName[mb.name]
		if !ok {
			continue
		}
		if err := u.decode(mb.val, rv.FieldByIndex(f.index)); err != nil {
			if pe, ok := err.(*pathError); ok {
				pe.path = append(pe.path, mb.name)
			}
			return err
		}
	}
	return nil
}

// info returns the layout of a struct type: wire name → field index,
// with embedded structs flattened.
func (u *unmarshaler) info(t reflect.Type) *structInfo {
	if si, ok := u.structs[t]; ok {
		return si
	}
	si := &structInfo{byName: map[string]fieldInfo{}}
	u.structs[t] = si
	walkFields(t, nil, func(name string, opts tagOptions, index []int) {
		if opts.rest {
			si.rest = index
			return
		}
		if _, dup := si.byName[name]; !dup {
			si.byName[name] = fieldInfo{index: index}
		}
	})
	return si
}

type tagOptions struct {
	always bool
	rest   bool
}

// walkFields calls fn for each tagged field of a struct type, in order,
// descending into embedded structs.
func walkFields(t reflect.Type, prefix []int, fn func(name string, opts tagOptions, index []int)) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		tag, hasTag := f.Tag.Lookup("xmlrpc")
		if f.Anonymous && !hasTag && f.Type.Kind() == reflect.Struct {
			walkFields(f.Type, index, fn)
			continue
		}
		if !hasTag || !f.IsExported() || tag == "-" {
			continue
		}
		name, optStr, _ := strings.Cut(tag, ",")
		var opts tagOptions
		for _, o := range strings.Split(optStr, ",") {
			switch o {
			case "always":
				opts.always = true
			case "rest":
				opts.rest = true
			}
		}
		fn(name, opts, index)
	}
}

// toAny converts a value to plain Go values: map[string]any, []any, string,
// int, bool, float64, time.Time, nil.
func toAny(v value) any {
	switch v.kind {
	case kindString, kindBase64:
		return v.str
	case kindInt:
		return int(v.num)
	case kindBool:
		return v.num != 0
	case kindDouble:
		return v.dbl
	case kindDate:
		return v.date
	case kindArray:
		out := make([]any, len(v.arr))
		for i := range v.arr {
			out[i] = toAny(v.arr[i])
		}
		return out
	case kindStruct:
		out := make(map[string]any, len(v.mem))
		for _, m := range v.mem {
			out[m.name] = toAny(m.val)
		}
		return out
	}
	return nil
}

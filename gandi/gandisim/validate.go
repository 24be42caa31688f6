package gandisim

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// kind is the type of a params key as the reference states it.
type kind int

const (
	kInt        kind = iota
	kString          // string
	kBool            // boolean (0/1 ints are accepted, as real clients send them)
	kIntOrArray      // int or array of int
	kStrOrArray      // string or array of string
	kStrArray        // array of string
	kIntArray        // array of int
	kIntOrStr        // int or string
	kDate            // string (or dateTime) holding a date
)

func (k kind) String() string {
	return [...]string{"int", "string", "boolean", "int or array of int", "string or array of string",
		"array of string", "array of int", "int or string", "date string"}[k]
}

type field struct {
	kind      kind
	mandatory bool
}

type schema map[string]field

const dryRunKey = "--dry-run"

// checkStruct checks a params struct against sc: it must be a struct, with
// no unknown key, every mandatory key, and each value of its type. Values
// come back normalized: kIntOrArray → []int, kStrOrArray and kStrArray →
// []string, kIntArray → []int, kBool → bool, kDate → dateValue. The
// "--dry-run" key is accepted when allowDry and reported separately; with
// Options.IgnoreDryRun it is dropped unread, so the call runs for real.
func (s *Server) checkStruct(method string, code int, v any, sc schema, allowDry bool) (map[string]any, bool, *Fault) {
	if v == nil {
		v = map[string]any{}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false, newFault(code, "Invalid method parameter [%s]: expected a struct, got %s", method, typeName(v))
	}
	out := make(map[string]any, len(m))
	dry := false
	if allowDry && !s.opts.IgnoreDryRun {
		// Known first, so that a refused dry run still counts as one.
		dry, _ = asBool(m[dryRunKey])
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		val := m[k]
		if k == dryRunKey && s.opts.IgnoreDryRun {
			continue
		}
		if k == dryRunKey && allowDry {
			b, ok := asBool(val)
			if !ok {
				return nil, dry, newFault(code, "Invalid method parameter [%s]: '%s' must be boolean, got %s", method, k, typeName(val))
			}
			dry = b
			continue
		}
		f, ok := sc[k]
		if !ok {
			return nil, dry, newFault(code, "Invalid method parameter [%s]: unknown key '%s'", method, truncate(k))
		}
		nv, ok := s.convert(f.kind, val)
		if !ok {
			return nil, dry, newFault(code, "Invalid method parameter [%s]: '%s' must be %s, got %s", method, k, f.kind, typeName(val))
		}
		out[k] = nv
	}
	for _, k := range sortedKeys(sc) {
		if sc[k].mandatory {
			if _, ok := out[k]; !ok {
				return nil, dry, newFault(code, "Invalid method parameter [%s]: missing mandatory key '%s'", method, k)
			}
		}
	}
	return out, dry, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (s *Server) convert(k kind, v any) (any, bool) {
	switch k {
	case kInt:
		n, ok := v.(int)
		return n, ok
	case kString:
		str, ok := v.(string)
		return str, ok
	case kBool:
		return asBool(v)
	case kIntOrArray, kIntArray:
		if n, ok := v.(int); ok && k == kIntOrArray {
			return []int{n}, true
		}
		list, ok := v.([]any)
		if !ok {
			return nil, false
		}
		out := make([]int, 0, len(list))
		for _, x := range list {
			n, ok := x.(int)
			if !ok {
				return nil, false
			}
			out = append(out, n)
		}
		return out, true
	case kStrOrArray, kStrArray:
		if str, ok := v.(string); ok && k == kStrOrArray {
			return []string{str}, true
		}
		list, ok := v.([]any)
		if !ok {
			return nil, false
		}
		out := make([]string, 0, len(list))
		for _, x := range list {
			str, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, str)
		}
		return out, true
	case kIntOrStr:
		switch v.(type) {
		case int, string:
			return v, true
		}
		return nil, false
	case kDate:
		d, ok := s.parseDateValue(v)
		return d, ok
	}
	return nil, false
}

func asBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case int:
		if v == 0 || v == 1 {
			return v == 1, true
		}
	}
	return false, false
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string:
		return "string"
	case int:
		return "int"
	case bool:
		return "boolean"
	case float64:
		return "double"
	case time.Time:
		return "dateTime.iso8601"
	case []byte:
		return "base64"
	case []any:
		return "array"
	case map[string]any:
		return "struct"
	}
	return fmt.Sprintf("%T", v)
}

// dateValue is a date filter value; dayOnly is set when no time was given.
type dateValue struct {
	t       time.Time
	dayOnly bool
}

var dateLayouts = []struct {
	layout  string
	dayOnly bool
}{
	{"2006-01-02", true}, {"20060102", true}, {"2006-01-02 15:04:05", false}, {"2006-01-02T15:04:05", false},
	{wireTime, false}, {"2006-01-02 15:04", false}, {"2006-01-02T15:04", false},
}

// parseDateValue reads a date filter: a string in a usual layout (Paris
// wall-clock) or a dateTime value.
func (s *Server) parseDateValue(v any) (dateValue, bool) {
	switch v := v.(type) {
	case time.Time:
		return dateValue{t: v}, true
	case string:
		str := strings.TrimSpace(v)
		for _, l := range dateLayouts {
			if t, err := time.ParseInLocation(l.layout, str, s.loc); err == nil {
				return dateValue{t: t, dayOnly: l.dayOnly}, true
			}
		}
	}
	return dateValue{}, false
}

var durationRE = regexp.MustCompile(`^([1-9][0-9]{0,2})([my])$`)

// parseDuration reads "1m", "12m", "1y" into months (1..120).
func parseDuration(d string) (int, bool) {
	m := durationRE.FindStringSubmatch(d)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "y" {
		n *= 12
	}
	return n, n >= 1 && n <= 120
}

// dryError is one element of a dry run's answer.
type dryError struct {
	Attr      any
	Error     string
	Field     string
	FieldType any
	Reason    string
}

func (e dryError) record() map[string]any {
	return map[string]any{"attr": e.Attr, "error": e.Error, "field": e.Field, "field_type": e.FieldType, "reason": e.Reason}
}

func dryList(errs []dryError) []any {
	out := make([]any, len(errs))
	for i, e := range errs {
		out[i] = e.record()
	}
	return out
}

func enumAttr(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// normalizeFQDN lower-cases a host name and drops a trailing dot.
func normalizeFQDN(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

var fqdnRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)

func validFQDN(s string) bool { return len(s) <= 253 && fqdnRE.MatchString(s) }

package gandi

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// The value tree that parser (decode.go) builds and unmarshal.go maps onto
// the typed structs, and the scalar parsing they share.

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

// parseInt parses an optionally signed decimal int64, spaces around allowed,
// without allocating.
func parseInt(b []byte) (int64, bool) {
	b = bytes.TrimSpace(b)
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
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

// clip shortens text quoted in error messages.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

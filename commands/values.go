package commands

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// convert checks raw against p's kind and returns the typed value.
func convert(p *Param, raw string) (any, error) {
	v := strings.TrimSpace(raw)
	switch p.Kind {
	case KindString:
		if v == "" && !p.Switch {
			return nil, fmt.Errorf("%s needs a value", p.Name)
		}
		return v, nil
	case KindInt:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s must be a whole number, not %s", p.Name, quoteWord(raw))
		}
		return n, nil
	case KindInts:
		var out []int
		for _, f := range splitList(v) {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("%s must be whole numbers separated by commas, not %s", p.Name, quoteWord(raw))
			}
			out = append(out, n)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s needs a value", p.Name)
		}
		return out, nil
	case KindStrings:
		out := splitList(v)
		if len(out) == 0 {
			return nil, fmt.Errorf("%s needs a value", p.Name)
		}
		return out, nil
	case KindEnum:
		return checkEnum(p, v)
	case KindEnums:
		var out []string
		for _, f := range splitList(v) {
			e, err := checkEnum(p, f)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s needs a value", p.Name)
		}
		return out, nil
	case KindBool:
		switch strings.ToLower(v) {
		case "on", "yes", "true", "1", "y":
			return true, nil
		case "off", "no", "false", "0", "n":
			return false, nil
		}
		return nil, fmt.Errorf("%s must be on or off, not %s", p.Name, quoteWord(raw))
	case KindDate:
		t, err := parseDate(v)
		if err != nil {
			return nil, fmt.Errorf("%s must be a date such as 2026-12-31 or \"2026-12-31 14:00\", not %s", p.Name, quoteWord(raw))
		}
		return t, nil
	case KindDuration:
		d, err := parseGandiDuration(v)
		if errors.Is(err, errDurationBounds) {
			return nil, fmt.Errorf("%s %s is out of bounds: %w", p.Name, quoteWord(raw), err)
		}
		if err != nil {
			return nil, fmt.Errorf("%s must be a number of months such as 1m or 12m (or years: 1y), not %s", p.Name, quoteWord(raw))
		}
		return d, nil
	case KindDays:
		n, err := parseDays(v)
		if err != nil {
			return nil, fmt.Errorf("%s must be a number of days such as 30d or 2w, not %s", p.Name, quoteWord(raw))
		}
		return n, nil
	}
	return nil, fmt.Errorf("%s: unsupported kind", p.Name)
}

func checkEnum(p *Param, v string) (string, error) {
	lv := strings.ToLower(v)
	for _, e := range p.Enum {
		if lv == strings.ToLower(e) {
			return e, nil
		}
	}
	name := strings.TrimLeft(p.Name, "<>~")
	if len(p.Enum) > maxListed {
		return "", fmt.Errorf("%s is not a valid %s.%s Closest: %s (%d in all).", quoteWord(v), name, didYouMean(lv, p.Enum), strings.Join(closest(lv, p.Enum, maxListed), ", "), len(p.Enum))
	}
	return "", fmt.Errorf("%s is not a valid %s.%s Valid: %s", quoteWord(v), name, didYouMean(lv, p.Enum), strings.Join(p.Enum, ", "))
}

// maxListed is how many valid values an error lists: a list of 57 types
// is not read, ten of the closest are.
const maxListed = 10

// closest returns at most n of candidates, nearest to s by edit distance
// first (a shared prefix counting as near), ties in their given order.
func closest(s string, candidates []string, n int) []string {
	type scored struct {
		c string
		d int
	}
	all := make([]scored, 0, len(candidates))
	for _, c := range candidates {
		d := editDistance(s, strings.ToLower(c))
		if s != "" && strings.HasPrefix(strings.ToLower(c), s) {
			d = 0
		}
		all = append(all, scored{c, d})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d < all[j].d })
	var out []string
	for _, x := range all[:min(n, len(all))] {
		out = append(out, x.c)
	}
	return out
}

func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// dateLayouts are the forms a date filter accepts.
var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"}

// parseDate reads a date and returns it as the filter text Gandi takes
// (the API reads it as Paris time; we pass the wall-clock text through).
func parseDate(v string) (string, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			if l == "2006-01-02" {
				return t.Format("2006-01-02"), nil
			}
			return t.Format("2006-01-02 15:04:05"), nil
		}
	}
	return "", fmt.Errorf("bad date %s", quoteWord(v))
}

// parseGandiDuration reads "12m", "1y", "3" (months) into Gandi's "Nm".
func parseGandiDuration(v string) (string, error) {
	n, mult, err := countOf(v, 'm', 'y', 12)
	if err != nil {
		return "", fmt.Errorf("bad duration")
	}
	if n <= 0 || n > maxMonths || n*mult > maxMonths {
		return "", errDurationBounds
	}
	return strconv.Itoa(n*mult) + "m", nil
}

// maxMonths bounds a Gandi duration: ten years.
const maxMonths = 120

// errDurationBounds is a duration that reads as months but is out of
// bounds, said with the bounds.
var errDurationBounds = fmt.Errorf("a duration is 1 to %d months (1m to %dm, or 1y to %dy)", maxMonths, maxMonths, maxMonths/12)

// countOf reads a whole number written bare or with the unit suffix one
// (a multiplier of 1) or other (a multiplier of mult), in any case:
// "12m", "1y", "3".
func countOf(v string, one, other byte, mult int) (n, m int, err error) {
	v = strings.ToLower(v)
	m = 1
	switch {
	case strings.HasSuffix(v, string(one)):
		v = strings.TrimSuffix(v, string(one))
	case strings.HasSuffix(v, string(other)):
		v, m = strings.TrimSuffix(v, string(other)), mult
	}
	n, err = strconv.Atoi(v)
	return n, m, err
}

// maxDays bounds a span in days: ten years.
const maxDays = 3650

// parseDays reads "30d", "2w", "30" into days, at most maxDays.
func parseDays(v string) (int, error) {
	n, mult, err := countOf(v, 'd', 'w', 7)
	// The bound is on days, after weeks are converted (3650w is 70 years);
	// checking n first also keeps n*7 from overflowing.
	if err != nil || n < 0 || n > maxDays || n*mult > maxDays {
		return 0, fmt.Errorf("bad days")
	}
	return n * mult, nil
}

package gandisim

import (
	"slices"
	"strings"
	"time"
)

// listSpec describes the filtering options of one list or count method.
type listSpec struct {
	method string
	code   int // fault code of bad options
	// eq maps each equality key to its kind (kInt, kIntOrArray, kString,
	// kStrOrArray, kDate).
	eq map[string]kind
	// like are the keys accepted as "~key"; likeArray allows an array of
	// patterns.
	like      []string
	likeArray bool
	// cmp are the keys accepted as "<key" and ">key" with their kind (kInt
	// or kDate).
	cmp map[string]kind
	// sort lists the sort_by fields; nil for options without paging.
	sort []string
	// enums constrains values of some equality keys.
	enums map[string][]string
}

type condition struct {
	field string
	op    byte // '=', '~', '<', '>'
	ints  []int
	strs  []string
	date  dateValue
	n     int
}

type query struct {
	conds   []condition
	sortBy  string
	desc    bool
	page    int
	perPage int
}

const (
	defaultPerPage = 100
	maxPerPage     = 500
)

// parseQuery checks opts against spec and returns the query. paged adds
// page, items_per_page and sort_by to the accepted keys.
func (s *Server) parseQuery(spec listSpec, opts any, paged bool) (query, *Fault) {
	sc := schema{}
	for k, kd := range spec.eq {
		sc[k] = field{kind: kd}
	}
	for _, k := range spec.like {
		if spec.likeArray {
			sc["~"+k] = field{kind: kStrOrArray}
		} else {
			sc["~"+k] = field{kind: kString}
		}
	}
	for k, kd := range spec.cmp {
		sc["<"+k] = field{kind: kd}
		sc[">"+k] = field{kind: kd}
	}
	if paged {
		sc["page"] = field{kind: kInt}
		sc["items_per_page"] = field{kind: kInt}
		sc["sort_by"] = field{kind: kString}
	}
	m, _, f := s.checkStruct(spec.method, spec.code, opts, sc, false)
	if f != nil {
		return query{}, f
	}
	q := query{perPage: defaultPerPage}
	for _, k := range sortedKeys(m) {
		v := m[k]
		switch {
		case k == "page":
			q.page = v.(int)
			if q.page < 0 {
				return q, newFault(spec.code, "Invalid method parameter [%s]: 'page' must be >= 0", spec.method)
			}
		case k == "items_per_page":
			q.perPage = v.(int)
			if q.perPage < 1 {
				return q, newFault(spec.code, "Invalid method parameter [%s]: 'items_per_page' must be >= 1", spec.method)
			}
			q.perPage = min(q.perPage, maxPerPage)
		case k == "sort_by":
			fields := strings.Fields(v.(string))
			if len(fields) == 0 || len(fields) > 2 || !slices.Contains(spec.sort, fields[0]) ||
				(len(fields) == 2 && !strings.EqualFold(fields[1], "DESC") && !strings.EqualFold(fields[1], "ASC")) {
				return q, newFault(spec.code, "Invalid method parameter [%s]: 'sort_by' must be one of %s, optionally followed by ASC or DESC", spec.method, strings.Join(spec.sort, ", "))
			}
			q.sortBy = fields[0]
			q.desc = len(fields) == 2 && strings.EqualFold(fields[1], "DESC")
		case k[0] == '~':
			c := condition{field: k[1:], op: '~'}
			if list, ok := v.([]string); ok {
				c.strs = list
			} else {
				c.strs = []string{v.(string)}
			}
			q.conds = append(q.conds, c)
		case k[0] == '<' || k[0] == '>':
			c := condition{field: k[1:], op: k[0]}
			switch x := v.(type) {
			case int:
				c.n = x
			case dateValue:
				c.date = x
			}
			q.conds = append(q.conds, c)
		default:
			c := condition{field: k, op: '='}
			switch x := v.(type) {
			case int:
				c.ints = []int{x}
			case []int:
				c.ints = x
			case string:
				c.strs = []string{x}
			case []string:
				c.strs = x
			case dateValue:
				c.date = x
			}
			if allowed, ok := spec.enums[k]; ok {
				for _, str := range c.strs {
					if !slices.Contains(allowed, str) {
						return q, newFault(spec.code, "Invalid method parameter [%s]: '%s' must be one of %s, got '%s'", spec.method, k, strings.Join(allowed, ", "), truncate(str))
					}
				}
			}
			q.conds = append(q.conds, c)
		}
	}
	return q, nil
}

// getter returns a field of an item: int, string, time.Time, *time.Time
// or []string (multi-valued, e.g. an instance's vhosts).
type getter[T any] func(T, string) any

// match reports whether item satisfies every condition.
func match[T any](item T, q *query, get getter[T], loc *time.Location) bool {
	for i := range q.conds {
		c := &q.conds[i]
		if !c.matches(get(item, c.field), loc) {
			return false
		}
	}
	return true
}

func (c *condition) matches(v any, loc *time.Location) bool {
	if list, ok := v.([]string); ok { // multi-valued: any value matches
		for _, x := range list {
			if c.matches(x, loc) {
				return true
			}
		}
		return false
	}
	if p, ok := v.(*time.Time); ok {
		if p == nil {
			return false
		}
		v = *p
	}
	switch x := v.(type) {
	case int:
		switch c.op {
		case '=':
			return slices.Contains(c.ints, x)
		case '<':
			return x < c.n
		case '>':
			return x > c.n
		}
	case string:
		switch c.op {
		case '=':
			return slices.Contains(c.strs, x)
		case '~':
			for _, p := range c.strs {
				if like(x, p) {
					return true
				}
			}
		}
	case time.Time:
		lo, hi := c.date.t, c.date.t
		if c.date.dayOnly {
			lo = time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, loc)
			hi = lo.AddDate(0, 0, 1)
		}
		switch c.op {
		case '=':
			if c.date.dayOnly {
				return !x.Before(lo) && x.Before(hi)
			}
			return x.Equal(lo)
		case '<':
			return x.Before(lo)
		case '>':
			if c.date.dayOnly {
				return !x.Before(hi)
			}
			return x.After(lo)
		}
	}
	return false
}

// like is SQL LIKE: '%' matches any run, '_' one character; case-sensitive
// as in PostgreSQL.
func like(s, pattern string) bool {
	sr, pr := []rune(s), []rune(pattern)
	// Iterative matching with backtracking on the last '%'.
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(sr) {
		switch {
		case pi < len(pr) && (pr[pi] == '_' || pr[pi] == sr[si]):
			si++
			pi++
		case pi < len(pr) && pr[pi] == '%':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pr) && pr[pi] == '%' {
		pi++
	}
	return pi == len(pr)
}

// listAnswer answers a list method: the call's options checked against
// spec (with page, items_per_page and sort_by when paged), items
// filtered, sorted and paged, each answered as record gives it.
func listAnswer[T, R any](c *call, spec listSpec, paged bool, items []T, get getter[T], id func(T) int, record func(T) R) (any, *Fault) {
	q, f := c.s.parseQuery(spec, c.arg(0), paged)
	if f != nil {
		return nil, f
	}
	sel := selectItems(items, &q, get, id, c.s.loc, paged)
	out := make([]any, len(sel))
	for i, it := range sel {
		out[i] = record(it)
	}
	return out, nil
}

// countAnswer answers a count method: how many items match the options.
// acceptPaging lets the options carry page keys, which count ignores.
func countAnswer[T any](c *call, spec listSpec, acceptPaging bool, items []T, get getter[T], id func(T) int) (any, *Fault) {
	q, f := c.s.parseQuery(spec, c.arg(0), acceptPaging)
	if f != nil {
		return nil, f
	}
	return len(selectItems(items, &q, get, id, c.s.loc, false)), nil
}

// selectItems filters, sorts and pages items (already in id order).
func selectItems[T any](items []T, q *query, get getter[T], id func(T) int, loc *time.Location, paged bool) []T {
	out := make([]T, 0, min(len(items), q.perPage))
	var all []T
	if q.sortBy != "" {
		all = make([]T, 0, len(items))
	}
	skip := q.page * q.perPage
	for _, it := range items {
		if !match(it, q, get, loc) {
			continue
		}
		if q.sortBy != "" {
			all = append(all, it)
			continue
		}
		if !paged {
			out = append(out, it)
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(out) < q.perPage {
			out = append(out, it)
		}
	}
	if q.sortBy == "" {
		return out
	}
	// Decorate once: getters box values, so never call them inside the sort.
	type keyed struct {
		key  any
		id   int
		item T
	}
	ks := make([]keyed, len(all))
	for i, it := range all {
		ks[i] = keyed{get(it, q.sortBy), id(it), it}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		c := compareValues(a.key, b.key)
		if q.desc {
			c = -c
		}
		if c == 0 {
			c = a.id - b.id
		}
		return c
	})
	if !paged {
		out = out[:0]
		for _, k := range ks {
			out = append(out, k.item)
		}
		return out
	}
	for i := skip; i < len(ks) && len(out) < q.perPage; i++ {
		out = append(out, ks[i].item)
	}
	return out
}

func compareValues(a, b any) int {
	if p, ok := a.(*time.Time); ok {
		a = derefTime(p)
	}
	if p, ok := b.(*time.Time); ok {
		b = derefTime(p)
	}
	switch x := a.(type) {
	case int:
		y, _ := b.(int)
		return x - y
	case string:
		y, _ := b.(string)
		return strings.Compare(x, y)
	case time.Time:
		y, _ := b.(time.Time)
		return x.Compare(y)
	case []string:
		y, _ := b.([]string)
		return slices.Compare(x, y)
	}
	return 0
}

func derefTime(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

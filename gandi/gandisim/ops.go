package gandisim

import (
	"math"
	"strings"
	"time"
)

// newOps starts one operation per type for the current call, staggered a
// little so they finish in order. onDone runs when the last one reaches
// DONE; onFail when it ends in ERROR (after FailNextOperations).
func (c *call) newOps(types []string, paasID int, params map[string]any, onDone, onFail func()) []*operation {
	s := c.s
	failWith, fail := s.failNext[c.method]
	if fail {
		delete(s.failNext, c.method)
	}
	total := s.opts.OperationTime
	ops := make([]*operation, len(types))
	for i, t := range types {
		o := &operation{
			id: s.id("op"), owner: c.acct, typ: t, paasID: paasID, params: params,
			createdAt: c.now, doneAt: c.now.Add(total + time.Duration(i)*total/8),
		}
		if fail {
			o.failWith = failWith
		}
		s.ops[o.id] = o
		s.opOrder = append(s.opOrder, o.id)
		s.pending = append(s.pending, o)
		ops[i] = o
	}
	s.pruneOps()
	last := ops[len(ops)-1]
	last.onDone, last.onFail = onDone, onFail
	return ops
}

// MaxOperations bounds the operations a server remembers: beyond it the
// oldest finished ones are forgotten (operation.info then answers
// not found), so long benchmarks run in bounded memory.
const MaxOperations = 100000

func (s *Server) pruneOps() {
	for len(s.opOrder) > MaxOperations {
		o := s.ops[s.opOrder[0]]
		if o != nil && !o.settled {
			return // keep running ones; try again on the next call
		}
		delete(s.ops, s.opOrder[0])
		s.opOrder = s.opOrder[1:]
	}
}

func (c *call) opRecords(ops []*operation) []any {
	out := make([]any, len(ops))
	for i, o := range ops {
		out[i] = o.record(c.now)
	}
	return out
}

func versionInfo(c *call) (any, *Fault) {
	return map[string]any{"api_version": "3.3.42"}, nil
}

func operationInfo(c *call) (any, *Fault) {
	id, f := c.intArg(0, "id", CodeOperationBadParameter)
	if f != nil {
		return nil, f
	}
	o, ok := c.s.ops[id]
	if !ok || o.owner != c.acct {
		return nil, newFault(CodeOperationNotFound, "Operation '%d' doesn't exist.", id)
	}
	return o.record(c.now), nil
}

var operationSteps = []string{"BILL", "WAIT", "RUN", "DONE", "ERROR", "SUPPORT", "CANCEL"}

func operationSpec(method string) listSpec {
	return listSpec{
		method: method, code: CodeOperationBadParameter,
		eq:    map[string]kind{"id": kIntOrArray, "step": kStrOrArray, "type": kStrOrArray, "paas_id": kIntOrArray},
		cmp:   map[string]kind{"date_created": kDate},
		sort:  []string{"date_created", "id", "step", "type"},
		enums: map[string][]string{"step": operationSteps},
	}
}

func (c *call) ownOps() []*operation {
	var out []*operation
	for _, id := range c.s.opOrder {
		if o := c.s.ops[id]; o.owner == c.acct {
			out = append(out, o)
		}
	}
	return out
}

func (c *call) opGetter() getter[*operation] {
	return func(o *operation, f string) any {
		switch f {
		case "id":
			return o.id
		case "step":
			return o.step(c.now)
		case "type":
			return o.typ
		case "paas_id":
			return o.paasID
		case "date_created":
			return o.createdAt
		}
		return nil
	}
}

func operationList(c *call) (any, *Fault) {
	return listAnswer(c, operationSpec(c.method), true, c.ownOps(), c.opGetter(), operationID,
		func(o *operation) any { return o.record(c.now) })
}

func operationCount(c *call) (any, *Fault) {
	return countAnswer(c, operationSpec(c.method), false, c.ownOps(), c.opGetter(), operationID)
}

func operationID(o *operation) int { return o.id }

// Prices: EUR per month; 12 months or more are billed 10 months a year.
var currencies = map[string]float64{"EUR": 1, "USD": 1.1, "GBP": 0.85}

// price is the EUR cost of size for months.
func price(size string, months int) float64 {
	return monthlyPrice[size] * billedMonths(months)
}

func billedMonths(months int) float64 {
	if months >= 12 {
		return float64(months) * 10 / 12
	}
	return float64(months)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

const codeCatalogBadParameter = 599937

// catalogList answers catalog.list(apikey, {product: {type, description},
// action: {name, duration}}, currency, grid) for PaaS products: one item
// per size and action, plus the additional disk per GB ("paas_disk"). Unit
// prices are per month: 1 to 11 months at the monthly price, 12 months or
// more at ten months a year.
func catalogList(c *call) (any, *Fault) {
	spec, ok := c.arg(0).(map[string]any)
	if !ok {
		return nil, newFault(codeCatalogBadParameter, "Invalid method parameter [catalog.list]: product spec must be a struct")
	}
	currency, grid := "EUR", "A"
	if v := c.arg(1); v != nil {
		cur, ok := v.(string)
		if _, known := currencies[strings.ToUpper(cur)]; !ok || !known {
			return nil, newFault(codeCatalogBadParameter, "Invalid method parameter [catalog.list]: unknown currency")
		}
		currency = strings.ToUpper(cur)
	}
	if v := c.arg(2); v != nil {
		g, ok := v.(string)
		if !ok || g == "" {
			return nil, newFault(codeCatalogBadParameter, "Invalid method parameter [catalog.list]: grid must be a string")
		}
		grid = g
	}
	product, _ := spec["product"].(map[string]any)
	action, _ := spec["action"].(map[string]any)
	ptype, _ := product["type"].(string)
	desc, _ := product["description"].(string)
	aname, _ := action["name"].(string)
	if ptype != "" && ptype != "paas" {
		return []any{}, nil
	}
	if i := strings.LastIndex(desc, "_"); i >= 0 && desc != "paas_disk" {
		desc = desc[i+1:] // "phpmysql_m" → "m"
	}
	rate := currencies[currency]
	// A duration (months as an int, or "12m", "1y") keeps the one price
	// tier that applies; without one both tiers come back.
	months := 0
	switch d := action["duration"].(type) {
	case int:
		months = d
	case string:
		months, _ = parseDuration(d)
	}
	unit := func(monthly float64) []any {
		tiers := []any{}
		if months < 12 {
			tiers = append(tiers, map[string]any{"price": round2(monthly * rate), "currency": currency, "grid": grid,
				"min_duration": 1, "max_duration": 11, "duration_unit": "m", "price_type": nil})
		}
		if months == 0 || months >= 12 {
			tiers = append(tiers, map[string]any{"price": round2(monthly * rate * 10 / 12), "currency": currency, "grid": grid,
				"min_duration": 12, "max_duration": 120, "duration_unit": "m", "price_type": nil})
		}
		return tiers
	}
	out := []any{}
	for _, act := range []string{"create", "renew", "update"} {
		if aname != "" && aname != act {
			continue
		}
		for _, size := range append(append([]string{}, sizes...), "paas_disk") {
			if desc != "" && desc != size {
				continue
			}
			monthly := diskPricePerGB
			if size != "paas_disk" {
				monthly = monthlyPrice[size]
			}
			out = append(out, map[string]any{
				"product":    map[string]any{"type": "paas", "description": size},
				"action":     map[string]any{"name": act, "duration": action["duration"]},
				"unit_price": unit(monthly),
			})
		}
	}
	return out, nil
}

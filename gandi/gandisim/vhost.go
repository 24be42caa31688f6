package gandisim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func vhostSpec(method string) listSpec {
	return listSpec{
		method: method, code: CodeVhostBadParameter,
		eq:    map[string]kind{"date_creation": kDate, "id": kIntOrArray, "name": kString, "paas_id": kInt, "state": kString},
		like:  []string{"name"},
		cmp:   map[string]kind{"date_creation": kDate},
		sort:  []string{"date_creation", "id", "name", "paas_id", "state"},
		enums: map[string][]string{"state": paasStates},
	}
}

func (s *Server) addVhost(in *instance, name, state string, at time.Time) *vhost {
	v := &vhost{id: s.id("vhost"), paasID: in.id, name: name, state: state, createdAt: at, entityID: in.entityID}
	s.vhosts[name] = v
	s.vhostNames[in.id] = append(s.vhostNames[in.id], name)
	return v
}

func (s *Server) removeVhost(v *vhost) {
	delete(s.vhosts, v.name)
	names := s.vhostNames[v.paasID]
	if i := slices.Index(names, v.name); i >= 0 {
		s.vhostNames[v.paasID] = slices.Delete(names, i, i+1)
	}
}

// provenFor reports whether the account may bind fqdn without a TXT record:
// the name or a parent was proven with ProveDomain, or is a zone the account
// manages.
func (s *Server) provenFor(a *account, fqdn string) bool {
	name := normalizeFQDN(fqdn)
	for {
		if s.proven[name] || a.zones[name] {
			return true
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return false
		}
		name = name[i+1:]
	}
}

// zoneOf is the zone a name's records go in: the zone the account manages
// that holds it, else the last two labels ("example.com").
func (s *Server) zoneOf(a *account, fqdn string) string {
	for name := fqdn; ; {
		if a.zones[name] {
			return name
		}
		i := strings.IndexByte(name, '.')
		if i < 0 || strings.Count(name, ".") == 1 {
			break
		}
		name = name[i+1:]
	}
	labels := strings.Split(fqdn, ".")
	if len(labels) <= 2 {
		return fqdn
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

// vhostChecks are the semantic checks of one vhost to bind; field is
// "vhosts" for paas.create and "vhost" for paas.vhost.create.
//
// zone_alter needs no handling: a zone the account manages proves the name
// with or without it.
func (c *call) vhostChecks(raw, field string, seen map[string]bool) []*check {
	name := normalizeFQDN(raw)
	if seen[name] {
		return nil
	}
	seen[name] = true
	if !validFQDN(name) {
		return []*check{{dryError{Attr: []any{raw}, Error: "EC_FQDN", Field: field, FieldType: "String",
			Reason: fmt.Sprintf("'%s' is not a valid host name", truncate(raw))}, CodeVhostBadParameter}}
	}
	if _, ok := c.s.vhosts[name]; ok {
		return []*check{{dryError{Attr: []any{name}, Error: "EC_EXIST", Field: field, FieldType: "String",
			Reason: fmt.Sprintf("Vhost '%s' already exists.", name)}, CodeVhostExists}}
	}
	if !c.s.provenFor(c.acct, name) {
		return []*check{{dryError{Attr: []any{name, "vhost=" + c.s.txtKey(c.acct, name)}, Error: "EC_TXT+EC_MISSINGMANDATORY",
			Field: field, FieldType: nil, Reason: "You must put a TXT value in your zone"}, CodeVhostBadParameter}}
	}
	return nil
}

func (c *call) ownVhosts() []*vhost {
	out := make([]*vhost, 0, 64)
	for _, v := range c.s.vhosts {
		if in, ok := c.s.instances[v.paasID]; ok && in.owner == c.acct {
			out = append(out, v)
		}
	}
	sortByID(out, func(v *vhost) int { return v.id })
	return out
}

func vhostGet(v *vhost, f string) any {
	switch f {
	case "date_creation":
		return v.createdAt
	case "id":
		return v.id
	case "name":
		return v.name
	case "paas_id":
		return v.paasID
	case "state":
		return v.state
	}
	return nil
}

func vhostList(c *call) (any, *Fault) {
	return listAnswer(c, vhostSpec(c.method), true, c.ownVhosts(), vhostGet, vhostID, (*vhost).record)
}

func vhostCount(c *call) (any, *Fault) {
	return countAnswer(c, vhostSpec(c.method), true, c.ownVhosts(), vhostGet, vhostID)
}

func vhostID(v *vhost) int { return v.id }

// vhostArg finds the caller's vhost named by argument 0.
func (c *call) vhostArg() (*vhost, *Fault) {
	name, f := c.strArg(0, "vhost", CodeVhostBadParameter)
	if f != nil {
		return nil, f
	}
	v, ok := c.s.vhosts[normalizeFQDN(name)]
	if !ok {
		return nil, newFault(CodeVhostNotFound, "Vhost '%s' doesn't exist.", truncate(name))
	}
	if in, ok := c.s.instances[v.paasID]; !ok || in.owner != c.acct {
		return nil, newFault(CodeVhostNotFound, "Vhost '%s' doesn't exist.", truncate(name))
	}
	return v, nil
}

func vhostInfo(c *call) (any, *Fault) {
	v, f := c.vhostArg()
	if f != nil {
		return nil, f
	}
	return v.record(), nil
}

var vhostCreateSchema = schema{
	"paas_id": {kInt, true}, "vhost": {kString, true}, "override": {kBool, false}, "zone_alter": {kBool, false},
}

func vhostCreate(c *call) (any, *Fault) {
	p, dry, f := c.s.checkStruct(c.method, CodeVhostBadParameter, c.arg(0), vhostCreateSchema, true)
	c.dry = dry
	if f != nil {
		return nil, f
	}
	id := p["paas_id"].(int)
	in, ok := c.s.instances[id]
	if !ok || in.owner != c.acct {
		return nil, newFault(CodePaasNotFound, "Paas '%d' doesn't exist.", id)
	}
	if f := c.requireState(in, "running"); f != nil {
		return nil, f
	}
	raw := p["vhost"].(string)
	if res, f, done := c.answer(c.vhostChecks(raw, "vhost", map[string]bool{})); done {
		return res, f
	}
	s := c.s
	v := s.addVhost(in, normalizeFQDN(raw), "being_created", c.now)
	ops := c.newOps([]string{"rproxy_update"}, in.id, map[string]any{"vhost": v.name},
		func() { v.state = "running" }, func() { s.removeVhost(v) })
	return ops[0].record(c.now), nil
}

func vhostDelete(c *call) (any, *Fault) {
	v, f := c.vhostArg()
	if f != nil {
		return nil, f
	}
	if v.state == "being_deleted" || v.state == "being_created" {
		return nil, newFault(CodeVhostState, "Vhost '%s' is %s.", v.name, v.state)
	}
	prev := v.state
	v.state = "being_deleted"
	s := c.s
	ops := c.newOps([]string{"rproxy_update"}, v.paasID, map[string]any{"vhost": v.name},
		func() { s.removeVhost(v) }, func() { v.state = prev })
	return ops[0].record(c.now), nil
}

var dnsEntriesSchema = schema{"datacenter": {kInt, true}, "vhost": {kString, true}}

// vhostDNSEntries answers what the zone of a vhost must hold: the TXT key
// that proves ownership (the same key the dry run shows) and where to point
// the name.
func vhostDNSEntries(c *call) (any, *Fault) {
	p, _, f := c.s.checkStruct(c.method, CodeVhostBadParameter, c.arg(0), dnsEntriesSchema, false)
	if f != nil {
		return nil, f
	}
	dc, ok := findDatacenter(p["datacenter"].(int))
	if !ok {
		return nil, newFault(CodeDatacenterNotFound, "Datacenter '%d' doesn't exist.", p["datacenter"].(int))
	}
	name := normalizeFQDN(p["vhost"].(string))
	if !validFQDN(name) {
		return nil, newFault(CodeVhostBadParameter, "'%s' is not a valid host name", truncate(p["vhost"].(string)))
	}
	domain := c.s.zoneOf(c.acct, name)
	sub := strings.TrimSuffix(strings.TrimSuffix(name, domain), ".")
	if sub == "" {
		sub = "@"
	}
	key := c.s.txtKey(c.acct, name)
	return map[string]any{
		"key":    key,
		"txt":    "vhost=" + key,
		"domain": domain,
		"name":   sub,
		"cname":  "webacc." + dc.host + ".gpaas.net.",
		"ipv4":   []any{fmt.Sprintf("217.70.%d.%d", 180+dc.ID, 10)},
		"ipv6":   []any{fmt.Sprintf("2001:4b98:%x::10", 0xdc00+dc.ID)},
	}, nil
}

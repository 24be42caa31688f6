package gandisim

import (
	"fmt"
	"slices"
	"strings"
)

func sortByID[T any](items []T, id func(T) int) {
	slices.SortFunc(items, func(a, b T) int { return id(a) - id(b) })
}

func paasSpec(method string) listSpec {
	return listSpec{
		method: method, code: CodePaasBadParameter,
		eq: map[string]kind{
			"contact": kStrOrArray, "data_disk_additional_size": kInt, "datacenter_id": kIntOrArray,
			"date_end": kDate, "date_start": kDate, "id": kIntOrArray, "name": kStrOrArray,
			"size": kStrOrArray, "state": kString, "type": kStrOrArray, "vhost": kStrOrArray,
		},
		like: []string{"name", "vhost"}, likeArray: true,
		cmp: map[string]kind{"data_disk_additional_size": kInt, "date_end": kDate},
		sort: []string{"contact", "data_disk_additional_size", "datacenter_id", "date_end", "date_start",
			"id", "name", "size", "state", "type", "vhost"},
		enums: map[string][]string{"size": sizes, "state": paasStates, "type": paasTypeNames},
	}
}

func (s *Server) instanceVhosts(in *instance) []string {
	return s.vhostNames[in.id]
}

func (s *Server) paasGetter() getter[*instance] {
	return func(in *instance, f string) any {
		switch f {
		case "contact":
			return in.owner.handle
		case "data_disk_additional_size":
			return in.quantity
		case "datacenter_id":
			return in.datacenterID
		case "date_end":
			return in.dateEnd
		case "date_start":
			return in.dateStart
		case "id":
			return in.id
		case "name":
			return in.name
		case "size":
			return in.size
		case "size_rank":
			return slices.Index(sizes, in.size)
		case "state":
			return in.state
		case "type":
			return in.typ
		case "vhost":
			return s.instanceVhosts(in)
		}
		return nil
	}
}

func (c *call) ownInstances() []*instance {
	out := make([]*instance, 0, 64)
	for _, id := range c.s.order {
		if in := c.s.instances[id]; in.owner == c.acct {
			out = append(out, in)
		}
	}
	return out
}

func (c *call) selectInstances(paged bool) ([]*instance, *Fault) {
	q, f := c.s.parseQuery(paasSpec(c.method), c.arg(0), paged)
	if f != nil {
		return nil, f
	}
	if q.sortBy == "size" {
		q.sortBy = "size_rank" // sizes sort smallest first, not alphabetically
	}
	return selectItems(c.ownInstances(), &q, c.s.paasGetter(), instanceID, c.s.loc, paged), nil
}

func instanceID(in *instance) int { return in.id }

func paasList(c *call) (any, *Fault) {
	sel, f := c.selectInstances(true)
	if f != nil {
		return nil, f
	}
	out := make([]any, len(sel))
	for i, in := range sel {
		out[i] = in.listRecord()
	}
	return out, nil
}

func paasCount(c *call) (any, *Fault) {
	sel, f := c.selectInstances(false)
	if f != nil {
		return nil, f
	}
	return len(sel), nil
}

// instanceArg finds the caller's instance named by argument i.
func (c *call) instanceArg(i int) (*instance, *Fault) {
	id, f := c.intArg(i, "paas_id", CodePaasBadParameter)
	if f != nil {
		return nil, f
	}
	in, ok := c.s.instances[id]
	if !ok || in.owner != c.acct {
		return nil, newFault(CodePaasNotFound, "Paas '%d' doesn't exist.", id)
	}
	return in, nil
}

func (c *call) requireState(in *instance, allowed ...string) *Fault {
	if slices.Contains(allowed, in.state) {
		return nil
	}
	return newFault(CodePaasState, "Paas '%d' is %s, this action needs it %s.", in.id, in.state, strings.Join(allowed, " or "))
}

func paasInfo(c *call) (any, *Fault) {
	in, f := c.instanceArg(0)
	if f != nil {
		return nil, f
	}
	return in.infoRecord(c.s.vhostsOf(in.id)), nil
}

func (s *Server) vhostsOf(paasID int) []*vhost {
	names := s.vhostNames[paasID]
	out := make([]*vhost, 0, len(names))
	for _, n := range names {
		if v, ok := s.vhosts[n]; ok {
			out = append(out, v)
		}
	}
	sortByID(out, func(v *vhost) int { return v.id })
	return out
}

var createSchema = schema{
	"datacenter_id": {kInt, true}, "duration": {kString, true}, "name": {kString, true},
	"password": {kString, true}, "size": {kString, true}, "type": {kString, true},
	"fixed": {kBool, false}, "keys": {kIntArray, false}, "override": {kBool, false},
	"quantity": {kInt, false}, "snapshot_profile": {kInt, false}, "ssh_key": {kStrOrArray, false},
	"trial": {kBool, false}, "vhosts": {kStrArray, false}, "zone_alter": {kBool, false},
}

func paasCreate(c *call) (any, *Fault) {
	p, dry, f := c.s.checkStruct(c.method, CodePaasBadParameter, c.arg(0), createSchema, true)
	c.dry = dry
	if f != nil {
		return nil, f
	}
	size, typ := p["size"].(string), p["type"].(string)
	dcID := p["datacenter_id"].(int)
	months, okDur := parseDuration(p["duration"].(string))
	quantity, _ := p["quantity"].(int)
	profile, hasProfile := p["snapshot_profile"].(int)
	vhosts, _ := p["vhosts"].([]string)
	fixed, _ := p["fixed"].(bool)

	checks := []*check{enumCheck("size", size, sizes, CodePaasBadParameter), enumCheck("type", typ, paasTypeNames, CodePaasBadParameter)}
	if i := slices.Index(paasTypeNames, typ); i >= 0 && !c.s.types[i].creatable() {
		checks = append(checks, &check{dryError{Attr: enumAttr([]string{"all", "beta"}), Error: "!EC_ENUMIN", Field: "type", FieldType: "PaasCreateVisibility",
			Reason: fmt.Sprintf("type '%s' is %s and cannot be created any more", typ, c.s.types[i].Visibility)}, CodePaasBadParameter})
	}
	if _, ok := findDatacenter(dcID); !ok {
		ids := make([]any, len(datacenters))
		for i, dc := range datacenters {
			ids[i] = dc.ID
		}
		checks = append(checks, &check{dryError{Attr: ids, Error: "!EC_ENUMIN", Field: "datacenter_id", FieldType: "Int",
			Reason: fmt.Sprintf("Datacenter '%d' doesn't exist.", dcID)}, CodeDatacenterNotFound})
	}
	if !okDur {
		checks = append(checks, durationCheck())
	}
	checks = append(checks, nameCheck(p["name"].(string)), passwordCheck(p["password"].(string)))
	if quantity < 0 || quantity > 1000 {
		checks = append(checks, &check{dryError{Attr: []any{0, 1000}, Error: "!EC_RANGE", Field: "quantity", FieldType: "Int",
			Reason: "quantity must be between 0 and 1000 GB"}, CodePaasBadParameter})
	}
	if _, ok := findProfile(profile); hasProfile && !ok {
		checks = append(checks, &check{dryError{Attr: nil, Error: "EC_NOTFOUND", Field: "snapshot_profile", FieldType: "Int",
			Reason: fmt.Sprintf("Snapshot profile '%d' doesn't exist.", profile)}, CodeSnapshotProfileNotFound})
	}
	seen := map[string]bool{}
	for _, v := range vhosts {
		checks = append(checks, c.vhostChecks(v, "vhosts", seen)...)
	}
	cost := 0.0
	if okDur && monthlyPrice[size] > 0 {
		cost = price(size, months) + float64(quantity)*diskPricePerGB*billedMonths(months)
		checks = append(checks, c.creditCheck(cost))
	}
	if res, f, done := c.answer(checks); done {
		return res, f
	}

	s := c.s
	dc, _ := findDatacenter(dcID)
	in := &instance{
		id: s.id("paas"), owner: c.acct, name: p["name"].(string), size: size, typ: typ,
		datacenterID: dc.ID, state: "being_created", dateStart: c.now, dateEnd: c.now.AddDate(0, months, 0),
		profileID: profile, quantity: quantity, serverID: s.id("server"),
	}
	in.uuid, in.user = in.serverID+17000, in.id+1000000
	in.entityID = fmt.Sprintf("%08x-paas-%d", uint32(in.id)*2654435761, in.id)
	if fixed {
		end := in.dateEnd
		in.dateEndCommitment = &end
	}
	s.addInstance(in)
	var created []*vhost
	for _, name := range vhosts {
		created = append(created, s.addVhost(in, normalizeFQDN(name), "being_created", c.now))
	}
	c.charge(cost)
	ops := c.newOps([]string{"paas_vm_create", "paas_disk_create", "rproxy_create"}, in.id, map[string]any{"name": in.name, "size": size, "type": typ},
		func() {
			in.state = "running"
			for _, v := range created {
				v.state = "running"
			}
		},
		func() { s.removeInstance(in) })
	return c.opRecords(ops), nil
}

func (s *Server) addInstance(in *instance) {
	s.instances[in.id] = in
	s.order = append(s.order, in.id)
}

func (s *Server) removeInstance(in *instance) {
	for _, n := range s.vhostNames[in.id] {
		delete(s.vhosts, n)
	}
	delete(s.vhostNames, in.id)
	delete(s.instances, in.id)
	if i := slices.Index(s.order, in.id); i >= 0 {
		s.order = slices.Delete(s.order, i, i+1)
	}
	for id, sn := range s.snapshots {
		if sn.paasID == in.id {
			delete(s.snapshots, id)
		}
	}
}

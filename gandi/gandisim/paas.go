package gandisim

import (
	"fmt"
	"slices"
	"strings"
	"time"
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

// semantic errors carry the fault a real (non dry-run) call answers.
type check struct {
	dryError
	code int
}

func enumCheck(field, value string, allowed []string, code int) *check {
	if slices.Contains(allowed, value) {
		return nil
	}
	return &check{dryError{Attr: enumAttr(allowed), Error: "!EC_ENUMIN", Field: field, FieldType: "Enum",
		Reason: fmt.Sprintf("%s: '%s' is not one of %s", field, truncate(value), strings.Join(allowed, ", "))}, code}
}

func passwordCheck(p string) *check {
	if n := len([]rune(p)); n >= 8 && n <= 64 {
		return nil
	}
	return &check{dryError{Attr: nil, Error: "EC_PASSWORD", Field: "password", FieldType: "Password",
		Reason: "password must have between 8 and 64 characters"}, CodePaasBadParameter}
}

func nameCheck(n string) *check {
	if l := len([]rune(strings.TrimSpace(n))); l >= 1 && l <= 64 {
		return nil
	}
	return &check{dryError{Attr: nil, Error: "EC_STRLEN", Field: "name", FieldType: "String",
		Reason: "name must have between 1 and 64 characters"}, CodePaasBadParameter}
}

// answer turns semantic checks into the dry-run list, a fault, or nothing.
func (c *call) answer(checks []*check) (any, *Fault, bool) {
	var errs []dryError
	var first *check
	for _, ch := range checks {
		if ch == nil {
			continue
		}
		if first == nil {
			first = ch
		}
		errs = append(errs, ch.dryError)
	}
	if c.dry {
		return dryList(errs), nil, true
	}
	if first != nil {
		return nil, newFault(first.code, "%s", first.Reason), true
	}
	return nil, nil, false
}

func (c *call) creditCheck(cost float64) *check {
	if c.acct.credit == nil || *c.acct.credit >= cost {
		return nil
	}
	return &check{dryError{Attr: nil, Error: "EC_NOCREDIT", Field: "credit", FieldType: nil,
		Reason: fmt.Sprintf("Not enough prepaid credit: this costs %.2f EUR, the account has %.2f EUR", cost, *c.acct.credit)}, CodeNoCredit}
}

func (c *call) charge(cost float64) {
	if c.acct.credit != nil {
		*c.acct.credit -= cost
	}
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
	zoneAlter, _ := p["zone_alter"].(bool)
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
		checks = append(checks, c.vhostChecks(v, zoneAlter, seen)...)
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

func durationCheck() *check {
	return &check{dryError{Attr: []any{"^[0-9]+[my]$"}, Error: "!EC_REGEXP", Field: "duration", FieldType: "String",
		Reason: "duration must be a number of months or years such as 1m, 12m or 1y (at most 120 months)"}, CodePaasBadParameter}
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

var updateSchema = schema{
	"console": {kBool, false}, "keys": {kIntArray, false}, "name": {kString, false},
	"password": {kString, false}, "quantity": {kInt, false}, "reset_mysql_password": {kBool, false},
	"size": {kString, false}, "snapshot_profile": {kIntOrStr, false}, "ssh_key": {kStrOrArray, false},
	"upgrade": {kBool, false},
}

func paasUpdate(c *call) (any, *Fault) {
	in, f := c.instanceArg(0)
	if f != nil {
		return nil, f
	}
	p, dry, f := c.s.checkStruct(c.method, CodePaasBadParameter, c.arg(1), updateSchema, true)
	c.dry = dry
	if f != nil {
		return nil, f
	}
	if f := c.requireState(in, "running"); f != nil {
		return nil, f
	}
	var checks []*check
	size, hasSize := p["size"].(string)
	if hasSize {
		checks = append(checks, enumCheck("size", size, sizes, CodePaasBadParameter))
	}
	if n, ok := p["name"].(string); ok {
		checks = append(checks, nameCheck(n))
	}
	if pw, ok := p["password"].(string); ok {
		checks = append(checks, passwordCheck(pw))
	}
	quantity, hasQuantity := p["quantity"].(int)
	if hasQuantity && (quantity < in.quantity || quantity > 1000) {
		checks = append(checks, &check{dryError{Attr: []any{in.quantity, 1000}, Error: "!EC_RANGE", Field: "quantity", FieldType: "Int",
			Reason: fmt.Sprintf("quantity must be between %d (disks cannot shrink) and 1000 GB", in.quantity)}, CodePaasBadParameter})
	}
	profile := -1 // -1: unchanged, 0: unset
	switch v := p["snapshot_profile"].(type) {
	case int:
		profile = v
	case string:
		if strings.TrimSpace(v) == "" {
			profile = 0
		} else if _, err := fmt.Sscanf(v, "%d", &profile); err != nil {
			profile = -2
		}
	}
	if _, ok := findProfile(profile); profile != -1 && profile != 0 && !ok {
		checks = append(checks, &check{dryError{Attr: nil, Error: "EC_NOTFOUND", Field: "snapshot_profile", FieldType: "Int",
			Reason: fmt.Sprintf("Snapshot profile '%v' doesn't exist.", p["snapshot_profile"])}, CodeSnapshotProfileNotFound})
	}
	remaining := max(1, int(in.dateEnd.Sub(c.now).Hours()/24/30+0.999))
	cost := 0.0
	if hasSize && monthlyPrice[size] > monthlyPrice[in.size] {
		cost += (monthlyPrice[size] - monthlyPrice[in.size]) * float64(remaining)
	}
	if hasQuantity && quantity > in.quantity {
		cost += float64(quantity-in.quantity) * diskPricePerGB * float64(remaining)
	}
	checks = append(checks, c.creditCheck(cost))
	if res, f, done := c.answer(checks); done {
		return res, f
	}

	var types []string
	if has(p, "size", "name", "password", "upgrade", "reset_mysql_password", "ssh_key", "keys") || len(p) == 0 {
		types = append(types, "paas_vm_update")
	}
	if has(p, "quantity", "snapshot_profile") {
		types = append(types, "paas_disk_update")
	}
	if has(p, "name") {
		types = append(types, "rproxy_update")
	}
	if has(p, "console") {
		types = append(types, "paas_console")
	}
	c.charge(cost)
	now := c.now
	ops := c.newOps(types, in.id, map[string]any{"name": in.name}, func() {
		if hasSize {
			in.size = size
		}
		if n, ok := p["name"].(string); ok {
			in.name = n
		}
		if hasQuantity {
			in.quantity = quantity
		}
		if profile >= 0 {
			in.profileID = profile
		}
		if up, _ := p["upgrade"].(bool); up {
			in.needUpgrade = false
		}
		if on, ok := p["console"].(bool); ok {
			in.consoleEnabled = on
			in.consoleEnd = nil
			if on {
				end := now.Add(24 * time.Hour)
				in.consoleEnd = &end
			}
		}
	}, nil)
	return c.opRecords(ops), nil
}

func has(m map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

var renewSchema = schema{"duration": {kString, true}, "fixed": {kBool, true}}

func paasRenew(c *call) (any, *Fault) {
	in, f := c.instanceArg(0)
	if f != nil {
		return nil, f
	}
	p, dry, f := c.s.checkStruct(c.method, CodePaasBadParameter, c.arg(1), renewSchema, true)
	c.dry = dry
	if f != nil {
		return nil, f
	}
	if f := c.requireState(in, "running", "paused", "locked"); f != nil {
		return nil, f
	}
	months, ok := parseDuration(p["duration"].(string))
	checks := []*check{}
	cost := 0.0
	if !ok {
		checks = append(checks, durationCheck())
	} else {
		cost = price(in.size, months) + float64(in.quantity)*diskPricePerGB*billedMonths(months)
		checks = append(checks, c.creditCheck(cost))
	}
	if res, f, done := c.answer(checks); done {
		return res, f
	}
	fixed := p["fixed"].(bool)
	c.charge(cost)
	ops := c.newOps([]string{"paas_vm_renew", "paas_disk_renew"}, in.id, map[string]any{"name": in.name, "duration": p["duration"]}, func() {
		in.dateEnd = in.dateEnd.AddDate(0, months, 0)
		if fixed {
			end := in.dateEnd
			in.dateEndCommitment = &end
		}
	}, nil)
	return c.opRecords(ops), nil
}

func paasRestart(c *call) (any, *Fault) {
	in, f := c.instanceArg(0)
	if f != nil {
		return nil, f
	}
	if f := c.requireState(in, "running", "paused"); f != nil {
		return nil, f
	}
	prev := in.state
	ops := c.newOps([]string{"paas_restart"}, in.id, map[string]any{"name": in.name}, func() { in.state = "running" }, func() { in.state = prev })
	return ops[0].record(c.now), nil
}

func paasDelete(c *call) (any, *Fault) {
	in, f := c.instanceArg(0)
	if f != nil {
		return nil, f
	}
	if f := c.requireState(in, "running", "paused", "locked"); f != nil {
		return nil, f
	}
	prev := in.state
	in.state = "being_deleted"
	s := c.s
	ops := c.newOps([]string{"paas_vm_delete", "paas_disk_delete"}, in.id, map[string]any{"name": in.name},
		func() { s.removeInstance(in) }, func() { in.state = prev })
	return c.opRecords(ops), nil
}

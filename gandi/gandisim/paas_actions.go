package gandisim

import (
	"fmt"
	"strings"
	"time"
)

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
	wasExpired := !in.dateEnd.After(c.now)
	ops := c.newOps([]string{"paas_vm_renew", "paas_disk_renew"}, in.id, map[string]any{"name": in.name, "duration": p["duration"]}, func() {
		in.dateEnd = in.dateEnd.AddDate(0, months, 0)
		// An instance paused because it expired runs again once renewed.
		if wasExpired && in.state == "paused" {
			in.state = "running"
		}
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
	if f := c.requireState(in, "running"); f != nil {
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
	// A locked instance is held by Gandi (abuse, migration): it cannot go.
	if f := c.requireState(in, "running", "paused"); f != nil {
		return nil, f
	}
	prev := in.state
	in.state = "being_deleted"
	s := c.s
	ops := c.newOps([]string{"paas_vm_delete", "paas_disk_delete"}, in.id, map[string]any{"name": in.name},
		func() { s.removeInstance(in) }, func() { in.state = prev })
	return c.opRecords(ops), nil
}

package gandisim

import (
	"maps"
	"strings"
	"testing"
)

func with(base map[string]any, kv ...any) map[string]any {
	m := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

func TestCreate_Validation(t *testing.T) {
	e := setup(t, 3)
	e.s.ProveDomain("test.fr")
	base := createSpec()
	tests := []struct {
		name   string
		params any
		code   int
		text   string
	}{
		{"params not a struct", []any{"x"}, CodePaasBadParameter, "expected a struct"},
		{"missing name", with(base, "name", nil), CodePaasBadParameter, "missing mandatory key 'name'"},
		{"missing password", with(base, "password", nil), CodePaasBadParameter, "missing mandatory key 'password'"},
		{"missing datacenter", with(base, "datacenter_id", nil), CodePaasBadParameter, "missing mandatory key 'datacenter_id'"},
		{"missing duration", with(base, "duration", nil), CodePaasBadParameter, "missing mandatory key 'duration'"},
		{"missing size", with(base, "size", nil), CodePaasBadParameter, "missing mandatory key 'size'"},
		{"missing type", with(base, "type", nil), CodePaasBadParameter, "missing mandatory key 'type'"},
		{"unknown key", with(base, "colour", "red"), CodePaasBadParameter, "unknown key 'colour'"},
		{"datacenter as string", with(base, "datacenter_id", "1"), CodePaasBadParameter, "'datacenter_id' must be int"},
		{"quantity as string", with(base, "quantity", "0"), CodePaasBadParameter, "'quantity' must be int"},
		{"vhosts as string", with(base, "vhosts", "vhost.test.fr"), CodePaasBadParameter, "'vhosts' must be array of string"},
		{"fixed as string", with(base, "fixed", "yes"), CodePaasBadParameter, "'fixed' must be boolean"},
		{"dry-run as string", with(base, "--dry-run", "yes"), CodePaasBadParameter, "'--dry-run' must be boolean"},
		{"size not in enum", with(base, "size", "xxxl"), CodePaasBadParameter, "size: 'xxxl' is not one of s, s+, m, l, xl, xxl"},
		{"type not in enum", with(base, "type", "cobol"), CodePaasBadParameter, "type: 'cobol' is not one of"},
		{"deprecated type", with(base, "type", "php5.4mysql"), CodePaasBadParameter, "deprecated and cannot be created"},
		{"unknown datacenter", with(base, "datacenter_id", 9), CodeDatacenterNotFound, "OBJECT_DATACENTER (CAUSE_NOTFOUND) [Datacenter '9' doesn't exist.]"},
		{"bad duration", with(base, "duration", "3 months"), CodePaasBadParameter, "duration must be"},
		{"zero duration", with(base, "duration", "0m"), CodePaasBadParameter, "duration must be"},
		{"too long duration", with(base, "duration", "11y"), CodePaasBadParameter, "duration must be"},
		{"short password", with(base, "password", "short"), CodePaasBadParameter, "password must have"},
		{"empty name", with(base, "name", " "), CodePaasBadParameter, "name must have"},
		{"negative quantity", with(base, "quantity", -1), CodePaasBadParameter, "quantity must be"},
		{"unknown snapshot profile", with(base, "snapshot_profile", 99), CodeSnapshotProfileNotFound, "OBJECT_SNAPSHOT_PROFILE (CAUSE_NOTFOUND)"},
		{"invalid vhost", with(base, "vhosts", []any{"not a host"}), CodeVhostBadParameter, "is not a valid host name"},
		{"vhost already bound", with(base, "vhosts", []any{"shop.example.com"}), CodeVhostExists, "OBJECT_VIRTUALHOST (CAUSE_EXIST) [Vhost 'shop.example.com' already exists.]"},
		{"unproven vhost", with(base, "vhosts", []any{"new.example.com"}), CodeVhostBadParameter, "You must put a TXT value in your zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.ok("paas.count", keyA)
			f := e.fault(tt.code, "paas.create", keyA, tt.params)
			if !strings.Contains(f.String, tt.text) {
				t.Errorf("fault %q does not contain %q", f.String, tt.text)
			}
			if after := e.ok("paas.count", keyA); after != before {
				t.Errorf("a refused create changed the count from %v to %v", before, after)
			}
		})
	}
	if n := e.s.Calls("paas.create"); n != len(tests) {
		t.Errorf("Calls(paas.create) = %d, want %d (refused calls count)", n, len(tests))
	}
}

func TestCreate_DryRun(t *testing.T) {
	e := setup(t, 3)
	base := with(createSpec(), "--dry-run", true)
	key := e.s.txtKey(e.s.accounts[keyA], "vhost.test.fr")
	if len(key) != 32 {
		t.Fatalf("TXT key %q, want 32 hex digits", key)
	}
	t.Run("unproven vhost answers the usage guide's shape", func(t *testing.T) {
		got := list(t, e.ok("paas.create", keyA, base))
		if len(got) != 1 {
			t.Fatalf("dry run %v, want one error", got)
		}
		want := map[string]any{
			"attr": []any{"vhost.test.fr", "vhost=" + key}, "error": "EC_TXT+EC_MISSINGMANDATORY",
			"field": "vhosts", "field_type": nil, "reason": "You must put a TXT value in your zone",
		}
		assertDeepEqual(t, got[0], want)
	})
	t.Run("the TXT key is the one get_dns_entries gives", func(t *testing.T) {
		dns := e.ok("paas.vhost.get_dns_entries", keyA, map[string]any{"datacenter": 1, "vhost": "vhost.test.fr"}).(map[string]any)
		if dns["key"] != key || dns["txt"] != "vhost="+key || dns["name"] != "vhost" || dns["domain"] != "test.fr" {
			t.Errorf("get_dns_entries %v, want key %s", dns, key)
		}
	})
	t.Run("keys differ per account and per name", func(t *testing.T) {
		other := e.s.txtKey(e.s.accounts[keyB], "vhost.test.fr")
		if other == key || e.s.txtKey(e.s.accounts[keyA], "www.test.fr") == key {
			t.Error("TXT keys must depend on the account and the name")
		}
	})
	t.Run("several errors are all listed", func(t *testing.T) {
		got := list(t, e.ok("paas.create", keyA, with(base, "size", "huge", "datacenter_id", 9, "duration", "soon")))
		var fields []string
		for _, g := range got {
			fields = append(fields, g["field"].(string)+":"+g["error"].(string))
		}
		want := "size:!EC_ENUMIN datacenter_id:!EC_ENUMIN duration:!EC_REGEXP vhosts:EC_TXT+EC_MISSINGMANDATORY"
		if strings.Join(fields, " ") != want {
			t.Errorf("dry-run errors %v, want %s", fields, want)
		}
		if attr, _ := got[0]["attr"].([]any); len(attr) != 6 || attr[0] != "s" {
			t.Errorf("enum attr %v, want the six sizes", got[0]["attr"])
		}
	})
	t.Run("proven domain answers empty list and creates nothing", func(t *testing.T) {
		e.s.ProveDomain("test.fr")
		got := e.ok("paas.create", keyA, base)
		if l, ok := got.([]any); !ok || len(l) != 0 {
			t.Errorf("dry run %v, want []", got)
		}
		if n := e.ok("paas.count", keyA); n != 3 {
			t.Errorf("dry run created an instance: count %v", n)
		}
	})
	t.Run("a managed zone counts as proven", func(t *testing.T) {
		if !e.s.AddZone(keyA, "example.io") {
			t.Fatal("AddZone refused a known key")
		}
		got := e.ok("paas.create", keyA, with(base, "vhosts", []any{"www.example.io"}))
		if l := got.([]any); len(l) != 0 {
			t.Errorf("dry run %v, want []", got)
		}
		other := list(t, e.ok("paas.create", keyB, with(base, "vhosts", []any{"www.example.io"})))
		if len(other) != 1 {
			t.Errorf("another account's zone must not prove the name: %v", other)
		}
	})
	t.Run("structural errors are faults even in a dry run", func(t *testing.T) {
		e.fault(CodePaasBadParameter, "paas.create", keyA, with(base, "name", nil))
		e.fault(CodePaasBadParameter, "paas.create", keyA, with(base, "colour", "red"))
	})
	if n := e.s.Calls("paas.create"); n != 0 {
		t.Errorf("dry runs counted as calls: %d", n)
	}
}

func TestVhostCreate_DryRunAndProof(t *testing.T) {
	e := setup(t, 3)
	id := e.idOf(keyA, "shop-prod")
	got := list(t, e.ok("paas.vhost.create", keyA, map[string]any{"paas_id": id, "vhost": "vhost.test.fr", "--dry-run": true}))
	if len(got) != 1 || got[0]["error"] != "EC_TXT+EC_MISSINGMANDATORY" || got[0]["field"] != "vhost" {
		t.Fatalf("vhost dry run %v", got)
	}
	f := e.fault(CodeVhostBadParameter, "paas.vhost.create", keyA, map[string]any{"paas_id": id, "vhost": "vhost.test.fr"})
	if !strings.Contains(f.String, "TXT") {
		t.Errorf("fault %q", f.String)
	}
	e.s.ProveDomain("vhost.test.fr")
	op := e.ok("paas.vhost.create", keyA, map[string]any{"paas_id": id, "vhost": "vhost.test.fr"}).(map[string]any)
	if op["type"] != "rproxy_update" {
		t.Errorf("vhost.create answered %v", op)
	}
	if st := e.ok("paas.vhost.info", keyA, "vhost.test.fr").(map[string]any)["state"]; st != "being_created" {
		t.Errorf("vhost state %v, want being_created", st)
	}
	e.clock.Advance(DefaultOperationTime)
	if st := e.ok("paas.vhost.info", keyA, "vhost.test.fr").(map[string]any)["state"]; st != "running" {
		t.Errorf("vhost state %v, want running", st)
	}
	e.fault(CodeVhostExists, "paas.vhost.create", keyA, map[string]any{"paas_id": id, "vhost": "vhost.test.fr"})
	e.fault(CodePaasNotFound, "paas.vhost.create", keyA, map[string]any{"paas_id": 1, "vhost": "x.test.fr"})
	e.fault(CodeVhostBadParameter, "paas.vhost.create", keyA, map[string]any{"paas_id": id})
	op = e.ok("paas.vhost.delete", keyA, "vhost.test.fr").(map[string]any)
	if op["type"] != "rproxy_update" {
		t.Errorf("vhost.delete answered %v", op)
	}
	e.clock.Advance(DefaultOperationTime)
	e.fault(CodeVhostNotFound, "paas.vhost.info", keyA, "vhost.test.fr")
	e.fault(CodeVhostNotFound, "paas.vhost.delete", keyA, "vhost.test.fr")
}

func TestDNSEntries(t *testing.T) {
	e := setup(t, 0)
	e.s.AddZone(keyA, "example.co.uk")
	tests := []struct {
		vhost, domain, name string
	}{
		{"test.fr", "test.fr", "@"},
		{"vhost.test.fr", "test.fr", "vhost"},
		{"a.b.test.fr", "test.fr", "a.b"},
		{"www.shop.example.co.uk", "example.co.uk", "www.shop"},
		{"Example.co.uk.", "example.co.uk", "@"},
	}
	for _, tt := range tests {
		got := e.ok("paas.vhost.get_dns_entries", keyA, map[string]any{"datacenter": 3, "vhost": tt.vhost}).(map[string]any)
		if got["domain"] != tt.domain || got["name"] != tt.name || got["cname"] != "webacc.dc2.gpaas.net." {
			t.Errorf("%s: %v", tt.vhost, got)
		}
	}
	e.fault(CodeDatacenterNotFound, "paas.vhost.get_dns_entries", keyA, map[string]any{"datacenter": 7, "vhost": "a.fr"})
	e.fault(CodeVhostBadParameter, "paas.vhost.get_dns_entries", keyA, map[string]any{"datacenter": 1, "vhost": "not a name"})
	e.fault(CodeVhostBadParameter, "paas.vhost.get_dns_entries", keyA, map[string]any{"vhost": "a.fr"})
}

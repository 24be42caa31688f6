package gandisim

import (
	"slices"
	"strings"
	"testing"
)

// TestEveryMethod_Answers calls each method once with valid arguments and
// checks the shape of the answer; the table must cover the whole method set.
func TestEveryMethod_Answers(t *testing.T) {
	e := setup(t, 3)
	e.s.ProveDomain("example.io")
	prod, staging, blog := e.idOf(keyA, "shop-prod"), e.idOf(keyA, "shop-staging"), e.idOf(keyA, "blog")
	snap := list(t, e.ok("paas.snapshot.list", keyA))[0]["id"]
	op := list(t, e.ok("paas.renew", keyA, prod, map[string]any{"duration": "1m", "fixed": false}))[0]["id"]
	const (
		aStruct = "struct"
		aList   = "array"
		anInt   = "int"
	)
	tests := []struct {
		method string
		args   []any
		shape  string
	}{
		{"version.info", nil, aStruct},
		{"operation.info", []any{op}, aStruct},
		{"operation.list", []any{map[string]any{"type": "paas_vm_renew"}}, aList},
		{"operation.count", nil, anInt},
		{"catalog.list", []any{map[string]any{"product": map[string]any{"type": "paas"}}, "EUR", "A"}, aList},
		{"hosting.datacenter.list", []any{map[string]any{"iso": "FR"}}, aList},
		{"paas.count", []any{map[string]any{"size": "m"}}, anInt},
		{"paas.list", []any{map[string]any{"sort_by": "name"}}, aList},
		{"paas.info", []any{prod}, aStruct},
		{"paas.create", []any{with(createSpec(), "vhosts", []any{"a.example.io"})}, aList},
		{"paas.update", []any{staging, map[string]any{"quantity": 1}}, aList},
		{"paas.renew", []any{staging, map[string]any{"duration": "1y", "fixed": true}}, aList},
		{"paas.restart", []any{staging}, aStruct},
		{"paas.delete", []any{blog}, aList},
		{"paas.vhost.count", []any{map[string]any{"paas_id": prod}}, anInt},
		{"paas.vhost.list", []any{map[string]any{"~name": "%shop%"}}, aList},
		{"paas.vhost.info", []any{"shop.example.com"}, aStruct},
		{"paas.vhost.create", []any{map[string]any{"paas_id": prod, "vhost": "b.example.io"}}, aStruct},
		{"paas.vhost.delete", []any{"www.shop.example.com"}, aStruct},
		{"paas.vhost.get_dns_entries", []any{map[string]any{"datacenter": 1, "vhost": "c.example.io"}}, aStruct},
		{"paas.snapshot.count", nil, anInt},
		{"paas.snapshot.list", []any{map[string]any{"paas_id": prod}}, aList},
		{"paas.snapshot.info", []any{snap}, aStruct},
		{"paas.snapshotprofile.list", nil, aList},
		{"paas.snapshotprofile.info", []any{7}, aStruct},
		{"paas.type.count", []any{map[string]any{"visibility": "all"}}, anInt},
		{"paas.type.list", []any{map[string]any{"name": "phpmysql"}}, aList},
	}
	var covered []string
	for _, tt := range tests {
		covered = append(covered, tt.method)
		t.Run(tt.method, func(t *testing.T) {
			v := e.ok(tt.method, append([]any{keyA}, tt.args...)...)
			if got := typeName(v); got != tt.shape {
				t.Errorf("answer is %s, want %s: %v", got, tt.shape, v)
			}
		})
	}
	for m := range e.s.table {
		if !slices.Contains(covered, m) {
			t.Errorf("method %s is not covered", m)
		}
	}
}

// TestEveryMethod_RefusesBadArguments: unknown keys, wrong struct types and
// wrong positional types are faults naming the method, for every method
// that takes them.
func TestEveryMethod_RefusesBadArguments(t *testing.T) {
	e := setup(t, 1)
	prod := e.idOf(keyA, "shop-prod")
	tests := []struct {
		method string
		args   []any
		code   int
	}{
		{"operation.list", []any{map[string]any{"bogus": 1}}, CodeOperationBadParameter},
		{"operation.count", []any{map[string]any{"bogus": 1}}, CodeOperationBadParameter},
		{"operation.info", []any{"1"}, CodeOperationBadParameter},
		{"paas.count", []any{map[string]any{"bogus": 1}}, CodePaasBadParameter},
		{"paas.list", []any{map[string]any{"bogus": 1}}, CodePaasBadParameter},
		{"paas.info", []any{"x"}, CodePaasBadParameter},
		{"paas.create", []any{with(createSpec(), "bogus", 1)}, CodePaasBadParameter},
		{"paas.update", []any{prod, map[string]any{"bogus": 1}}, CodePaasBadParameter},
		{"paas.update", []any{prod, map[string]any{"console": "on"}}, CodePaasBadParameter},
		{"paas.update", []any{prod, map[string]any{"snapshot_profile": 1.5}}, CodePaasBadParameter},
		{"paas.renew", []any{prod, map[string]any{"duration": "1m", "fixed": false, "bogus": 1}}, CodePaasBadParameter},
		{"paas.renew", []any{prod, map[string]any{"duration": "1m"}}, CodePaasBadParameter},
		{"paas.renew", []any{prod, "1m"}, CodePaasBadParameter},
		{"paas.restart", []any{[]any{prod}}, CodePaasBadParameter},
		{"paas.delete", []any{nil}, CodePaasBadParameter},
		{"paas.vhost.count", []any{map[string]any{"bogus": 1}}, CodeVhostBadParameter},
		{"paas.vhost.list", []any{map[string]any{"paas_id": "1"}}, CodeVhostBadParameter},
		{"paas.vhost.info", []any{1}, CodeVhostBadParameter},
		{"paas.vhost.create", []any{map[string]any{"paas_id": prod, "vhost": "a.example.io", "bogus": 1}}, CodeVhostBadParameter},
		{"paas.vhost.delete", []any{map[string]any{}}, CodeVhostBadParameter},
		{"paas.vhost.get_dns_entries", []any{map[string]any{"datacenter": 1, "vhost": "a.b", "bogus": 1}}, CodeVhostBadParameter},
		{"paas.snapshot.count", []any{map[string]any{"bogus": 1}}, CodeSnapshotBadParameter},
		{"paas.snapshot.list", []any{map[string]any{"size": "big"}}, CodeSnapshotBadParameter},
		{"paas.snapshot.info", []any{"x"}, CodeSnapshotBadParameter},
		{"paas.snapshotprofile.list", []any{map[string]any{"bogus": 1}}, CodeSnapshotProfileBadParameter},
		{"paas.snapshotprofile.info", []any{"x"}, CodeSnapshotProfileBadParameter},
		{"paas.type.count", []any{map[string]any{"bogus": 1}}, codeTypeBadParameter},
		{"paas.type.list", []any{map[string]any{"id": "1"}}, codeTypeBadParameter},
		{"catalog.list", []any{map[string]any{}, 3}, codeCatalogBadParameter},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			f := e.fault(tt.code, tt.method, append([]any{keyA}, tt.args...)...)
			if !strings.Contains(f.String, "CAUSE_BADPARAMETER") {
				t.Errorf("fault %q", f.String)
			}
		})
	}
	if n := e.ok("paas.count", keyA); n != 1 {
		t.Errorf("refused calls changed state: %v instances", n)
	}
}

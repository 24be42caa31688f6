package gandisim

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestVhostList(t *testing.T) {
	e := filterEnv(t)
	beta := e.idOf(keyA, "beta")
	tests := []struct {
		opts map[string]any
		want []string
	}{
		{map[string]any{}, []string{"alpha.example.com", "beta.example.com", "www.beta.example.com", "delta.example.org"}},
		{map[string]any{"paas_id": beta}, []string{"beta.example.com", "www.beta.example.com"}},
		{map[string]any{"name": "delta.example.org"}, []string{"delta.example.org"}},
		{map[string]any{"~name": "%.example.com"}, []string{"alpha.example.com", "beta.example.com", "www.beta.example.com"}},
		{map[string]any{"sort_by": "name DESC", "items_per_page": 2}, []string{"www.beta.example.com", "delta.example.org"}},
		{map[string]any{"date_creation": "2025-06-01"}, []string{"beta.example.com", "www.beta.example.com"}},
		{map[string]any{">date_creation": "2025-01-02"}, []string{"beta.example.com", "www.beta.example.com"}},
		{map[string]any{"state": "running", "<date_creation": "2025-01-02"}, []string{"alpha.example.com", "delta.example.org"}},
	}
	for _, tt := range tests {
		got := names(list(t, e.ok("paas.vhost.list", keyA, tt.opts)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("vhost.list %v = %v, want %v", tt.opts, got, tt.want)
		}
		wantCount := len(tt.want)
		if _, paged := tt.opts["items_per_page"]; paged {
			wantCount = 4 // counts ignore paging
		}
		if n := e.ok("paas.vhost.count", keyA, tt.opts); n != wantCount {
			t.Errorf("vhost.count %v = %v, want %d", tt.opts, n, wantCount)
		}
	}
	v := e.ok("paas.vhost.info", keyA, "WWW.Beta.example.com.").(map[string]any)
	for _, k := range []string{"cert_id", "date_creation", "id", "name", "paas_entity_id", "paas_id", "state"} {
		if _, ok := v[k]; !ok {
			t.Errorf("vhost.info lacks %s: %v", k, v)
		}
	}
	for _, bad := range []map[string]any{{"~name": []any{"a%"}}, {"name": []any{"x"}}, {"state": "sleeping"}, {"sort_by": "size"}, {"size": 1}} {
		e.fault(CodeVhostBadParameter, "paas.vhost.list", keyA, bad)
	}
}

func TestSnapshots(t *testing.T) {
	e := setup(t, 3)
	prod := e.idOf(keyA, "shop-prod")
	all := list(t, e.ok("paas.snapshot.list", keyA, map[string]any{"paas_id": prod}))
	if len(all) != 3 {
		t.Fatalf("shop-prod has %d snapshots, want 3 (paas_normal keeps 3)", len(all))
	}
	for _, sn := range all {
		src := sn["source"].(map[string]any)
		if src["paas_id"] != prod || src["datacenter_id"] != 1 || sn["size"].(int) <= 0 || sn["name"] == "" {
			t.Errorf("snapshot %v", sn)
		}
	}
	info := e.ok("paas.snapshot.info", keyA, all[0]["id"]).(map[string]any)
	assertDeepEqual(t, info, all[0])
	big := all[0]["size"].(int)
	if n := e.ok("paas.snapshot.count", keyA, map[string]any{"<size": big + 1, ">size": big - 1}); n != 1 {
		t.Errorf("size window counts %v", n)
	}
	if n := e.ok("paas.snapshot.count", keyA, map[string]any{"type": "daily"}).(int); n < 2 {
		t.Errorf("%d daily snapshots", n)
	}
	byDate := list(t, e.ok("paas.snapshot.list", keyA, map[string]any{"sort_by": "date_created DESC"}))
	for i := 1; i < len(byDate); i++ {
		if byDate[i]["date_created"].(time.Time).After(byDate[i-1]["date_created"].(time.Time)) {
			t.Errorf("not sorted by date_created DESC at %d", i)
		}
	}
	e.fault(CodeSnapshotNotFound, "paas.snapshot.info", keyA, 1)
	e.fault(CodeSnapshotBadParameter, "paas.snapshot.list", keyA, map[string]any{"profile": 7})
	e.fault(CodeSnapshotBadParameter, "paas.snapshot.info", keyA, "latest")
}

func TestTypes(t *testing.T) {
	e := setup(t, 0)
	all := list(t, e.ok("paas.type.list", keyA))
	if len(all) != len(paasTypeNames) {
		t.Fatalf("%d types, want %d", len(all), len(paasTypeNames))
	}
	byName := map[string]map[string]any{}
	for _, ty := range all {
		byName[ty["name"].(string)] = ty
	}
	want := map[string]any{"id": 42, "name": "python3.6mysql5.7", "language": "Python 3.6", "database": "MySQL 5.7",
		"category": "python", "catalog_prefix": "python36mysql57", "visibility": "all"}
	assertDeepEqual(t, byName["python3.6mysql5.7"], want)
	if byName["phpmysql"]["visibility"] != "all" || byName["php5.4mysql"]["visibility"] != "deprecated" {
		t.Errorf("visibilities %v %v", byName["phpmysql"], byName["php5.4mysql"])
	}
	if n := e.ok("paas.type.count", keyA, map[string]any{"visibility": "beta"}); n != 3 {
		t.Errorf("%v beta types, want 3", n)
	}
	if n := e.ok("paas.type.count", keyA, map[string]any{"category": []any{"ruby", "nodejs"}}).(int); n < 10 {
		t.Errorf("%d ruby+nodejs types", n)
	}
	got := names(list(t, e.ok("paas.type.list", keyA, map[string]any{"database": "PostgreSQL 9.6", "sort_by": "name", "items_per_page": 2})))
	if !slices.Equal(got, []string{"nodejs6pgsql9.6", "php5.6pgsql9.6"}) {
		t.Errorf("pgsql 9.6 types %v", got)
	}
	e.fault(codeTypeBadParameter, "paas.type.list", keyA, map[string]any{"visibility": "public"})
	e.fault(codeTypeBadParameter, "paas.type.list", keyA, map[string]any{"language": "PHP"})
}

func TestOperationList(t *testing.T) {
	e := setup(t, 3)
	id := e.idOf(keyA, "shop-prod")
	e.ok("paas.restart", keyA, id)
	e.clock.Advance(time.Minute)
	e.ok("paas.renew", keyA, id, map[string]any{"duration": "1m", "fixed": false})
	if n := len(list(t, e.ok("operation.list", keyA))); n != 3 {
		t.Errorf("%d operations, want 3", n)
	}
	got := list(t, e.ok("operation.list", keyA, map[string]any{"step": "BILL", "sort_by": "id DESC"}))
	if len(got) != 2 || got[0]["type"] != "paas_disk_renew" {
		t.Errorf("BILL operations %v", got)
	}
	if n := len(list(t, e.ok("operation.list", keyA, map[string]any{"type": "paas_restart", "step": []any{"DONE"}}))); n != 1 {
		t.Errorf("%d done restarts", n)
	}
	if n := e.ok("operation.count", keyA, map[string]any{"paas_id": id}); n != 3 {
		t.Errorf("operation.count %v", n)
	}
	e.fault(CodeOperationBadParameter, "operation.list", keyA, map[string]any{"step": "SLEEPING"})
	e.fault(CodeOperationNotFound, "operation.info", keyA, 12)
}

func TestCatalogList(t *testing.T) {
	e := setup(t, 0)
	items := list(t, e.ok("catalog.list", keyA, map[string]any{"product": map[string]any{"type": "paas", "description": "phpmysql_m"},
		"action": map[string]any{"name": "renew", "duration": 12}}, "EUR"))
	if len(items) != 1 {
		t.Fatalf("catalog items %v", items)
	}
	prices := items[0]["unit_price"].([]any)
	if len(prices) != 1 {
		t.Fatalf("a 12-month renewal has %d price tiers, want the one that applies", len(prices))
	}
	if yearly := prices[0].(map[string]any); yearly["price"] != 12.5 || yearly["min_duration"] != 12 || yearly["currency"] != "EUR" {
		t.Errorf("yearly price %v", yearly)
	}
	both := list(t, e.ok("catalog.list", keyA, map[string]any{"product": map[string]any{"type": "paas", "description": "m"}, "action": map[string]any{"name": "create"}}))
	prices = both[0]["unit_price"].([]any)
	monthly := prices[0].(map[string]any)
	if len(prices) != 2 || monthly["price"] != 15.0 || monthly["duration_unit"] != "m" || monthly["min_duration"] != 1 || monthly["max_duration"] != 11 {
		t.Errorf("without a duration: %v", prices)
	}
	three := list(t, e.ok("catalog.list", keyA, map[string]any{"product": map[string]any{"description": "xl"}, "action": map[string]any{"name": "renew", "duration": "3m"}}))
	if p := three[0]["unit_price"].([]any); len(p) != 1 || p[0].(map[string]any)["price"] != 60.0 {
		t.Errorf("3-month xl renewal %v", p)
	}
	all := list(t, e.ok("catalog.list", keyA, map[string]any{"product": map[string]any{"type": "paas"}}))
	if len(all) != 3*7 {
		t.Errorf("%d items for every size, disk and action, want 21", len(all))
	}
	if n := len(list(t, e.ok("catalog.list", keyA, map[string]any{"product": map[string]any{"type": "domain"}}))); n != 0 {
		t.Errorf("%d domain items", n)
	}
	usd := list(t, e.ok("catalog.list", keyA, map[string]any{"product": map[string]any{"description": "s"}, "action": map[string]any{"name": "create"}}, "USD"))
	if p := usd[0]["unit_price"].([]any)[0].(map[string]any); p["price"] != 5.5 || p["currency"] != "USD" {
		t.Errorf("USD price %v", p)
	}
	e.fault(codeCatalogBadParameter, "catalog.list", keyA, map[string]any{}, "XYZ")
	e.fault(codeCatalogBadParameter, "catalog.list", keyA, "paas")
}

func TestSnapshotProfiles(t *testing.T) {
	e := setup(t, 0)
	all := list(t, e.ok("paas.snapshotprofile.list", keyA))
	if got := names(all); !slices.Equal(got, []string{"paas_normal", "paas_full", "paas_minimal"}) {
		t.Errorf("profiles %v", got)
	}
	p := e.ok("paas.snapshotprofile.info", keyA, 7).(map[string]any)
	if p["kept_total"] != 3 || p["quota_factor"] != 1.3 || len(p["schedules"].([]any)) != 3 {
		t.Errorf("paas_normal %v", p)
	}
	if got := names(list(t, e.ok("paas.snapshotprofile.list", keyA, map[string]any{"name": "paas_full"}))); !slices.Equal(got, []string{"paas_full"}) {
		t.Errorf("by name %v", got)
	}
	e.fault(CodeSnapshotProfileNotFound, "paas.snapshotprofile.info", keyA, 1)
	e.fault(CodeSnapshotProfileBadParameter, "paas.snapshotprofile.list", keyA, map[string]any{"kept_total": 3})
}

func TestDatacenterList(t *testing.T) {
	e := setup(t, 0)
	all := list(t, e.ok("hosting.datacenter.list", keyA))
	if len(all) != len(datacenters) {
		t.Fatalf("%d datacenters, want %d", len(all), len(datacenters))
	}
	for i, dc := range all {
		if !reflect.DeepEqual(dc, datacenters[i].info()) {
			t.Errorf("datacenter %d = %v, want paas.info's %v", i, dc, datacenters[i].info())
		}
	}
	for _, tt := range []struct {
		opts map[string]any
		ids  []any
	}{
		{map[string]any{"iso": "FR"}, []any{1, 4}},
		{map[string]any{"id": []any{2, 3}}, []any{2, 3}},
		{map[string]any{"dc_code": "LU-BI1"}, []any{3}},
		{map[string]any{"country": "France", "name": "Equinix Paris"}, []any{1}},
		{map[string]any{"iso": "DE"}, nil},
	} {
		var ids []any
		for _, dc := range list(t, e.ok("hosting.datacenter.list", keyA, tt.opts)) {
			ids = append(ids, dc["id"])
		}
		if !reflect.DeepEqual(ids, tt.ids) {
			t.Errorf("%v: ids %v, want %v", tt.opts, ids, tt.ids)
		}
	}
	e.fault(CodeDatacenterBadParameter, "hosting.datacenter.list", keyA, map[string]any{"region": "eu"})
	e.fault(CodeDatacenterBadParameter, "hosting.datacenter.list", keyA, map[string]any{"id": "one"})
	e.fault(CodeInvalidAPIKey, "hosting.datacenter.list", "nobody")
}

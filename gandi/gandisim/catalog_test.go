package gandisim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSeedDemo(t *testing.T) {
	e := setup(t, 40)
	items := list(t, e.ok("paas.list", keyA, map[string]any{"items_per_page": 500}))
	if len(items) != 40 {
		t.Fatalf("%d instances, want 40", len(items))
	}
	if got := names(items[:3]); !slices.Equal(got, []string{"shop-prod", "shop-staging", "blog"}) {
		t.Errorf("first instances %v", got)
	}
	prod := e.ok("paas.info", keyA, items[0]["id"]).(map[string]any)
	var vhosts []string
	for _, v := range prod["vhosts"].([]any) {
		vhosts = append(vhosts, v.(map[string]any)["name"].(string))
	}
	if prod["state"] != "running" || prod["size"] != "m" || prod["type"] != "phpmysql" || prod["snapshot_profile"] == nil ||
		!slices.Equal(vhosts, []string{"shop.example.com", "www.shop.example.com"}) {
		t.Errorf("shop-prod %v", prod)
	}
	if items[1]["size"] != "s" {
		t.Errorf("shop-staging size %v", items[1]["size"])
	}
	now := e.clock.Now()
	var expired, week, month, upgrade, noProfile, dcs, types = 0, 0, 0, 0, 0, map[int]bool{}, map[string]bool{}
	for _, it := range items {
		end := it["date_end"].(time.Time)
		switch {
		case end.Before(now):
			expired++
		case end.Before(now.AddDate(0, 0, 7)):
			week++
		case end.Before(now.AddDate(0, 0, 30)):
			month++
		}
		if it["need_upgrade"] == true {
			upgrade++
		}
		if it["snapshot_profile"] == nil {
			noProfile++
		}
		dcs[it["datacenter_id"].(int)] = true
		types[it["type"].(string)] = true
	}
	if expired == 0 || week == 0 || month == 0 || upgrade == 0 || noProfile == 0 || len(dcs) < 3 || len(types) < 3 {
		t.Errorf("spread: expired %d, within 7 days %d, within 30 days %d, need_upgrade %d, no profile %d, datacenters %d, types %d",
			expired, week, month, upgrade, noProfile, len(dcs), len(types))
	}
	// Old snapshots: the blog's newest is more than a week old.
	snaps := list(t, e.ok("paas.snapshot.list", keyA, map[string]any{"paas_id": items[2]["id"], "sort_by": "date_created DESC"}))
	if len(snaps) == 0 || snaps[0]["date_created"].(time.Time).After(now.AddDate(0, 0, -7)) {
		t.Errorf("blog snapshots %v, want stale ones", snaps)
	}
	// Same seed, same data.
	other := New(Options{Now: e.clock.Now, Seed: 42})
	other.SeedDemo(keyA, 40)
	if a, b := dumpInstances(e.s, keyA), dumpInstances(other, keyA); a != b {
		t.Errorf("same seed gave different data:\n%s\n%s", a, b)
	}
	third := New(Options{Now: e.clock.Now, Seed: 43})
	third.SeedDemo(keyA, 40)
	if dumpInstances(e.s, keyA) == dumpInstances(third, keyA) {
		t.Error("another seed gave the same data")
	}
}

func dumpInstances(s *Server, key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, id := range s.order {
		in := s.instances[id]
		if in.owner.key == key {
			b.WriteString(in.name + in.size + in.typ + in.state + in.dateEnd.String() + "|")
		}
	}
	return b.String()
}

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

func TestCredit(t *testing.T) {
	e := setup(t, 3)
	id := e.idOf(keyA, "shop-prod")
	if !e.s.SetCredit(keyA, 20) {
		t.Fatal("SetCredit refused a known key")
	}
	got := list(t, e.ok("paas.renew", keyA, id, map[string]any{"duration": "12m", "fixed": false, "--dry-run": true}))
	if len(got) != 1 || got[0]["error"] != "EC_NOCREDIT" {
		t.Errorf("dry run without credit %v", got)
	}
	f := e.fault(CodeNoCredit, "paas.renew", keyA, id, map[string]any{"duration": "12m", "fixed": false})
	if !strings.HasPrefix(f.String, "Error on object : OBJECT_PREPAID (CAUSE_DONTEXIST) [") {
		t.Errorf("fault text %q", f.String)
	}
	e.ok("paas.renew", keyA, id, map[string]any{"duration": "1m", "fixed": false}) // 15 + 2 EUR
	e.fault(CodeNoCredit, "paas.renew", keyA, id, map[string]any{"duration": "1m", "fixed": false})
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

func TestRenew_RestartsAnExpiredInstance(t *testing.T) {
	e := filterEnv(t)
	id := e.put(keyA, "expired", "s", "phpmysql", 1, "paused", "2025-01-01 10:00", "2026-11-01 10:00", 0)
	paused := e.put(keyA, "paused-by-hand", "s", "phpmysql", 1, "paused", "2025-01-01 10:00", "2027-11-01 10:00", 0)
	e.ok("paas.renew", keyA, id, map[string]any{"duration": "1m", "fixed": false})
	e.ok("paas.renew", keyA, paused, map[string]any{"duration": "1m", "fixed": false})
	e.clock.Advance(time.Minute)
	if st := e.ok("paas.info", keyA, id).(map[string]any)["state"]; st != "running" {
		t.Errorf("expired instance after renew: %v, want running", st)
	}
	if st := e.ok("paas.info", keyA, paused).(map[string]any)["state"]; st != "paused" {
		t.Errorf("instance paused by hand after renew: %v, want paused", st)
	}
}

func TestVhostDelete_WhileBeingCreated(t *testing.T) {
	e := setup(t, 3)
	e.s.ProveDomain("example.io")
	e.ok("paas.vhost.create", keyA, map[string]any{"paas_id": e.idOf(keyA, "shop-prod"), "vhost": "new.example.io"})
	f := e.fault(CodeVhostState, "paas.vhost.delete", keyA, "new.example.io")
	if !strings.Contains(f.String, "OBJECT_VIRTUALHOST (CAUSE_STATE)") {
		t.Errorf("fault %q", f.String)
	}
}

func TestOperationsAreBounded(t *testing.T) {
	e := setup(t, 1)
	s := e.s
	s.mu.Lock()
	c := &call{s: s, acct: s.accounts[keyA], method: "paas.restart", now: e.clock.Now()}
	first := c.newOps([]string{"paas_restart"}, 0, nil, nil, nil)[0].id
	for range MaxOperations + 10 {
		c.newOps([]string{"paas_restart"}, 0, nil, nil, nil)
	}
	if len(s.ops) <= MaxOperations {
		t.Errorf("running operations were forgotten: %d kept", len(s.ops))
	}
	s.mu.Unlock()
	e.clock.Advance(time.Minute)
	e.ok("paas.restart", keyA, e.idOf(keyA, "shop-prod")) // settles, then prunes
	s.mu.Lock()
	n := len(s.ops)
	s.mu.Unlock()
	if n > MaxOperations {
		t.Errorf("%d operations kept, want at most %d", n, MaxOperations)
	}
	e.fault(CodeOperationNotFound, "operation.info", keyA, first)
}

func TestStateRules(t *testing.T) {
	e := filterEnv(t) // beta is paused, delta locked
	beta, delta := e.idOf(keyA, "beta"), e.idOf(keyA, "delta")
	tests := []struct {
		method string
		args   []any
		code   int
	}{
		{"paas.restart", []any{beta}, CodePaasState},
		{"paas.restart", []any{delta}, CodePaasState},
		{"paas.update", []any{beta, map[string]any{"size": "l"}}, CodePaasState},
		{"paas.delete", []any{delta}, CodePaasState},
	}
	for _, tt := range tests {
		f := e.fault(tt.code, tt.method, append([]any{keyA}, tt.args...)...)
		if !strings.Contains(f.String, "OBJECT_PAAS (CAUSE_STATE)") {
			t.Errorf("%s: %q", tt.method, f.String)
		}
	}
	e.ok("paas.renew", keyA, delta, map[string]any{"duration": "1m", "fixed": false})
	e.ok("paas.delete", keyA, beta)
}

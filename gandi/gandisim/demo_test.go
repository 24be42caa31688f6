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

package gandisim

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// put inserts an instance directly, for precise filter fixtures.
func (e *env) put(key, name, size, typ string, dc int, state string, start, end string, quantity int, vhosts ...string) int {
	e.t.Helper()
	s := e.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[key]
	parse := func(v string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", v, s.loc)
		if err != nil {
			e.t.Fatal(err)
		}
		return t
	}
	in := &instance{id: s.id("paas"), owner: a, name: name, size: size, typ: typ, datacenterID: dc, state: state,
		dateStart: parse(start), dateEnd: parse(end), quantity: quantity, serverID: s.id("server")}
	s.addInstance(in)
	for _, v := range vhosts {
		s.addVhost(in, v, "running", in.dateStart)
	}
	return in.id
}

func filterEnv(t *testing.T) *env {
	e := setup(t, 0)
	e.put(keyA, "alpha", "s", "phpmysql", 1, "running", "2025-01-01 10:00", "2026-12-01 10:00", 0, "alpha.example.com")
	e.put(keyA, "beta", "m", "nodejsmongodb", 2, "paused", "2025-06-01 10:00", "2027-03-15 10:00", 10, "beta.example.com", "www.beta.example.com")
	e.put(keyA, "gamma", "s+", "phpmysql", 3, "running", "2025-07-01 10:00", "2026-11-25 12:00", 5)
	e.put(keyA, "delta", "xl", "pythonpgsql", 1, "locked", "2024-02-01 10:00", "2028-01-01 10:00", 50, "delta.example.org")
	e.put(keyA, "shop-1", "l", "phpmysql", 4, "running", "2025-03-01 10:00", "2027-01-01 10:00", 0)
	// Another account's instance must never show.
	e.put(keyB, "alpha", "s", "phpmysql", 1, "running", "2025-01-01 10:00", "2026-12-01 10:00", 0, "other.example.net")
	return e
}

func TestPaasList_Filters(t *testing.T) {
	e := filterEnv(t)
	all := []string{"alpha", "beta", "gamma", "delta", "shop-1"}
	tests := []struct {
		name string
		opts map[string]any
		want []string
	}{
		{"no filter", map[string]any{}, all},
		{"size string", map[string]any{"size": "s"}, []string{"alpha"}},
		{"size array", map[string]any{"size": []any{"s", "m"}}, []string{"alpha", "beta"}},
		{"state", map[string]any{"state": "running"}, []string{"alpha", "gamma", "shop-1"}},
		{"type string", map[string]any{"type": "phpmysql"}, []string{"alpha", "gamma", "shop-1"}},
		{"type array", map[string]any{"type": []any{"nodejsmongodb", "pythonpgsql"}}, []string{"beta", "delta"}},
		{"datacenter int", map[string]any{"datacenter_id": 1}, []string{"alpha", "delta"}},
		{"datacenter array", map[string]any{"datacenter_id": []any{2, 3}}, []string{"beta", "gamma"}},
		{"name string", map[string]any{"name": "beta"}, []string{"beta"}},
		{"name array", map[string]any{"name": []any{"beta", "gamma", "nope"}}, []string{"beta", "gamma"}},
		{"like prefix", map[string]any{"~name": "sh%"}, []string{"shop-1"}},
		{"like suffix", map[string]any{"~name": "%a"}, []string{"alpha", "beta", "gamma", "delta"}},
		{"like underscore", map[string]any{"~name": "_eta"}, []string{"beta"}},
		{"like without wildcard is exact", map[string]any{"~name": "alph"}, nil},
		{"like is case-sensitive", map[string]any{"~name": "ALPHA"}, nil},
		{"like array", map[string]any{"~name": []any{"al%", "de%"}}, []string{"alpha", "delta"}},
		{"vhost", map[string]any{"vhost": "www.beta.example.com"}, []string{"beta"}},
		{"vhost array", map[string]any{"vhost": []any{"alpha.example.com", "delta.example.org"}}, []string{"alpha", "delta"}},
		{"like vhost", map[string]any{"~vhost": "%.example.org"}, []string{"delta"}},
		{"disk equal", map[string]any{"data_disk_additional_size": 10}, []string{"beta"}},
		{"disk greater", map[string]any{">data_disk_additional_size": 5}, []string{"beta", "delta"}},
		{"disk lower", map[string]any{"<data_disk_additional_size": 5}, []string{"alpha", "shop-1"}},
		{"date_end day", map[string]any{"date_end": "2026-12-01"}, []string{"alpha"}},
		{"date_end exact time", map[string]any{"date_end": "2026-11-25 12:00:00"}, []string{"gamma"}},
		{"date_end before", map[string]any{"<date_end": "2026-12-31"}, []string{"alpha", "gamma"}},
		{"date_end after", map[string]any{">date_end": "2027-06-01"}, []string{"delta"}},
		{"date_end after day excludes that day", map[string]any{">date_end": "2026-12-01"}, []string{"beta", "delta", "shop-1"}},
		{"date_end before as dateTime", map[string]any{"<date_end": time.Date(2026, 12, 1, 10, 0, 1, 0, e.s.loc)}, []string{"alpha", "gamma"}},
		{"date_start", map[string]any{"date_start": "2025-06-01"}, []string{"beta"}},
		{"contact", map[string]any{"contact": "AAA-GANDI"}, nil},
		{"id array", map[string]any{"id": []any{126001, 126003}}, []string{"alpha", "gamma"}},
		{"combined", map[string]any{"state": "running", "size": []any{"s", "l"}}, []string{"alpha", "shop-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(list(t, e.ok("paas.list", keyA, tt.opts)))
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("paas.list %v = %v, want %v", tt.opts, got, tt.want)
			}
			count := e.ok("paas.count", keyA, tt.opts)
			if count != len(tt.want) {
				t.Errorf("paas.count %v = %v, want %d", tt.opts, count, len(tt.want))
			}
		})
	}
}

func TestPaasList_ContactIsTheOwnerHandle(t *testing.T) {
	e := filterEnv(t)
	info := e.ok("paas.info", keyA, e.idOf(keyA, "alpha")).(map[string]any)
	handle := info["owner"].(map[string]any)["handle"].(string)
	if n := e.ok("paas.count", keyA, map[string]any{"contact": handle}); n != 5 {
		t.Errorf("contact %s counts %v, want 5", handle, n)
	}
	if n := e.ok("paas.count", keyA, map[string]any{"contact": []any{"ZZZ-GANDI", handle}}); n != 5 {
		t.Errorf("contact array counts %v, want 5", n)
	}
	got := names(list(t, e.ok("paas.list", keyA, map[string]any{"sort_by": "contact", "items_per_page": 1})))
	if len(got) != 1 {
		t.Errorf("sort_by contact gave %v", got)
	}
}

func TestPaasList_Sort(t *testing.T) {
	e := filterEnv(t)
	tests := []struct {
		sortBy string
		want   []string
	}{
		{"name", []string{"alpha", "beta", "delta", "gamma", "shop-1"}},
		{"name DESC", []string{"shop-1", "gamma", "delta", "beta", "alpha"}},
		{"name asc", []string{"alpha", "beta", "delta", "gamma", "shop-1"}},
		{"date_end", []string{"gamma", "alpha", "shop-1", "beta", "delta"}},
		{"date_end DESC", []string{"delta", "beta", "shop-1", "alpha", "gamma"}},
		{"size", []string{"alpha", "gamma", "beta", "shop-1", "delta"}},
		{"data_disk_additional_size DESC", []string{"delta", "beta", "gamma", "alpha", "shop-1"}},
		{"datacenter_id", []string{"alpha", "delta", "beta", "gamma", "shop-1"}},
		{"date_start", []string{"delta", "alpha", "shop-1", "beta", "gamma"}},
		{"state", []string{"delta", "beta", "alpha", "gamma", "shop-1"}},
		{"type", []string{"beta", "alpha", "gamma", "shop-1", "delta"}},
		{"id DESC", []string{"shop-1", "delta", "gamma", "beta", "alpha"}},
		{"vhost", []string{"gamma", "shop-1", "alpha", "beta", "delta"}},
	}
	for _, tt := range tests {
		t.Run(tt.sortBy, func(t *testing.T) {
			got := names(list(t, e.ok("paas.list", keyA, map[string]any{"sort_by": tt.sortBy})))
			if !slices.Equal(got, tt.want) {
				t.Errorf("sort_by %q = %v, want %v", tt.sortBy, got, tt.want)
			}
		})
	}
	// Sorting and filtering and paging together.
	got := names(list(t, e.ok("paas.list", keyA, map[string]any{"sort_by": "name DESC", "state": "running", "items_per_page": 2, "page": 1})))
	if !slices.Equal(got, []string{"alpha"}) {
		t.Errorf("sorted, filtered page 1 = %v, want [alpha]", got)
	}
}

func TestPaasList_Paging(t *testing.T) {
	e := setup(t, 0)
	for i := range 620 {
		e.put(keyA, fmt.Sprintf("i%03d", i), "s", "phpmysql", 1, "running", "2025-01-01 10:00", "2027-01-01 10:00", 0)
	}
	tests := []struct {
		name      string
		opts      map[string]any
		wantLen   int
		wantFirst string
	}{
		{"default is 100", map[string]any{}, 100, "i000"},
		{"page 1 of default", map[string]any{"page": 1}, 100, "i100"},
		{"items_per_page", map[string]any{"items_per_page": 7, "page": 3}, 7, "i021"},
		{"capped at 500", map[string]any{"items_per_page": 1000}, 500, "i000"},
		{"last partial page", map[string]any{"items_per_page": 500, "page": 1}, 120, "i500"},
		{"past the end", map[string]any{"items_per_page": 500, "page": 2}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(list(t, e.ok("paas.list", keyA, tt.opts)))
			if len(got) != tt.wantLen {
				t.Fatalf("got %d items, want %d", len(got), tt.wantLen)
			}
			if len(got) > 0 && got[0] != tt.wantFirst {
				t.Errorf("first item %s, want %s", got[0], tt.wantFirst)
			}
		})
	}
	if n := e.ok("paas.count", keyA); n != 620 {
		t.Errorf("paas.count = %v, want 620 (count does not page)", n)
	}
}

func TestPaasList_BadOptions(t *testing.T) {
	e := filterEnv(t)
	tests := []struct {
		name   string
		method string
		opts   any
	}{
		{"unknown key", "paas.list", map[string]any{"colour": "red"}},
		{"paging key on count", "paas.count", map[string]any{"items_per_page": 10}},
		{"sort_by on count", "paas.count", map[string]any{"sort_by": "name"}},
		{"size not in enum", "paas.list", map[string]any{"size": "q"}},
		{"size array with a bad one", "paas.list", map[string]any{"size": []any{"s", "huge"}}},
		{"state not in enum", "paas.list", map[string]any{"state": "halted"}},
		{"state is not an array", "paas.list", map[string]any{"state": []any{"running"}}},
		{"type not in enum", "paas.count", map[string]any{"type": "cobol"}},
		{"id of wrong type", "paas.list", map[string]any{"id": "12"}},
		{"datacenter array of strings", "paas.list", map[string]any{"datacenter_id": []any{"1"}}},
		{"sort_by unknown field", "paas.list", map[string]any{"sort_by": "colour"}},
		{"sort_by bad direction", "paas.list", map[string]any{"sort_by": "name sideways"}},
		{"negative page", "paas.list", map[string]any{"page": -1}},
		{"zero items_per_page", "paas.list", map[string]any{"items_per_page": 0}},
		{"bad date", "paas.list", map[string]any{"<date_end": "tomorrow"}},
		{"options not a struct", "paas.list", "all"},
		{"like on a key without like", "paas.list", map[string]any{"~type": "php%"}},
		{"compare on a key without compare", "paas.list", map[string]any{"<date_start": "2026-01-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := e.fault(CodePaasBadParameter, tt.method, keyA, tt.opts)
			if want := "Error on object : OBJECT_PAAS (CAUSE_BADPARAMETER) ["; len(f.String) < len(want) || f.String[:len(want)] != want {
				t.Errorf("fault text %q does not start with %q", f.String, want)
			}
		})
	}
}

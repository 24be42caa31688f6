package gandisim

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func createSpec() map[string]any {
	return map[string]any{
		"name": "My PaaS", "size": "m", "type": "phpmysql", "datacenter_id": 1,
		"vhosts": []any{"vhost.test.fr"}, "quantity": 0, "duration": "3m", "password": "xxxxxxxxxx",
	}
}

func opTypes(ops []map[string]any) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i], _ = o["type"].(string)
	}
	return out
}

func (e *env) step(id int) string {
	e.t.Helper()
	return e.ok("operation.info", keyA, id).(map[string]any)["step"].(string)
}

func TestCreate_Lifecycle(t *testing.T) {
	e := setup(t, 0)
	e.s.ProveDomain("test.fr")
	start := e.clock.Now()
	ops := list(t, e.ok("paas.create", keyA, createSpec()))
	if got := opTypes(ops); !slices.Equal(got, []string{"paas_vm_create", "paas_disk_create", "rproxy_create"}) {
		t.Fatalf("create ops %v", got)
	}
	paasID := ops[0]["paas_id"].(int)
	for _, o := range ops {
		if o["step"] != "BILL" || o["paas_id"] != paasID || o["last_error"] != nil {
			t.Errorf("new op %v, want step BILL, paas_id %d, last_error nil", o, paasID)
		}
	}
	info := e.ok("paas.info", keyA, paasID).(map[string]any)
	if info["state"] != "being_created" || info["name"] != "My PaaS" || info["size"] != "m" {
		t.Fatalf("new instance %v", info)
	}
	wantEnd := start.AddDate(0, 3, 0)
	if !info["date_end"].(time.Time).Equal(wantEnd) {
		t.Errorf("date_end %v, want %v (3 months)", info["date_end"], wantEnd)
	}
	if info["date_end_commitment"] != nil {
		t.Errorf("date_end_commitment %v, want nil without fixed", info["date_end_commitment"])
	}
	first, last := ops[0]["id"].(int), ops[2]["id"].(int)
	steps := []struct {
		at        time.Duration
		first     string
		last      string
		paasState string
	}{
		{500 * time.Millisecond, "BILL", "BILL", "being_created"},
		{1 * time.Second, "WAIT", "WAIT", "being_created"},
		{3 * time.Second, "RUN", "RUN", "being_created"},
		{8 * time.Second, "DONE", "RUN", "being_created"},
		{10 * time.Second, "DONE", "DONE", "running"},
	}
	for _, st := range steps {
		e.clock.Set(start.Add(st.at))
		if got := e.step(first); got != st.first {
			t.Errorf("at +%v first op %s, want %s", st.at, got, st.first)
		}
		if got := e.step(last); got != st.last {
			t.Errorf("at +%v last op %s, want %s", st.at, got, st.last)
		}
		if got := e.ok("paas.info", keyA, paasID).(map[string]any)["state"]; got != st.paasState {
			t.Errorf("at +%v instance %s, want %s", st.at, got, st.paasState)
		}
	}
	v := e.ok("paas.vhost.info", keyA, "vhost.test.fr").(map[string]any)
	if v["state"] != "running" || v["paas_id"] != paasID {
		t.Errorf("vhost after create %v", v)
	}
	done := e.ok("operation.info", keyA, first).(map[string]any)
	if done["date_start"] == nil || done["eta"] != 0 {
		t.Errorf("done op %v: want date_start set and eta 0", done)
	}
}

func TestRenew_ExtendsDateEndWhenDone(t *testing.T) {
	tests := []struct {
		name     string
		duration string
		months   int
		fixed    bool
	}{
		{"one month", "1m", 1, false},
		{"a year in months, fixed", "12m", 12, true},
		{"a year", "1y", 12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, 3)
			id := e.idOf(keyA, "shop-prod")
			before := e.ok("paas.info", keyA, id).(map[string]any)["date_end"].(time.Time)
			dry := e.ok("paas.renew", keyA, id, map[string]any{"duration": tt.duration, "fixed": tt.fixed, "--dry-run": true})
			if l := dry.([]any); len(l) != 0 {
				t.Fatalf("dry run %v, want []", dry)
			}
			ops := list(t, e.ok("paas.renew", keyA, id, map[string]any{"duration": tt.duration, "fixed": tt.fixed}))
			if got := opTypes(ops); !slices.Equal(got, []string{"paas_vm_renew", "paas_disk_renew"}) {
				t.Fatalf("renew ops %v", got)
			}
			if n := e.s.Calls("paas.renew"); n != 1 {
				t.Errorf("Calls(paas.renew) = %d, want 1 (the dry run is not counted)", n)
			}
			if n := e.s.DryRuns("paas.renew"); n != 1 {
				t.Errorf("DryRuns(paas.renew) = %d, want 1", n)
			}
			info := e.ok("paas.info", keyA, id).(map[string]any)
			if !info["date_end"].(time.Time).Equal(before) {
				t.Errorf("date_end changed before the operation is done")
			}
			e.clock.Advance(time.Minute)
			info = e.ok("paas.info", keyA, id).(map[string]any)
			want := before.AddDate(0, tt.months, 0)
			if got := info["date_end"].(time.Time); !got.Equal(want) {
				t.Errorf("date_end %v, want %v", got, want)
			}
			commit, _ := info["date_end_commitment"].(time.Time)
			if tt.fixed != !commit.IsZero() || (tt.fixed && !commit.Equal(want)) {
				t.Errorf("date_end_commitment %v with fixed=%v", info["date_end_commitment"], tt.fixed)
			}
		})
	}
}

func TestFailNextOperations(t *testing.T) {
	e := setup(t, 3)
	id := e.idOf(keyA, "shop-prod")
	before := e.ok("paas.info", keyA, id).(map[string]any)["date_end"]
	e.s.FailNextOperations("paas.renew", "billing backend unavailable")
	ops := list(t, e.ok("paas.renew", keyA, id, map[string]any{"duration": "12m", "fixed": false}))
	e.clock.Advance(time.Minute)
	for _, o := range ops {
		got := e.ok("operation.info", keyA, o["id"]).(map[string]any)
		if got["step"] != "ERROR" || got["last_error"] != "billing backend unavailable" {
			t.Errorf("op %v, want ERROR with last_error", got)
		}
	}
	if after := e.ok("paas.info", keyA, id).(map[string]any)["date_end"]; after != before {
		t.Errorf("failed renew moved date_end from %v to %v", before, after)
	}
	// Only the next call fails.
	ops = list(t, e.ok("paas.renew", keyA, id, map[string]any{"duration": "1m", "fixed": false}))
	e.clock.Advance(time.Minute)
	if got := e.step(ops[0]["id"].(int)); got != "DONE" {
		t.Errorf("second renew %s, want DONE", got)
	}
	// A failed create leaves no instance behind.
	e.s.ProveDomain("test.fr")
	e.s.FailNextOperations("paas.create", "no capacity")
	ops = list(t, e.ok("paas.create", keyA, createSpec()))
	e.clock.Advance(time.Minute)
	e.fault(CodePaasNotFound, "paas.info", keyA, ops[0]["paas_id"])
}

func TestUpdateRestartDelete(t *testing.T) {
	e := setup(t, 3)
	id := e.idOf(keyA, "shop-staging")
	ops := list(t, e.ok("paas.update", keyA, id, map[string]any{"size": "xl", "quantity": 5, "console": true, "upgrade": true}))
	if got := opTypes(ops); !slices.Equal(got, []string{"paas_vm_update", "paas_disk_update", "paas_console"}) {
		t.Errorf("update ops %v", got)
	}
	e.clock.Advance(time.Minute)
	info := e.ok("paas.info", keyA, id).(map[string]any)
	if info["size"] != "xl" || info["data_disk_additional_size"] != 5 || info["catalog_name"] != "phpmysql_xl" {
		t.Errorf("after update %v", info)
	}
	if ci := info["console_info"].(map[string]any); ci["enabled"] != true {
		t.Errorf("console_info %v, want enabled", ci)
	}
	e.fault(CodePaasBadParameter, "paas.update", keyA, id, map[string]any{"quantity": 1}) // disks cannot shrink
	e.fault(CodePaasBadParameter, "paas.update", keyA, id, map[string]any{"size": "xxxl"})
	e.fault(CodeSnapshotProfileNotFound, "paas.update", keyA, id, map[string]any{"snapshot_profile": 999})
	e.ok("paas.update", keyA, id, map[string]any{"snapshot_profile": 7})
	e.clock.Advance(time.Minute)
	if p := e.ok("paas.info", keyA, id).(map[string]any)["snapshot_profile"]; p == nil {
		t.Error("snapshot_profile not set")
	}
	e.ok("paas.update", keyA, id, map[string]any{"snapshot_profile": ""})
	e.clock.Advance(time.Minute)
	if p := e.ok("paas.info", keyA, id).(map[string]any)["snapshot_profile"]; p != nil {
		t.Errorf("snapshot_profile %v, want nil after unset", p)
	}

	op := e.ok("paas.restart", keyA, id).(map[string]any)
	if op["type"] != "paas_restart" {
		t.Errorf("restart answered %v", op)
	}

	ops = list(t, e.ok("paas.delete", keyA, id))
	if got := opTypes(ops); !slices.Equal(got, []string{"paas_vm_delete", "paas_disk_delete"}) {
		t.Errorf("delete ops %v", got)
	}
	if st := e.ok("paas.info", keyA, id).(map[string]any)["state"]; st != "being_deleted" {
		t.Errorf("state %v, want being_deleted", st)
	}
	f := e.fault(CodePaasState, "paas.restart", keyA, id)
	if !strings.Contains(f.String, "CAUSE_STATE") {
		t.Errorf("state fault text %q", f.String)
	}
	e.clock.Advance(time.Minute)
	f = e.fault(CodePaasNotFound, "paas.info", keyA, id)
	want := "Error on object : OBJECT_PAAS (CAUSE_NOTFOUND) [Paas '" + itoa(id) + "' doesn't exist.]"
	if f.String != want {
		t.Errorf("fault text %q, want %q", f.String, want)
	}
	if n := e.ok("paas.vhost.count", keyA, map[string]any{"paas_id": id}); n != 0 {
		t.Errorf("vhosts of a deleted instance: %v", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestIgnoreDryRun: with Options.IgnoreDryRun the server behaves like one
// that does not know the flag: a "dry run" of a renewal bills and renews.
func TestIgnoreDryRun(t *testing.T) {
	clock := newClock()
	s, url := NewTestServer(t, Options{Now: clock.Now, Seed: 42, IgnoreDryRun: true})
	s.SeedDemo(keyA, 3)
	e := &env{t: t, s: s, url: url, clock: clock}
	id := e.idOf(keyA, "shop-prod")
	ops := list(t, e.ok("paas.renew", keyA, id, map[string]any{"duration": "1m", "fixed": false, "--dry-run": true}))
	if got := opTypes(ops); !slices.Equal(got, []string{"paas_vm_renew", "paas_disk_renew"}) {
		t.Fatalf("a dry run on a server ignoring the flag answered %v, want the renewal's operations", got)
	}
	if n, d := s.Calls("paas.renew"), s.DryRuns("paas.renew"); n != 1 || d != 0 {
		t.Errorf("Calls = %d, DryRuns = %d; want the call counted as real", n, d)
	}
}

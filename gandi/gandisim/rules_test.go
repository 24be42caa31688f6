package gandisim

import (
	"strings"
	"testing"
	"time"
)

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

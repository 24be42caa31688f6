package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/store"
)

// TestShell_NoPaidCallBeforeApproval drives the shell against a Gandi that
// ignores "--dry-run" (it runs and bills whatever it is sent): asking for
// a renewal, a resize and a password reset must send none of them, and
// only the approval sends each, once.
func TestShell_NoPaidCallBeforeApproval(t *testing.T) {
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 3, IgnoreDryRun: true, OperationTime: time.Millisecond})
	const key = "ign0000000000000000key01"
	sim.SeedDemo(key, 5)
	_, b64, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"USER": "dana", "PAASBOT_GANDI_URL": url, "PAASBOT_SECRET_KEY": b64}
	session := func(input string) string {
		t.Helper()
		vars["PAASBOT_DB"] = filepath.Join(t.TempDir(), "paasbot.db")
		var out, errOut syncBuffer
		env := &environment{stdin: strings.NewReader(input), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
		if code := run(context.Background(), env, []string{"shell", "--apikey", key}); code != 0 {
			t.Fatalf("exit %d; stderr %q", code, errOut.String())
		}
		return out.String()
	}
	out := session(strings.Join([]string{
		"renew shop-prod duration=1m",
		"update shop-prod size=l",
		"update shop-staging reset-password",
		"approvals",
	}, "\n") + "\n")
	for _, m := range []string{"paas.renew", "paas.update"} {
		if n := sim.Calls(m); n != 0 {
			t.Errorf("%s was sent %d times before any approval", m, n)
		}
	}
	for _, want := range []string{"Approval #1", "Approval #2", "Approval #3", "no dry run"} {
		if !strings.Contains(out, want) {
			t.Errorf("the session lacks %q:\n%s", want, out)
		}
	}
	if t.Failed() {
		return
	}
	// The same requests approved in a new session on a new database: each
	// runs once, with the password shown to the requester.
	out = session("renew shop-prod duration=1m\napprove 1\nupdate shop-staging reset-password\napprove 2\n")
	if n := sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew sent %d times after one approval", n)
	}
	if n := sim.Calls("paas.update"); n != 1 {
		t.Errorf("paas.update sent %d times after one approval", n)
	}
	if !strings.Contains(out, "Password of shop-staging") {
		t.Errorf("the reset password was not shown to the requester:\n%s", out)
	}
}

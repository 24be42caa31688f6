package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/store"
)

// TestShell_EndToEnd runs paasbot in its own process and pipes a session
// through `paasbot shell --sandbox`, as a new user would. The process is
// this test binary re-executed as paasbot (see TestMain): it runs the code
// under test, not a fresh `go build` of the working tree, which failed the
// test whenever another package was mid-edit and cost a second build.
func TestShell_EndToEnd(t *testing.T) {
	t.Parallel() // own simulator and database
	session := strings.Join([]string{
		"help",
		"list",
		"info shop-prod",
		`list state="running`,
		"vhost list shop-prod",
		"bogus",
		"renew shop-staging duration=1m",
		"approve 1",
		"approve 1",
	}, "\n") + "\n"
	// Only a guard against a hung process: the shell itself stops waiting
	// for the operations after followUpGrace.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The sandbox's operations take a microsecond instead of 8 s, so that
	// the renewal is DONE at its first poll.
	cmd := exec.CommandContext(ctx, os.Args[0], "shell", "--sandbox", "--operation-time", "1us", "--user", "dana")
	cmd.Stdin = strings.NewReader(session)
	cmd.Env = append(os.Environ(), runAsPaasbotEnv+"=1", "PAASBOT_DB=", "PAASBOT_GANDI_URL=", "PAASBOT_APPROVERS=", "PAASBOT_LOG_LEVEL=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("shell: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"list [options]", "vhost create <instance> <fqdn>", // help
		"shop-prod", "shop-staging", "blog", "showing 1–12 of 12", "⚠", "⬆", "in ", // list
		"shop-prod (#126001)", "SFTP:", "shop.example.com (running)", // info
		"error: Cannot read word 2", "never closed", // malformed line
		"Virtual hosts of shop-prod", "www.shop.example.com", // vhost list
		`error: Unknown command "bogus"`,        // unknown command
		"shop-staging (#126002)", "[approve 1]", // the confirm request
		"paas_vm_renew", // approved: it ran
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if strings.Contains(out, "paas> ") {
		t.Error("a pipe got a prompt")
	}
	var errs []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "error:") {
			errs = append(errs, l)
		}
	}
	// One line per bad input (malformed, bogus) and for the second approve,
	// which must not run the renewal again.
	if len(errs) != 3 || !strings.Contains(errs[2], "#1") {
		t.Errorf("error lines = %q, want 3, the last about #1", errs)
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", out, stderr.String())
	}
}

func TestShell_Flags(t *testing.T) {
	tests := []struct {
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{[]string{"shell", "extra"}, nil, 2, `unexpected argument "extra"`},
		{[]string{"shell", "--nope"}, nil, 2, "flag provided but not defined"},
		{[]string{"shell", "--db", "x.db"}, nil, 1, "PAASBOT_SECRET_KEY or PAASBOT_SECRET_KEY_FILE must be set"},
		{[]string{"shell", "--operation-time", "1s"}, nil, 2, "--operation-time needs --sandbox"},
		{[]string{"shell", "--sandbox", "--operation-time", "0s"}, nil, 2, "--operation-time must be positive"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			env := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return tt.env[k] }}
			dir := t.TempDir()
			args := append([]string{}, tt.args...)
			for i, a := range args {
				if a == "x.db" {
					args[i] = filepath.Join(dir, a)
				}
			}
			if code := run(context.Background(), env, args); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.wantCode, errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.wantErr)
			}
		})
	}
}

func TestShell_SandboxInProcess(t *testing.T) {
	var out bytes.Buffer
	var errOut syncBuffer // the sandbox's goroutines may log while the test reads
	env := &environment{
		stdin:  strings.NewReader("count\nwhoami\nlogout\ncount\nlogin --apikey demo0000sandbox000000key\ncount\nquit\ncount\n"),
		stdout: &out, stderr: &errOut, getenv: func(k string) string { return map[string]string{"PAASBOT_LOG_LEVEL": "debug"}[k] },
	}
	defer func() { checkOneComponent(t, errOut.String(), "component=") }()
	if code := run(context.Background(), env, []string{"shell", "--sandbox"}); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{"12 instances.", "You are local", "key accepted", "Your API key is deleted", "You have no Gandi API key here yet", "fingerprint"} {
		if !strings.Contains(got, want) {
			t.Errorf("stdout lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "12 instances.") != 2 {
		t.Errorf("want 2 successful counts (before logout, after login; none after quit):\n%s", got)
	}
	if strings.Contains(got, "demo0000sandbox000000key") {
		t.Error("the API key was echoed")
	}
}

// TestShell_GandiURLAndDB drives the shell against a simulator given by
// --gandi-url, with --apikey stored in a --db that outlives the session.
func TestShell_GandiURLAndDB(t *testing.T) {
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 3})
	const key = "ext0000000000000000key01"
	sim.SeedDemo(key, 5)
	_, b64, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "shell.db")
	vars := map[string]string{"PAASBOT_SECRET_KEY": b64, "USER": "sam"}
	session := func(args []string, input string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		env := &environment{stdin: strings.NewReader(input), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
		if code := run(context.Background(), env, args); code != 0 {
			t.Fatalf("exit %d; stderr %q", code, errOut.String())
		}
		return out.String()
	}
	out := session([]string{"shell", "--gandi-url", url, "--apikey", key, "--db", dbPath}, "count\nwhoami\n")
	if !strings.Contains(out, "5 instances.") || !strings.Contains(out, "You are sam") {
		t.Errorf("first session:\n%s", out)
	}
	// The key stayed in the database: a second session needs no --apikey.
	out = session([]string{"shell", "--gandi-url", url, "--db", dbPath}, "list\n")
	if !strings.Contains(out, "showing 1–5 of 5") {
		t.Errorf("second session:\n%s", out)
	}
	if sim.Calls("paas.list") == 0 {
		t.Error("the shell did not call the simulator given by --gandi-url")
	}
}

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/store"
)

// TestStoreSecret: the secret is read once, here, from the variable or its
// file; the store reads no environment.
func TestStoreSecret(t *testing.T) {
	_, good, _ := store.NewSecret()
	dir := t.TempDir()
	goodFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(goodFile, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(dir, "bad")
	if err := os.WriteFile(badFile, []byte("c2hvcnQ=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		env       map[string]string
		wantErr   string
		wantNoSec bool
	}{
		{"value", map[string]string{"PAASBOT_SECRET_KEY": good}, "", false},
		{"file", map[string]string{"PAASBOT_SECRET_KEY_FILE": goodFile}, "", false},
		{"neither", nil, "PAASBOT_SECRET_KEY or PAASBOT_SECRET_KEY_FILE is required", true},
		{"blank", map[string]string{"PAASBOT_SECRET_KEY": "  "}, "PAASBOT_SECRET_KEY or PAASBOT_SECRET_KEY_FILE is required", true},
		{"missing file", map[string]string{"PAASBOT_SECRET_KEY_FILE": filepath.Join(dir, "nope")}, "PAASBOT_SECRET_KEY_FILE: open " + filepath.Join(dir, "nope"), false},
		{"bad file", map[string]string{"PAASBOT_SECRET_KEY_FILE": badFile}, "the file " + badFile + " (PAASBOT_SECRET_KEY_FILE) must be the base64 of exactly 32 bytes, got 5", false},
		{"bad value", map[string]string{"PAASBOT_SECRET_KEY": "c2hvcnQ="}, "PAASBOT_SECRET_KEY must be the base64 of exactly 32 bytes", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(envFrom(tt.env), newFlagSet(), nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := cfg.storeSecret()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("storeSecret: %v", err)
				}
				want, _ := store.ParseSecret(good)
				if !s.Equal(want) {
					t.Error("read a different secret")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if got := errors.Is(err, store.ErrNoSecret); got != tt.wantNoSec {
				t.Errorf("errors.Is(err, ErrNoSecret) = %v, want %v", got, tt.wantNoSec)
			}
		})
	}
	if _, err := readSecret("x", goodFile, "A", "B"); err == nil || err.Error() != "both A and B are set: set only one" {
		t.Errorf("both set: %v", err)
	}
}

// TestOneConfigurationPath: shell, backup and rotate-secret read and check
// the same settings as run, so that a bad one stops each of them at start
// with one line naming it, before anything is opened.
func TestOneConfigurationPath(t *testing.T) {
	path, secret := maintDB(t)
	for _, args := range [][]string{
		{"run", "--check"},
		{"shell", "--sandbox"},
		{"backup", filepath.Join(t.TempDir(), "copy.db")},
		{"rotate-secret"},
	} {
		for _, bad := range []struct{ name, value, want string }{
			{"PAASBOT_TZ", "Mars/Olympus", `PAASBOT_TZ: unknown time zone "Mars/Olympus"; expected an IANA name such as UTC or Europe/Paris`},
			{"PAASBOT_LOG_LEVEL", "loud", `PAASBOT_LOG_LEVEL: "loud" is not a log level; expected debug, info, warn or error`},
			{"PAASBOT_GANDI_URL", "rpc.gandi.net", `PAASBOT_GANDI_URL: "rpc.gandi.net" is not an http(s) URL`},
		} {
			t.Run(args[0]+" "+bad.name, func(t *testing.T) {
				vars := map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": secret, bad.name: bad.value}
				code, stdout, stderr := maintRun(t, vars, args...)
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], bad.want) || stdout != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want 1 and one line %q", code, stdout, stderr, bad.want)
				}
			})
		}
	}
	// The flags of the settings are every subcommand's too.
	code, _, stderr := maintRun(t, map[string]string{"PAASBOT_SECRET_KEY": secret}, "backup", filepath.Join(t.TempDir(), "c.db"), "--db", path, "--tz", "Nowhere")
	if code != 1 || !strings.Contains(stderr, "--tz: unknown time zone") {
		t.Errorf("backup --tz Nowhere: exit %d, stderr %q", code, stderr)
	}
}

// TestShell_UsesTheConfiguration: the shell's scheduler gets PAASBOT_TZ
// (before, the shell passed it on unchecked) and its engine the approvers.
func TestShell_UsesTheConfiguration(t *testing.T) {
	vars := map[string]string{"PAASBOT_TZ": "Asia/Tokyo", "PAASBOT_APPROVERS": "sam"}
	var out, errOut syncBuffer
	env := &environment{stdin: strings.NewReader("alerts add expiry #ops\nrenew shop-prod duration=1m\n"), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return vars[k] }}
	if code := run(t.Context(), env, []string{"shell", "--sandbox", "--user", "dana"}); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, errOut.String())
	}
	for _, want := range []string{"(Asia/Tokyo)", "waiting for an approver: sam"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
}

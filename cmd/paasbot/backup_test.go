package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/store"
)

// maintRun runs the command line with the given environment variables.
func maintRun(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return vars[k] }}
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// maintDB creates a database holding one API key and returns its path and
// the base64 secret.
func maintDB(t *testing.T) (path, secretB64 string) {
	t.Helper()
	dbSecret, b64, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "paasbot.db")
	db, err := store.Open(context.Background(), path, dbSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutAPIKey(context.Background(), store.Identity{Team: "T", User: "U"}, "dana-api-key"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path, b64
}

func maintAPIKey(t *testing.T, path, secretB64 string) (string, error) {
	t.Helper()
	dbSecret, err := store.ParseSecret(secretB64)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), path, dbSecret)
	if err != nil {
		return "", err
	}
	defer db.Close()
	k, _, err := db.APIKey(context.Background(), store.Identity{Team: "T", User: "U"})
	return k.Reveal(), err
}

func TestBackup(t *testing.T) {
	path, secret := maintDB(t)
	t.Run("OK", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "copy.db")
		code, stdout, stderr := maintRun(t, map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": secret}, "backup", target)
		if code != 0 || !strings.Contains(stdout, "written to "+target) {
			t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if k, err := maintAPIKey(t, target, secret); err != nil || k != "dana-api-key" {
			t.Errorf("key in the copy = %q, %v", k, err)
		}
		if strings.Contains(stdout+stderr, secret) {
			t.Error("output shows the secret")
		}
	})
	t.Run("OK --db after the target", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "copy.db")
		code, _, stderr := maintRun(t, map[string]string{"PAASBOT_SECRET_KEY": secret}, "backup", target, "--db", path)
		if code != 0 {
			t.Fatalf("code %d, stderr %q", code, stderr)
		}
		if _, err := os.Stat(target); err != nil {
			t.Error(err)
		}
	})
	existing := filepath.Join(t.TempDir(), "exists.db")
	os.WriteFile(existing, []byte("x"), 0o600)
	tests := []struct {
		name       string
		vars       map[string]string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no target", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": secret}, []string{"backup"}, 2, "usage: paasbot backup"},
		{"two targets", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": secret}, []string{"backup", "a", "b"}, 2, "usage: paasbot backup"},
		{"bad flag", nil, []string{"backup", "--bogus", "x"}, 2, "flag provided but not defined: -bogus"},
		{"no secret", map[string]string{"PAASBOT_DB": path}, []string{"backup", filepath.Join(t.TempDir(), "c.db")}, 1, "PAASBOT_SECRET_KEY or PAASBOT_SECRET_KEY_FILE is required"},
		{"wrong secret", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, []string{"backup", filepath.Join(t.TempDir(), "c.db")}, 1, "PAASBOT_SECRET_KEY does not match"},
		{"missing database", map[string]string{"PAASBOT_SECRET_KEY": secret}, []string{"backup", "--db", filepath.Join(t.TempDir(), "none.db"), "x.db"}, 1, "none.db does not exist"},
		{"target exists", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": secret}, []string{"backup", existing}, 1, "already exists"},
		{"PostgreSQL", map[string]string{"PAASBOT_DB": "postgres://paasbot@127.0.0.1:1/paasbot", "PAASBOT_SECRET_KEY": secret}, []string{"backup", filepath.Join(t.TempDir(), "c.db")}, 1, "back it up with pg_dump"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := maintRun(t, tt.vars, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("code %d, stderr %q; want %d and %q", code, stderr, tt.wantCode, tt.wantStderr)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, _, stderr := maintRun(t, nil, "backup", "-h")
		if code != 0 || !strings.Contains(stderr, "usage: paasbot backup") {
			t.Errorf("code %d, stderr %q", code, stderr)
		}
	})
}

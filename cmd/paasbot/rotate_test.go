package main

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/store/storetest"
)

func TestRotateSecret(t *testing.T) {
	t.Parallel() // its own databases
	t.Run("OK from PAASBOT_NEW_SECRET_KEY", func(t *testing.T) {
		path, old := maintDB(t)
		_, next, _ := store.NewSecret()
		code, stdout, stderr := maintRun(t, map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": old, "PAASBOT_NEW_SECRET_KEY": next}, "rotate-secret")
		if code != 0 || !strings.Contains(stdout, "re-encrypted 1 API key(s)") || !strings.Contains(stdout, "set PAASBOT_SECRET_KEY") {
			t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, next) || strings.Contains(stdout+stderr, old) {
			t.Error("output shows a secret that was given, not generated")
		}
		if _, err := maintAPIKey(t, path, old); !errors.Is(err, store.ErrWrongSecret) {
			t.Errorf("old secret: %v, want ErrWrongSecret", err)
		}
		if k, err := maintAPIKey(t, path, next); err != nil || k != "dana-api-key" {
			t.Errorf("new secret: %q, %v", k, err)
		}
	})
	t.Run("OK from --new-secret-file", func(t *testing.T) {
		path, old := maintDB(t)
		_, next, _ := store.NewSecret()
		file := filepath.Join(t.TempDir(), "new-secret")
		os.WriteFile(file, []byte(next+"\n"), 0o600)
		code, stdout, stderr := maintRun(t, map[string]string{"PAASBOT_SECRET_KEY": old}, "rotate-secret", "--db", path, "--new-secret-file", file)
		if code != 0 || !strings.Contains(stdout, "re-encrypted 1 API key(s)") {
			t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if k, err := maintAPIKey(t, path, next); err != nil || k != "dana-api-key" {
			t.Errorf("new secret: %q, %v", k, err)
		}
	})
	t.Run("OK generated", func(t *testing.T) {
		path, old := maintDB(t)
		code, stdout, stderr := maintRun(t, map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": old}, "rotate-secret")
		if code != 0 || !strings.Contains(stderr, "printed below ONCE") {
			t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		m := regexp.MustCompile(`new secret: (\S+)`).FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("stdout %q shows no new secret", stdout)
		}
		if strings.Count(stdout+stderr, m[1]) != 1 {
			t.Error("the generated secret is printed more than once")
		}
		if k, err := maintAPIKey(t, path, m[1]); err != nil || k != "dana-api-key" {
			t.Errorf("generated secret: %q, %v", k, err)
		}
	})
	path, old := maintDB(t)
	_, other, _ := store.NewSecret()
	tests := []struct {
		name       string
		vars       map[string]string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"extra argument", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": old}, []string{"rotate-secret", "now"}, 2, `unexpected argument "now"`},
		{"bad flag", nil, []string{"rotate-secret", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"missing database", map[string]string{"PAASBOT_SECRET_KEY": old}, []string{"rotate-secret", "--db", filepath.Join(t.TempDir(), "none.db")}, 1, "none.db does not exist"},
		{"no current secret", map[string]string{"PAASBOT_DB": path, "PAASBOT_NEW_SECRET_KEY": other}, []string{"rotate-secret"}, 1, "current secret: PAASBOT_SECRET_KEY or PAASBOT_SECRET_KEY_FILE is required"},
		{"wrong current secret", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": other, "PAASBOT_NEW_SECRET_KEY": old}, []string{"rotate-secret"}, 1, "does not match"},
		{"bad new secret", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": old, "PAASBOT_NEW_SECRET_KEY": "c2hvcnQ="}, []string{"rotate-secret"}, 1, "new secret: PAASBOT_NEW_SECRET_KEY must be the base64 of exactly 32 bytes"},
		{"blank new secret is not 'generate'", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": old, "PAASBOT_NEW_SECRET_KEY": "  "}, []string{"rotate-secret"}, 1, "PAASBOT_NEW_SECRET_KEY is empty"},
		{"both new sources", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": old, "PAASBOT_NEW_SECRET_KEY": other}, []string{"rotate-secret", "--new-secret-file", "/nonexistent"}, 1, "both PAASBOT_NEW_SECRET_KEY and PAASBOT_NEW_SECRET_KEY_FILE are set"},
		{"same secret", map[string]string{"PAASBOT_DB": path, "PAASBOT_SECRET_KEY": old, "PAASBOT_NEW_SECRET_KEY": old}, []string{"rotate-secret"}, 1, "same as the current one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := maintRun(t, tt.vars, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("code %d, stderr %q; want %d and %q", code, stderr, tt.wantCode, tt.wantStderr)
			}
		})
	}
	// None of the failures above changed anything.
	if k, err := maintAPIKey(t, path, old); err != nil || k != "dana-api-key" {
		t.Errorf("after failed rotations: %q, %v", k, err)
	}
}

// withPassword puts a password into a PostgreSQL test URL (the test server
// trusts every connection, so it is not checked): what must never be
// printed. A SQLite path is returned as it is.
func withPassword(t *testing.T, dsn string) string {
	t.Helper()
	if !store.IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "hunter2")
	return u.String()
}

// TestRotateSecret_Engines: rotate-secret on a SQLite file and on a
// postgres:// PAASBOT_DB; a PostgreSQL database without paasbot's tables
// is refused, not filled.
func TestRotateSecret_Engines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		dsn := withPassword(t, storetest.NewDatabase(t, e))
		empty := withPassword(t, storetest.NewDatabase(t, e))
		dbSecret, old, _ := store.NewSecret()
		db, err := store.Open(t.Context(), dsn, dbSecret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutAPIKey(t.Context(), store.Identity{Team: "T", User: "U"}, "dana-api-key"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, next, _ := store.NewSecret()
		code, stdout, stderr := maintRun(t, map[string]string{"PAASBOT_DB": dsn, "PAASBOT_SECRET_KEY": old, "PAASBOT_NEW_SECRET_KEY": next}, "rotate-secret")
		if code != 0 || !strings.Contains(stdout, "re-encrypted 1 API key(s) in "+store.DisplayName(dsn)) {
			t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if k, err := maintAPIKey(t, dsn, next); err != nil || k != "dana-api-key" {
			t.Errorf("new secret: %q, %v", k, err)
		}
		code, stdout, stderr = maintRun(t, map[string]string{"PAASBOT_DB": empty, "PAASBOT_SECRET_KEY": old, "PAASBOT_NEW_SECRET_KEY": next}, "rotate-secret")
		want := "does not exist"
		if e == storetest.Postgres {
			want = "holds no paasbot tables"
		}
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("empty database: code %d, stderr %q; want 1 and %q", code, stderr, want)
		}
		if strings.Contains(stdout+stderr, "hunter2") {
			t.Error("the database password was printed")
		}
		if e == storetest.Postgres {
			if s, err := store.Inspect(t.Context(), empty, dbSecret); err != nil || s.Version != 0 {
				t.Errorf("the refused database was changed: %+v, %v", s, err)
			}
		}
	})
}

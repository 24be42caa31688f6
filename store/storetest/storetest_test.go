package storetest

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestNewDatabase_SQLite(t *testing.T) {
	p := NewDatabase(t, SQLite)
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("%s exists already (%v); want a fresh path", p, err)
	}
	if _, err := os.Stat(filepath.Dir(p)); err != nil {
		t.Errorf("its directory: %v", err)
	}
}

// TestNewDatabase_Postgres: each call is a schema of its own, current for
// connections to the URL, gone once its test ended.
func TestNewDatabase_Postgres(t *testing.T) {
	skipWithoutPostgres(t)
	ctx := context.Background()
	schemaOf := func(t *testing.T, rawURL string) string {
		t.Helper()
		conn, err := pgx.Connect(ctx, rawURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var s *string
		if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s == nil {
			return ""
		}
		return *s
	}
	var first, second string
	t.Run("make", func(t *testing.T) {
		a, b := NewDatabase(t, Postgres), NewDatabase(t, Postgres)
		first, second = schemaOf(t, a), schemaOf(t, b)
		if !strings.HasPrefix(first, schemaPrefix) || first == second {
			t.Fatalf("schemas %q and %q: want two fresh test schemas", first, second)
		}
		u, _ := url.Parse(a)
		if u.Query().Get("search_path") != first {
			t.Errorf("URL %s does not name its schema", a)
		}
	})
	conn, err := pgx.Connect(ctx, os.Getenv(EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var left int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = ANY($1)`, []string{first, second}).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d test schemas left after their test ended", left)
	}
}

// TestNewDatabase_Unreachable: with the variable set, a server that cannot
// be reached fails the test instead of skipping it (run in a child
// process, since the failure is the point).
func TestNewDatabase_Unreachable(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestNewDatabase_Postgres$", "-test.v")
	cmd.Env = append(os.Environ(), EnvPostgres+"=postgres://paasbot:hunter2@127.0.0.1:1/test?sslmode=disable&connect_timeout=5")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the child passed: %v\n%s", err, out)
	}
	for _, w := range []string{"cannot reach PostgreSQL", "--- FAIL: TestNewDatabase_Postgres"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(string(out), "SKIP") || strings.Contains(string(out), "hunter2") {
		t.Errorf("the child skipped, or showed the password:\n%s", out)
	}
}

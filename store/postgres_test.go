package store

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/store/storetest"
)

func TestIsPostgres(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://h/db": true, " POSTGRES://h/db": true,
		"paasbot.db": false, "/var/lib/paasbot/paasbot.db": false, "file:x.db": false, "postgres.db": false, "": false,
	} {
		if got := IsPostgres(in); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestOpen_PostgresErrors needs no server: each error is one line naming
// the database without its password.
func TestOpen_PostgresErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, url string
		want      []string
	}{
		{"unreachable", "postgres://paasbot:hunter2@127.0.0.1:1/paasbot?sslmode=disable&connect_timeout=5",
			[]string{"postgres://paasbot@127.0.0.1:1/paasbot", "cannot reach PostgreSQL"}},
		{"password in the query", "postgresql://127.0.0.1:1/paasbot?password=hunter2&sslmode=disable&connect_timeout=5",
			[]string{"postgresql://127.0.0.1:1/paasbot", "cannot reach PostgreSQL"}},
		{"malformed", "postgres://paasbot:hunter2@[::1/paasbot", []string{"not a valid PostgreSQL URL"}},
		{"unknown parameter value", "postgres://paasbot:hunter2@127.0.0.1/paasbot?sslmode=maybe", []string{"postgres://paasbot@127.0.0.1/paasbot", "not a valid PostgreSQL URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(ctx, tt.url, mustSecret(t))
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("err %q reveals the password", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err %q is more than one line", err)
			}
		})
	}
}

// pgURL is the test server's URL with path and query changed.
func pgURL(t *testing.T, path string, query url.Values) string {
	t.Helper()
	u, err := url.Parse(os.Getenv(storetest.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	if path != "" {
		u.Path = path
	}
	q := u.Query()
	for k, v := range query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestOpen_PostgresRefusals(t *testing.T) {
	ctx := context.Background()
	e := storetest.Postgres // NewDatabase skips without PAASBOT_TEST_POSTGRES
	foreign := storetest.NewDatabase(t, e)
	raw := rawDB(t, e, foreign)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE customers (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url string
		want      string
	}{
		{"no such database", pgURL(t, "/paasbot_no_such_database", nil), "the database does not exist"},
		{"no such schema", pgURL(t, "", url.Values{"search_path": {"paasbot_no_such_schema"}}), "no schema to use"},
		{"another application's schema", foreign, "not a paasbot schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(ctx, tt.url, mustSecret(t))
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "postgres") {
				t.Errorf("err = %q, want it to name the database and say %q", err, tt.want)
			}
		})
	}
}

func TestDB_Backup_Postgres(t *testing.T) {
	e := storetest.Postgres // NewDatabase skips without PAASBOT_TEST_POSTGRES
	db := openTestDB(t, e)
	err := db.Backup(context.Background(), t.TempDir()+"/copy.db")
	if !errors.Is(err, ErrBackupUnsupported) || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup on PostgreSQL: %v, want ErrBackupUnsupported naming pg_dump", err)
	}
}

// TestDB_NoPlaintextInPostgres: the sealed column never holds the key
// (TestDB_NoPlaintextOnDisk reads the SQLite files).
func TestDB_NoPlaintextInPostgres(t *testing.T) {
	ctx := context.Background()
	e := storetest.Postgres // NewDatabase skips without PAASBOT_TEST_POSTGRES
	db := openTestDB(t, e)
	const key = "PLAINTEXT-APIKEY-alice-0123456789"
	if _, err := db.PutAPIKey(ctx, Identity{"T", "UALICE"}, key); err != nil {
		t.Fatal(err)
	}
	var rows, found int
	if err := db.queryRow(`SELECT count(*), count(*) FILTER (WHERE position(convert_to(?, 'UTF8') in sealed) > 0 OR fingerprint = ?)
			FROM api_keys`, key, key).Scan(&rows, &found); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || found != 0 {
		t.Errorf("%d rows, %d holding the key in clear", rows, found)
	}
}

func TestDB_Ready(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Run("OK", func(t *testing.T) {
			db := openTestDB(t, e)
			if err := db.Ready(ctx); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("schema upgraded by a newer replica", func(t *testing.T) {
			db := openTestDB(t, e)
			db.exec(t, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (4, '0004_future.sql', 0)`)
			if err := db.Ready(ctx); err == nil || !strings.Contains(err.Error(), "schema version 4, this paasbot runs 3") {
				t.Errorf("Ready = %v", err)
			}
		})
		t.Run("secret rotated", func(t *testing.T) {
			db := openTestDB(t, e)
			if _, err := RotateSecret(ctx, db.dsn, db.secret, mustSecret(t)); err != nil {
				t.Fatal(err)
			}
			if err := db.Ready(ctx); !errors.Is(err, ErrWrongSecret) {
				t.Errorf("Ready = %v, want ErrWrongSecret", err)
			}
		})
		t.Run("closed", func(t *testing.T) {
			db := openTestDB(t, e)
			db.Close()
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := db.Ready(cctx); err == nil || !strings.Contains(err.Error(), db.Path()) {
				t.Errorf("Ready after Close = %v, want an error naming the database", err)
			}
		})
	})
}

// Package storetest gives tests a real, fresh paasbot database on either
// engine: a SQLite file under t.TempDir(), or a PostgreSQL schema of its
// own, created for the test and dropped when it ends, so that tests and
// packages run in parallel on one server.
//
// PostgreSQL is found through PAASBOT_TEST_POSTGRES, a URL such as
// postgres://root@127.0.0.1:5432/test?sslmode=disable (CI sets it).
// Without it, the PostgreSQL variants skip with a message naming the
// variable; with it, a server that cannot be reached fails the test.
//
// It does not import store (store's own tests use it), so callers open the
// database themselves:
//
//	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
//		db, err := store.Open(ctx, storetest.NewDatabase(t, e), secret)
//		…
//	})
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgres names the variable holding the URL of the test server.
const EnvPostgres = "PAASBOT_TEST_POSTGRES"

// Engine is a database engine the store runs on.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Engines lists both engines, SQLite first.
func Engines() []Engine { return []Engine{SQLite, Postgres} }

// Each runs fn once per engine, as subtests named "sqlite" and "postgres".
// The PostgreSQL one skips, saying which variable to set, when
// PAASBOT_TEST_POSTGRES is unset.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			if e == Postgres {
				skipWithoutPostgres(t)
			}
			fn(t, e)
		})
	}
}

func skipWithoutPostgres(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvPostgres) == "" {
		t.Skipf("PostgreSQL variant: set %s=postgres://USER@HOST:5432/DB?sslmode=disable to run it", EnvPostgres)
	}
}

// schemaPrefix starts the name of every schema made here; the Unix time
// of its creation follows, so that schemas left by a killed run are
// recognised and dropped later.
const schemaPrefix = "paasbot_test_"

// staleAfter is the age past which a test schema is taken as left by a
// run that was killed before its clean-up.
const staleAfter = 24 * time.Hour

// NewDatabase returns where a fresh, empty database for t lives: for
// SQLite a file path under t.TempDir() (not yet created), for PostgreSQL
// the server's URL with search_path naming a new schema, dropped with
// everything in it when t ends (after the cleanups registered later, such
// as closing the DBs opened on it). Open it as many times as the test
// needs "processes".
func NewDatabase(t testing.TB, e Engine) string {
	t.Helper()
	switch e {
	case SQLite:
		return t.TempDir() + "/paasbot.db"
	case Postgres:
		return newSchema(t)
	}
	t.Fatalf("storetest: unknown engine %q", e)
	return ""
}

func newSchema(t testing.TB) string {
	t.Helper()
	skipWithoutPostgres(t)
	base := os.Getenv(EnvPostgres)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL", EnvPostgres)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := schemaPrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: %s=%s: cannot reach PostgreSQL: %s", EnvPostgres, redacted(u), oneLine(err))
	}
	defer conn.Close(ctx)
	dropStale(ctx, conn)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("storetest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("storetest: drop schema %s: %s", schema, oneLine(err))
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// dropStale drops test schemas older than staleAfter (best effort: another
// run may be dropping the same one).
func dropStale(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, schemaPrefix+"%")
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	limit := time.Now().Add(-staleAfter).Unix()
	for _, n := range names {
		ts, _, _ := strings.Cut(strings.TrimPrefix(n, schemaPrefix), "_")
		if sec, err := strconv.ParseInt(ts, 10, 64); err == nil && sec < limit {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{n}.Sanitize()+" CASCADE")
		}
	}
}

func redacted(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

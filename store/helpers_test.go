package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/store/storetest"
)

// fakeClock is a settable clock shared by a test and the DBs under test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustSecret(t testing.TB) Secret {
	t.Helper()
	s, _, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eachEngine runs fn against SQLite and PostgreSQL (see storetest.Each).
func eachEngine(t *testing.T, fn func(t *testing.T, e storetest.Engine)) {
	t.Helper()
	storetest.Each(t, fn)
}

// testDB is an open database, fresh for the test, on one engine.
type testDB struct {
	*DB
	engine storetest.Engine
	dsn    string // the path or URL: open it again for another "process"
	path   string // the SQLite file ("" on PostgreSQL)
	secret Secret
	clock  *fakeClock
}

func openTestDB(t testing.TB, e storetest.Engine) *testDB {
	t.Helper()
	clock := newFakeClock()
	secret := mustSecret(t)
	dsn := storetest.NewDatabase(t, e)
	db, err := Open(context.Background(), dsn, secret, WithClock(clock.Now), WithHolder("process-A"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	tdb := &testDB{DB: db, engine: e, dsn: dsn, secret: secret, clock: clock}
	if e == storetest.SQLite {
		tdb.path = dsn
	}
	return tdb
}

// second opens the same database again as another process: its own pool
// and holder, the same clock and secret.
func (db *testDB) second(t testing.TB, holder string) *DB {
	t.Helper()
	other, err := Open(context.Background(), db.dsn, db.secret, WithClock(db.clock.Now), WithHolder(holder))
	if err != nil {
		t.Fatalf("Open as %s: %v", holder, err)
	}
	t.Cleanup(func() { _ = other.Close() })
	return other
}

// exec runs raw SQL ('?' placeholders) on db, failing the test on error.
func (db *testDB) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := db.db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// tryExec runs raw SQL and returns its error.
func (db *testDB) tryExec(q string, args ...any) error {
	_, err := db.db.ExecContext(context.Background(), q, args...)
	return err
}

// queryRow runs a raw query ('?' placeholders) on db.
func (db *testDB) queryRow(q string, args ...any) *sql.Row {
	return db.db.QueryRowContext(context.Background(), q, args...)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func encodeSecret(s Secret) string { return base64.StdEncoding.EncodeToString(s.k[:]) }

package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpen_Errors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	notSQLite := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notSQLite, []byte(strings.Repeat("these are my notes, not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.db")
	if raw, err := sql.Open("sqlite", foreign); err != nil {
		t.Fatal(err)
	} else {
		if _, err := raw.Exec(`CREATE TABLE customers (id INTEGER)`); err != nil {
			t.Fatal(err)
		}
		raw.Close()
	}
	tests := []struct {
		name    string
		path    string
		secret  Secret
		wantErr []string
	}{
		{"missing directory", filepath.Join(dir, "nope", "x.db"), mustSecret(t),
			[]string{filepath.Join(dir, "nope", "x.db"), "directory " + filepath.Join(dir, "nope") + " does not exist"}},
		// A path under a regular file: no process, root included, can create it.
		{"parent is a file", filepath.Join(regular, "x.db"), mustSecret(t),
			[]string{filepath.Join(regular, "x.db"), "is not a directory"}},
		{"path is a directory", dir, mustSecret(t), []string{dir, "is a directory"}},
		{"not SQLite", notSQLite, mustSecret(t), []string{notSQLite, "not a SQLite database"}},
		{"another application's SQLite", foreign, mustSecret(t), []string{foreign, "not a paasbot database"}},
		{"no secret", filepath.Join(dir, "a.db"), Secret{}, []string{"no secret given"}},
		{"empty path", "", mustSecret(t), []string{"a file path is required"}},
		{"memory", ":memory:", mustSecret(t), []string{"a file path is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(ctx, tt.path, tt.secret)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err %q is more than one line", err)
			}
		})
	}
}

// TestOpen_ReadOnlyDirectory uses /sys: tests run as root, for whom chmod
// does not make a directory unwritable, but sysfs refuses to create regular
// files even for root. The test skips when that is not so on this machine.
func TestOpen_ReadOnlyDirectory(t *testing.T) {
	dir := "/sys"
	probe := filepath.Join(dir, "paasbot-write-probe")
	if f, err := os.OpenFile(probe, os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		f.Close()
		os.Remove(probe)
		t.Skip("/sys is writable here; no honest read-only directory available")
	}
	path := filepath.Join(dir, "paasbot-test.db")
	db, err := Open(context.Background(), path, mustSecret(t))
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded in a read-only directory")
	}
	for _, w := range []string{path, "cannot open or create", "check that the directory /sys exists and is writable"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("err = %q, want it to contain %q", err, w)
		}
	}
}

func TestOpen_WrongSecret(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	if _, err := db.PutAPIKey(ctx, Identity{"T", "U"}, "k"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(ctx, db.path, mustSecret(t))
	if !errors.Is(err, ErrWrongSecret) {
		t.Fatalf("err = %v, want ErrWrongSecret", err)
	}
	for _, w := range []string{db.path, "PAASBOT_SECRET_KEY does not match"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("err = %q, want it to contain %q", err, w)
		}
	}
	// The right secret still opens it.
	again, err := Open(ctx, db.path, db.secret)
	if err != nil {
		t.Fatalf("reopen with the right secret: %v", err)
	}
	again.Close()
}

func TestOpen_NewerSchema(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	if _, err := db.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(ctx, db.path, db.secret)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
	for _, w := range []string{db.path, "schema version 99", "knows up to 2", "upgrade paasbot"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("err = %q, want it to contain %q", err, w)
		}
	}
}

func schemaVersions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestMigrate_FromEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path, mustSecret(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if got := schemaVersions(t, db.db); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("schema_migrations = %v, want [1 2]", got)
	}
	for _, table := range []string{"meta", "api_keys", "approvals", "audit", "dedup", "subscriptions", "subscription_runs"} {
		if !tableExists(t, db.db, table) {
			t.Errorf("table %s missing", table)
		}
	}
	var mode string
	if err := db.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var fk int
	if err := db.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
}

// TestMigrate_FromV1 builds a database as a paasbot that knew only
// migration 1 would have, with data in it, and opens it with this one.
func TestMigrate_FromV1(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	secret := mustSecret(t)
	path := filepath.Join(t.TempDir(), "v1.db")
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, raw, ms[:1], clock.Now, discardLogger()); err != nil {
		t.Fatalf("migrate to v1: %v", err)
	}
	keys, err := newKeyring(secret)
	if err != nil {
		t.Fatal(err)
	}
	v1 := &DB{db: raw, path: path, keys: keys, now: clock.Now, log: discardLogger()}
	if err := v1.checkSecret(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.PutAPIKey(ctx, Identity{"T", "U"}, "v1-key"); err != nil {
		t.Fatalf("PutAPIKey on v1: %v", err)
	}
	id, err := v1.CreateApproval(ctx, &Approval{Team: "T", Channel: "C", Requester: "U", Action: "paas.renew", Params: []byte(`{"duration":"1y"}`)})
	if err != nil {
		t.Fatalf("CreateApproval on v1: %v", err)
	}
	if got := schemaVersions(t, raw); len(got) != 1 {
		t.Fatalf("v1 database has versions %v", got)
	}
	if tableExists(t, raw, "subscriptions") {
		t.Fatal("v1 database already has subscriptions")
	}
	raw.Close()

	db, err := Open(ctx, path, secret, WithClock(clock.Now))
	if err != nil {
		t.Fatalf("Open v1 database: %v", err)
	}
	defer db.Close()
	if got := schemaVersions(t, db.db); len(got) != 2 {
		t.Errorf("versions after upgrade = %v, want [1 2]", got)
	}
	a, err := db.Approval(ctx, id)
	if err != nil {
		t.Fatalf("Approval after upgrade: %v", err)
	}
	if a.State != StatePending || string(a.Params) != `{"duration":"1y"}` || a.Progress != nil || a.FollowDone {
		t.Errorf("approval after upgrade = %+v", a)
	}
	if k, _, err := db.APIKey(ctx, Identity{"T", "U"}); err != nil || k != "v1-key" {
		t.Errorf("APIKey after upgrade = %q, %v", k, err)
	}
	sid, err := db.CreateSubscription(ctx, &Subscription{Team: "T", Channel: "C", Owner: "U", Kind: "expiry", Schedule: "@daily"})
	if err != nil {
		t.Fatalf("CreateSubscription after upgrade: %v", err)
	}
	if ok, err := db.ClaimSlot(ctx, sid, clock.Now()); !ok || err != nil {
		t.Errorf("ClaimSlot after upgrade = %v, %v", ok, err)
	}
}

// TestMigrate_FailureLeavesNothing: a migration that fails half-way leaves
// neither its first statements nor a version record behind.
func TestMigrate_FailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	ms, err := loadMigrations(fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
		"migrations/0002_b.sql": {Data: []byte(`CREATE TABLE half (x INTEGER); INSERT INTO half VALUES (1); INSERT INTO missing VALUES (1);`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "m.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	err = migrate(ctx, raw, ms, newFakeClock().Now, discardLogger())
	if err == nil || !strings.Contains(err.Error(), "migration 0002_b.sql") || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("err = %v, want the failing migration named", err)
	}
	if tableExists(t, raw, "half") {
		t.Error("table of the failed migration exists")
	}
	if !tableExists(t, raw, "a") {
		t.Error("table of the good migration is missing")
	}
	if got := schemaVersions(t, raw); len(got) != 1 || got[0] != 1 {
		t.Errorf("versions = %v, want [1]", got)
	}
}

func TestLoadMigrations_Errors(t *testing.T) {
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"gap", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}}, "expected number 2"},
		{"no number", fstest.MapFS{"migrations/init.sql": {}}, "must start with a positive number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadMigrations(tt.fs); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestTransaction_CrashBeforeCommit runs a child process that writes a
// large transaction (large enough to spill pages into the WAL file) and
// exits without committing; the database must show none of it.
func TestTransaction_CrashBeforeCommit(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	id, err := db.CreateApproval(ctx, &Approval{Team: "T", Channel: "C", Requester: "U", Action: "paas.renew"})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "STORE_CRASH_HELPER_DB="+db.path, "STORE_CRASH_HELPER_SECRET="+exportSecret(db.secret))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if fi, err := os.Stat(db.path + "-wal"); err != nil || fi.Size() < 1<<20 {
		t.Fatalf("the helper's transaction did not reach the WAL (%v): the test proves nothing", err)
	}
	again, err := Open(ctx, db.path, db.secret, WithClock(db.clock.Now))
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer again.Close()
	var audits, approvals int
	if err := again.db.QueryRow(`SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM approvals)`).Scan(&audits, &approvals); err != nil {
		t.Fatal(err)
	}
	if audits != 0 || approvals != 1 {
		t.Errorf("after crash: %d audit rows, %d approvals; want 0 and 1", audits, approvals)
	}
	a, err := again.Approval(ctx, id)
	if err != nil || a.State != StatePending {
		t.Errorf("approval after crash = %+v, %v; want pending", a, err)
	}
}

func TestCrashHelper(t *testing.T) {
	path := os.Getenv("STORE_CRASH_HELPER_DB")
	if path == "" {
		t.Skip("run by TestTransaction_CrashBeforeCommit")
	}
	secret, err := ParseSecret(os.Getenv("STORE_CRASH_HELPER_SECRET"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := Open(ctx, path, secret)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE approvals SET state = 'approved'`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO approvals (team, channel, requester, action, state, created_at, expires_at, updated_at)
		VALUES ('T', 'C', 'U', 'paas.delete', 'approved', 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 4000)
	for i := range 2000 {
		if _, err := tx.Exec(`INSERT INTO audit (team, actor, action, target, at) VALUES ('T', 'U', 'bulk', ?, ?)`, big, i); err != nil {
			t.Fatal(err)
		}
	}
	os.Exit(3) // no commit, no close: as if the process were killed
}

func exportSecret(s Secret) string {
	return encodeSecret(s)
}

// TestOpen_Concurrent: several processes (here, separate pools) opening a
// new file at once apply each migration once and agree on the secret check.
func TestOpen_Concurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	secret := mustSecret(t)
	errs := make(chan error, 5)
	dbs := make(chan *DB, 5)
	for range 5 {
		go func() {
			db, err := Open(ctx, path, secret)
			errs <- err
			dbs <- db
		}()
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
		if db := <-dbs; db != nil {
			defer db.Close()
		}
	}
	db, err := Open(ctx, path, secret)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := schemaVersions(t, db.db); len(got) != 2 {
		t.Errorf("versions = %v, want [1 2]", got)
	}
}

func TestDB_Ping(t *testing.T) {
	db := openTestDB(t)
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	db.Close()
	if err := db.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), db.path) {
		t.Errorf("Ping after Close = %v, want an error naming the path", err)
	}
}

// TestOpen_OddPath: characters that mean something in a file: URI.
func TestOpen_OddPath(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "we ird?#%25&_txlock=x dir")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pa?as#bot.db")
	secret := mustSecret(t)
	db, err := Open(ctx, path, secret)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := db.PutAPIKey(ctx, Identity{"T", "U"}, "k"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at the path given: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "pa?as#bot.db") {
			t.Errorf("stray file %q", e.Name())
		}
	}
}

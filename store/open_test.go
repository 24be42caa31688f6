package store

import (
	"context"
	"database/sql"
	"errors"
	"github.com/paasbot/paasbot/store/storetest"
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
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		if _, err := db.PutAPIKey(ctx, Identity{"T", "U"}, "k"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err := Open(ctx, db.dsn, mustSecret(t))
		if !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("err = %v, want ErrWrongSecret", err)
		}
		for _, w := range []string{db.Path(), "PAASBOT_SECRET_KEY does not match"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("err = %q, want it to contain %q", err, w)
			}
		}
		// The right secret still opens it.
		again, err := Open(ctx, db.dsn, db.secret)
		if err != nil {
			t.Fatalf("reopen with the right secret: %v", err)
		}
		again.Close()
	})
}

func TestOpen_NewerSchema(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		db.exec(t, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`)
		db.Close()
		_, err := Open(ctx, db.dsn, db.secret)
		if !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("err = %v, want ErrNewerSchema", err)
		}
		for _, w := range []string{db.Path(), "schema version 99", "knows up to 3", "upgrade paasbot"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("err = %q, want it to contain %q", err, w)
			}
		}
	})
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
			if _, err := loadMigrations(tt.fs, sqliteDialect()); err == nil || !strings.Contains(err.Error(), tt.want) {
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
	db := openTestDB(t, storetest.SQLite)
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
	if err := again.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM approvals)`).Scan(&audits, &approvals); err != nil {
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
	tx, err := db.db.raw.BeginTx(ctx, nil)
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

func TestDB_Ping(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		if err := db.Ping(context.Background()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		db.Close()
		if err := db.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), db.Path()) {
			t.Errorf("Ping after Close = %v, want an error naming the path", err)
		}
	})
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

// TestInspect reads a database's schema without changing it, for `run
// --check`: what it reports of each state, and that it writes nothing.
func TestInspect(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		known := len(mustMigrations(t, e))
		tests := []struct {
			name    string
			prepare func(t *testing.T, db *testDB) // nil: an empty database
			secret  func(db *testDB) Secret
			want    int   // the version found
			wantErr error // nil: no error
		}{
			{"empty database", nil, nil, 0, nil},
			{"current", func(*testing.T, *testDB) {}, nil, known, nil},
			{"older", func(t *testing.T, db *testDB) {
				db.exec(t, `DELETE FROM schema_migrations WHERE version = ?`, known)
			}, nil, known - 1, nil},
			{"newer", func(t *testing.T, db *testDB) {
				db.exec(t, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`)
			}, nil, 0, ErrNewerSchema},
			{"wrong secret", func(*testing.T, *testDB) {}, func(*testDB) Secret { return mustSecret(t) }, 0, ErrWrongSecret},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				dsn := storetest.NewDatabase(t, e)
				sec := mustSecret(t)
				if tc.prepare != nil {
					db, err := Open(ctx, dsn, sec)
					if err != nil {
						t.Fatal(err)
					}
					tc.prepare(t, &testDB{DB: db, dsn: dsn, secret: sec})
					db.Close()
				}
				if tc.secret != nil {
					sec = tc.secret(nil)
				}
				got, err := Inspect(ctx, dsn, sec)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Inspect = %+v, %v; want %v", got, err, tc.wantErr)
				}
				if err != nil {
					if strings.Contains(err.Error(), "\n") {
						t.Errorf("error of more than one line: %q", err)
					}
					return
				}
				if got.Version != tc.want || got.Known != known || got.Engine != string(e) || got.Current() != (tc.want == known) {
					t.Errorf("Inspect = %+v, want version %d of %d on %s", got, tc.want, known, e)
				}
				again, err := Inspect(ctx, dsn, sec)
				if err != nil || again.Version != got.Version {
					t.Errorf("a second Inspect found %+v, %v: the first changed the database", again, err)
				}
			})
		}
	})
}

func mustMigrations(t *testing.T, e storetest.Engine) []migration {
	t.Helper()
	dl := sqliteDialect()
	if e == storetest.Postgres {
		dl = postgresDialect()
	}
	ms, err := loadMigrations(migrationFS, dl)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

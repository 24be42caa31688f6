package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for rawDB

	"github.com/paasbot/paasbot/store/storetest"
)

// rawDB opens dsn without Open: no migration, no secret check.
func rawDB(t *testing.T, e storetest.Engine, dsnOrURL string) *sqlDB {
	t.Helper()
	driver, name, dl := "sqlite", dsn(dsnOrURL), sqliteDialect()
	if e == storetest.Postgres {
		driver, name, dl = "pgx", dsnOrURL, postgresDialect()
	}
	raw, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return newSQLDB(raw, dl)
}

func schemaVersions(t *testing.T, q queryer) []int {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), `SELECT version FROM schema_migrations ORDER BY version`)
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

func tableExists(t *testing.T, db *sqlDB, name string) bool {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`
	if db.dl.Postgres {
		q = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	var n int
	if err := db.QueryRowContext(context.Background(), q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func wantVersions(t *testing.T, got []int, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("schema_migrations = %v, want 1…%d", got, n)
	}
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("schema_migrations = %v, want 1…%d", got, n)
		}
	}
}

var allTables = []string{"meta", "api_keys", "approvals", "audit", "dedup", "subscriptions", "subscription_runs",
	"approval_notes", "leases"}

func TestMigrate_FromEmpty(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := openTestDB(t, e)
		wantVersions(t, schemaVersions(t, db.db), 3)
		for _, table := range allTables {
			if !tableExists(t, db.db, table) {
				t.Errorf("table %s missing", table)
			}
		}
	})
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
	wantVersions(t, schemaVersions(t, db.db), 3)
	var mode string
	if err := db.db.QueryRowContext(context.Background(), `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var fk int
	if err := db.db.QueryRowContext(context.Background(), `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
}

// TestMigrate_FromV1 builds a database as a paasbot that knew only
// migration 1 would have, with data in it, and opens it with this one.
func TestMigrate_FromV1(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		clock := newFakeClock()
		secret := mustSecret(t)
		where := storetest.NewDatabase(t, e)
		raw := rawDB(t, e, where)
		ms, err := loadMigrations(migrationFS, raw.dl)
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
		v1 := &DB{db: raw, dl: raw.dl, path: where, keys: keys, now: clock.Now, log: discardLogger()}
		if err := v1.checkSecret(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := v1.PutAPIKey(ctx, Identity{"T", "U"}, "v1-key"); err != nil {
			t.Fatalf("PutAPIKey on v1: %v", err)
		}
		var id int64
		if err := raw.QueryRowContext(ctx, `INSERT INTO approvals (team, channel, requester, action, params, state, created_at, expires_at, updated_at)
			VALUES ('T', 'C', 'U', 'paas.renew', '{"duration":"1y"}', 'pending', ?, ?, ?) RETURNING id`,
			nanos(clock.Now()), nanos(clock.Now().Add(10*time.Hour)), nanos(clock.Now())).Scan(&id); err != nil {
			t.Fatal(err)
		}
		wantVersions(t, schemaVersions(t, raw), 1)
		if tableExists(t, raw, "subscriptions") {
			t.Fatal("v1 database already has subscriptions")
		}

		db, err := Open(ctx, where, secret, WithClock(clock.Now))
		if err != nil {
			t.Fatalf("Open v1 database: %v", err)
		}
		defer db.Close()
		wantVersions(t, schemaVersions(t, db.db), 3)
		a, err := db.Approval(ctx, id)
		if err != nil {
			t.Fatalf("Approval after upgrade: %v", err)
		}
		if a.State != StatePending || string(a.Params) != `{"duration":"1y"}` || a.Progress != nil || a.FollowDone ||
			!a.RemindAt.Equal(clock.Now().Add(8*time.Hour)) {
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
	})
}

// TestMigrate_FromSQLiteV2 opens a database made by the schema-2 paasbot
// (its migrations verbatim, in testdata) holding what a crash leaves
// behind, and checks that the upgrade keeps every promise: a request left
// executing may have been sent and is never offered again, one left
// approved was never sent, a follow-up resumes, and an alert claim of the
// old kind (which may have posted) is never taken over.
func TestMigrate_FromSQLiteV2(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	secret := mustSecret(t)
	path := storetest.NewDatabase(t, storetest.SQLite)
	raw := rawDB(t, storetest.SQLite, path)
	ms, err := loadMigrations(os.DirFS("testdata/sqlite-v2"), raw.dl)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, raw, ms, clock.Now, discardLogger()); err != nil {
		t.Fatalf("build the v2 database: %v", err)
	}
	now := nanos(clock.Now())
	ids := map[ApprovalState]int64{}
	for _, st := range []ApprovalState{StatePending, StateApproved, StateExecuting, StateDone} {
		var id int64
		if err := raw.QueryRowContext(ctx, `INSERT INTO approvals (team, channel, requester, action, state, created_at, expires_at, updated_at, progress, follow_done)
			VALUES ('T', 'C', 'U', 'paas.renew', ?, ?, ?, ?, '{"ops":[]}', 0) RETURNING id`, st, now, now+int64(time.Hour), now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[st] = id
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO subscriptions (team, channel, owner, kind, schedule, created_at) VALUES ('T', 'C', 'U', 'expiry', '@daily', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO subscription_runs (subscription_id, slot, claimed_at) VALUES (1, ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	raw.raw.Close()

	db, err := Open(ctx, path, secret, WithClock(clock.Now), WithHolder("new"))
	if err != nil {
		t.Fatalf("Open the v2 database: %v", err)
	}
	defer db.Close()
	wantVersions(t, schemaVersions(t, db.db), 3)
	if a, _ := db.Approval(ctx, ids[StateExecuting]); a.SentAt == nil {
		t.Errorf("a request left executing by schema 2 is not counted as sent: %+v", a)
	}
	r, err := db.Recover(ctx, RecoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Reoffered) != 1 || r.Reoffered[0].ID != ids[StateApproved] ||
		len(r.Interrupted) != 1 || r.Interrupted[0].ID != ids[StateExecuting] ||
		len(r.TakenOver) != 1 || r.TakenOver[0].ID != ids[StateDone] || r.TakenOver[0].Holder != "new" {
		t.Errorf("Recover after the upgrade = %+v", r)
	}
	if lapsed, err := db.LapsedSlots(ctx); err != nil || len(lapsed) != 0 {
		t.Errorf("LapsedSlots = %+v, %v; an old claim may have posted: never taken over", lapsed, err)
	}
	clock.Advance(time.Hour)
	if ok, err := db.ClaimSlotLeased(ctx, 1, fromNanos(now)); ok || err != nil {
		t.Errorf("ClaimSlotLeased of an old unfinished claim = %v, %v; want false", ok, err)
	}
}

// TestMigrate_FailureLeavesNothing: a migration that fails half-way leaves
// neither its first statements nor a version record behind.
func TestMigrate_FailureLeavesNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		raw := rawDB(t, e, storetest.NewDatabase(t, e))
		ms, err := loadMigrations(fstest.MapFS{
			"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
			"migrations/0002_b.sql": {Data: []byte(`CREATE TABLE half (x INTEGER); INSERT INTO half VALUES (1); INSERT INTO missing VALUES (1);`)},
		}, raw.dl)
		if err != nil {
			t.Fatal(err)
		}
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
		wantVersions(t, schemaVersions(t, raw), 1)
	})
}

// TestMigrate_RendersPerEngine: the dialect words differ, nothing else.
func TestMigrate_RendersPerEngine(t *testing.T) {
	lite, err := loadMigrations(migrationFS, sqliteDialect())
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(migrationFS, postgresDialect())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"AUTOINCREMENT", "WITHOUT ROWID", "BLOB", "RAISE(ABORT"} {
		if !strings.Contains(lite[0].sql, w) || strings.Contains(pg[0].sql, w) {
			t.Errorf("%q: in SQLite's schema 1 and not PostgreSQL's, it should be", w)
		}
	}
	for _, w := range []string{"GENERATED BY DEFAULT AS IDENTITY", "BYTEA", "plpgsql", "OR DELETE OR TRUNCATE"} {
		if strings.Contains(lite[0].sql, w) || !strings.Contains(pg[0].sql, w) {
			t.Errorf("%q: in PostgreSQL's schema 1 and not SQLite's, it should be", w)
		}
	}
	if strings.Contains(lite[2].sql, "{{") || strings.Contains(pg[2].sql, "{{") {
		t.Error("a template word was left unrendered")
	}
}

// TestOpen_Concurrent: several processes (here, separate pools) opening a
// new database at once apply each migration once (a second application
// would fail: its tables exist, its version row is a primary key) and
// agree on the secret check. On PostgreSQL this is the advisory lock's
// work.
func TestOpen_Concurrent(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		where := storetest.NewDatabase(t, e)
		secret := mustSecret(t)
		const n = 6
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				<-start
				db, err := Open(ctx, where, secret)
				errs[i] = err
				if err == nil {
					db.Close()
				}
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
			}
		}
		db, err := Open(ctx, where, secret)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		wantVersions(t, schemaVersions(t, db.db), 3)
		var checks int
		if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = 'secret_check'`).Scan(&checks); err != nil || checks != 1 {
			t.Errorf("%d secret checks (%v), want 1", checks, err)
		}
	})
}

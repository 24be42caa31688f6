package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// DB is an open paasbot database, on SQLite or PostgreSQL. Close it when
// done.
type DB struct {
	db     *sqlDB
	dl     *dialect
	path   string // the file, or the URL without its password
	keys   *keyring
	now    func() time.Time
	log    *slog.Logger
	holder string
	// leaseTTL is how long a lease of this holder lasts after its last
	// renewal (LeaseTTL unless WithLeaseTTL).
	leaseTTL time.Duration
	// inspect (Inspect) reads the schema version instead of migrating,
	// and found is what it read.
	inspect bool
	found   Schema
}

// Option configures Open.
type Option func(*DB)

// WithClock sets the clock used for every timestamp, deadline and lease
// (tests inject a fake one). The default is time.Now.
func WithClock(now func() time.Time) Option { return func(d *DB) { d.now = now } }

// WithLogger sets the logger (migrations applied, janitor errors). The
// default discards.
func WithLogger(l *slog.Logger) Option { return func(d *DB) { d.log = l } }

// WithHolder sets the identity under which this DB takes leases (see
// Holder). The default, NewHolder(), is unique per Open; set it only to
// name a process in tests or logs. Two DBs that share a holder are one
// process to the lease model: neither recovers the other's work.
func WithHolder(h string) Option { return func(d *DB) { d.holder = h } }

// WithLeaseTTL sets how long this holder's leases last after their last
// renewal (default LeaseTTL, 30 s; at most that, DESIGN §11). A shorter
// one lets another process take a dead one's work over sooner, and needs
// Heartbeat and Recover called correspondingly more often (HeartbeatEvery
// and RecoverEvery scaled by ttl / LeaseTTL: see LeaseTimings). Replicas
// sharing a database should use the same value. ttl <= 0 keeps the
// default.
func WithLeaseTTL(ttl time.Duration) Option { return func(d *DB) { d.leaseTTL = ttl } }

// Open opens the database named by pathOrURL, applies the migrations it
// lacks, and checks the secret against the check value stored at first
// open.
//
// A URL starting with postgres:// or postgresql:// selects PostgreSQL (see
// IsPostgres); the schema used is the connection's current schema
// (search_path), which must hold only paasbot's tables. Anything else is
// the path of a SQLite file, created (mode 0600) when missing.
//
// Errors, each one line naming the database (a URL without its password):
// a missing or unwritable directory, a file that is not a SQLite database,
// a server that cannot be reached, a database or schema that is not
// paasbot's, a schema newer than this binary (wraps ErrNewerSchema), a
// secret other than the one the database was created with (wraps
// ErrWrongSecret).
func Open(ctx context.Context, pathOrURL string, secret Secret, opts ...Option) (*DB, error) {
	d := &DB{now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(d)
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.holder == "" {
		d.holder = NewHolder()
	}
	if d.leaseTTL <= 0 {
		d.leaseTTL = LeaseTTL
	}
	keys, err := newKeyring(secret)
	if err != nil {
		return nil, err
	}
	d.keys = keys
	if IsPostgres(pathOrURL) {
		err = d.openPostgres(ctx, pathOrURL)
	} else {
		err = d.openSQLite(ctx, pathOrURL)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// init is the first work of every Open: the migrations, then the secret
// check. It is safe to repeat. For Inspect it changes nothing: it reads
// the schema version and checks the secret when there is one to check.
func (d *DB) init(ctx context.Context) error {
	ms, err := loadMigrations(migrationFS, d.dl)
	if err != nil {
		return fmt.Errorf("store: embedded migrations: %w", err)
	}
	if d.inspect {
		return d.inspectSchema(ctx, len(ms))
	}
	if err := migrate(ctx, d.db, ms, d.now, d.log); err != nil {
		return d.openError(err)
	}
	return d.checkSecret(ctx)
}

// Schema is what Inspect found of a database's schema.
type Schema struct {
	Engine  string // "sqlite" or "postgres"
	Name    string // the file, or the URL without its password
	Version int    // the migrations applied (0: an empty database)
	Known   int    // the migrations this paasbot has; Open applies Known - Version
}

// Current reports whether the schema is the one this paasbot runs.
func (s Schema) Current() bool { return s.Version == s.Known }

// Inspect connects to the database named by pathOrURL and reads its
// schema version, changing nothing (no migration, no secret check value
// written), for `paasbot run --check`: the connection works, the schema
// is not newer than this paasbot (ErrNewerSchema), and the secret opens
// it when it has keys to open (ErrWrongSecret). An older schema, or an
// empty database, is not an error: Open migrates it. A SQLite file that
// does not exist is created, as Open would (check for it first to avoid
// that). Errors are those of Open, one line each.
func Inspect(ctx context.Context, pathOrURL string, secret Secret) (Schema, error) {
	d, err := Open(ctx, pathOrURL, secret, func(d *DB) { d.inspect = true })
	if err != nil {
		return Schema{}, err
	}
	defer d.Close()
	return d.found, nil
}

func (d *DB) inspectSchema(ctx context.Context, known int) error {
	v, err := schemaVersion(ctx, d.db, d.dl)
	if err != nil {
		return d.openError(err)
	}
	if v > known {
		return d.openError(newerSchema(v, known))
	}
	d.found = Schema{Engine: d.dl.Name, Name: d.path, Version: v, Known: known}
	if v == 0 {
		return nil
	}
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = 'secret_check'`).Scan(&n); err != nil {
		return d.openError(err)
	}
	if n == 0 {
		return nil // migrated, never opened to the end: Open writes the check
	}
	return d.verifySecret(ctx, d.db, false)
}

// openError turns what the engine says about a bad database into one line
// naming it.
func (d *DB) openError(err error) error {
	if d.dl.Postgres {
		return d.postgresOpenError(err)
	}
	return d.sqliteOpenError(err)
}

// retryable reports whether err is a transient conflict between
// transactions that running the transaction again resolves.
func (d *DB) retryable(err error) bool {
	if d.dl.Postgres {
		return pgRetryable(err)
	}
	return isBusy(err)
}

// checkSecret stores the check value at first open and verifies it later.
func (d *DB) checkSecret(ctx context.Context) error {
	sealed, err := d.keys.seal([]byte(checkPlain), []byte(checkAD))
	if err != nil {
		return err
	}
	if _, err := d.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('secret_check', ?) ON CONFLICT (key) DO NOTHING`, sealed); err != nil {
		return d.openError(err)
	}
	return d.verifySecret(ctx, d.db, false)
}

// verifySecret checks the stored check value under d's secret. It runs in
// the caller's transaction where a write depends on the secret (lock
// true), so a bot still running with the old secret after rotate-secret
// stops writing instead of storing keys nobody can read. On PostgreSQL
// lock takes a share lock on the check row, which rotate-secret updates:
// the two cannot interleave.
func (d *DB) verifySecret(ctx context.Context, q queryer, lock bool) error {
	query := `SELECT value FROM meta WHERE key = 'secret_check'`
	if lock && d.dl.Postgres {
		query += ` FOR SHARE`
	}
	var sealed []byte
	if err := q.QueryRowContext(ctx, query).Scan(&sealed); err != nil {
		return fmt.Errorf("store: %s: read secret check: %w", d.path, err)
	}
	plain, err := d.keys.open(sealed, []byte(checkAD))
	if err != nil || string(plain) != checkPlain {
		return fmt.Errorf("store: %s: %w: PAASBOT_SECRET_KEY does not match the secret this database was created with (or last rotated to)", d.path, ErrWrongSecret)
	}
	return nil
}

// Path names the database: the absolute path of the SQLite file, or the
// PostgreSQL URL without its password. It is safe to log.
func (d *DB) Path() string { return d.path }

// Engine is "sqlite" or "postgres".
func (d *DB) Engine() string { return d.dl.Name }

// Close closes the database. Pending statements finish first.
func (d *DB) Close() error { return d.db.raw.Close() }

// Ping reports whether the database answers a query (liveness of the
// connection; Ready checks more).
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping %s: %s", d.path, oneLine(err))
	}
	return nil
}

// Ready reports whether the store can serve, for /readyz and `run
// --check`: the database answers, its schema is the one this paasbot
// knows (not upgraded by a newer replica since), and the secret still
// matches (no rotate-secret since). The error is one line, without
// secrets.
func (d *DB) Ready(ctx context.Context) error {
	if err := d.Ping(ctx); err != nil {
		return err
	}
	ms, err := loadMigrations(migrationFS, d.dl)
	if err != nil {
		return fmt.Errorf("store: embedded migrations: %w", err)
	}
	v, err := schemaVersion(ctx, d.db, d.dl)
	if err != nil {
		return fmt.Errorf("store: %s: read schema version: %s", d.path, oneLine(err))
	}
	if v != len(ms) {
		return fmt.Errorf("store: %s: schema version %d, this paasbot runs %d (restart it, or upgrade it)", d.path, v, len(ms))
	}
	return d.verifySecret(ctx, d.db, false)
}

// nanos and fromNanos convert times for storage (Unix nanoseconds, UTC).
func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNanos(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNanos(n.Int64)
	return &t
}

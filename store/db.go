// Package store keeps everything paasbot must remember in one SQLite file
// (modernc.org/sqlite, no cgo): people's API keys encrypted under a secret,
// approval requests and their exactly-once state machine, alert
// subscriptions and their run log, the append-only audit log, and
// de-duplication keys for retried Slack deliveries.
//
// Times are stored as Unix nanoseconds and returned in UTC. Every method is
// safe for concurrent use; state changes that must happen once are single
// compare-and-set statements.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"modernc.org/sqlite"
)

// busyTimeout is how long a statement waits for another writer.
const busyTimeout = 10 * time.Second

// DB is an open paasbot database. Close it when done.
type DB struct {
	db   *sql.DB
	path string
	keys *keyring
	now  func() time.Time
	log  *slog.Logger
}

// Option configures Open.
type Option func(*DB)

// WithClock sets the clock used for every timestamp and deadline (tests
// inject a fake one). The default is time.Now.
func WithClock(now func() time.Time) Option { return func(d *DB) { d.now = now } }

// WithLogger sets the logger (migrations applied, janitor errors). The
// default discards.
func WithLogger(l *slog.Logger) Option { return func(d *DB) { d.log = l } }

// dsn builds the connection string: WAL so readers never block the writer,
// a busy timeout so writers queue instead of failing, foreign keys on,
// BEGIN IMMEDIATE so a transaction takes the write lock up front (no
// upgrade deadlocks), and secure_delete so freed pages (old ciphertexts
// after a rotation) are zeroed.
func dsn(abs string) string {
	u := url.URL{Scheme: "file", Path: abs}
	q := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=secure_delete(1)&_txlock=immediate",
		busyTimeout.Milliseconds())
	return u.String() + "?" + q
}

// Open opens (creating if missing) the database at path, applies the
// migrations it lacks, and checks the secret against the check value stored
// at first open.
//
// Errors, each one line naming the path: a missing or unwritable directory,
// a file that is not a SQLite (or not a paasbot) database, a schema newer
// than this binary (wraps ErrNewerSchema), a secret other than the one the
// database was created with (wraps ErrWrongSecret).
func Open(ctx context.Context, path string, secret Secret, opts ...Option) (*DB, error) {
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
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("store: database path %q: a file path is required", path)
	}
	keys, err := newKeyring(secret)
	if err != nil {
		return nil, err
	}
	d.keys = keys
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: database path %s: %w", path, err)
	}
	d.path = abs
	if err := checkDir(abs); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("store: open %s: is a directory, not a database file", abs)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	d.db = db
	if err := d.initRetryingBusy(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return d, nil
}

// initBusyRetries bounds how often Open retries its first round of work on
// SQLITE_BUSY; the pause doubles from 20 ms (about 1.3 s in all).
const initBusyRetries = 6

// initRetryingBusy runs init, retrying when SQLite answers SQLITE_BUSY.
// Two processes opening a new file at once both switch it to WAL, and
// SQLite answers BUSY at once, without the busy timeout, when waiting
// could deadlock. init is safe to repeat: each migration is one
// transaction and the secret check is an upsert.
func (d *DB) initRetryingBusy(ctx context.Context) error {
	pause := 20 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := d.init(ctx)
		if err == nil || !isBusy(err) || attempt == initBusyRetries {
			return err
		}
		d.log.Debug("database busy while opening; retrying", "attempt", attempt+1)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause *= 2
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or an extended form).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 5
}

// checkDir gives a clear error for a missing directory or a path under a
// regular file, before SQLite says only "unable to open database file".
func checkDir(abs string) error {
	dir := filepath.Dir(abs)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store: open %s: directory %s does not exist", abs, dir)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("store: open %s: a parent of %s is not a directory", abs, dir)
	case err != nil:
		return fmt.Errorf("store: open %s: %w", abs, err)
	case !fi.IsDir():
		return fmt.Errorf("store: open %s: %s is not a directory", abs, dir)
	}
	return nil
}

func (d *DB) init(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
		return d.openError(err)
	}
	// journal_mode(WAL) in the DSN is silently ignored when it cannot be
	// set; check so a bad file or directory fails here with a clear line.
	var mode string
	if err := d.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return d.openError(err)
	}
	if mode != "wal" {
		d.log.Warn("database is not in WAL mode: readers may block writers (is it on a network file system?)",
			"path", d.path, "journal_mode", mode)
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return fmt.Errorf("store: embedded migrations: %w", err)
	}
	if err := migrate(ctx, d.db, ms, d.now, d.log); err != nil {
		return d.openError(err)
	}
	if err := d.checkSecret(ctx); err != nil {
		return err
	}
	return nil
}

// openError turns what SQLite says about a bad file into one line naming
// the path.
func (d *DB) openError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 26: // SQLITE_NOTADB
			return fmt.Errorf("store: open %s: not a SQLite database (wrong file, or encrypted/corrupt)", d.path)
		case 14: // SQLITE_CANTOPEN
			return fmt.Errorf("store: open %s: cannot open or create the database file or its -wal/-shm files: check that the directory %s exists and is writable", d.path, filepath.Dir(d.path))
		case 8: // SQLITE_READONLY
			return fmt.Errorf("store: open %s: the database or its directory %s is read-only", d.path, filepath.Dir(d.path))
		case 11: // SQLITE_CORRUPT
			return fmt.Errorf("store: open %s: the database file is corrupt (restore a backup)", d.path)
		}
	}
	return fmt.Errorf("store: open %s: %w", d.path, err)
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
	return d.verifySecret(ctx, d.db)
}

type queryer interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

// verifySecret checks the stored check value under d's secret. It runs in
// the caller's transaction where a write depends on the secret, so a bot
// still running with the old secret after rotate-secret stops writing
// instead of storing keys nobody can read.
func (d *DB) verifySecret(ctx context.Context, q queryer) error {
	var sealed []byte
	if err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'secret_check'`).Scan(&sealed); err != nil {
		return fmt.Errorf("store: %s: read secret check: %w", d.path, err)
	}
	plain, err := d.keys.open(sealed, []byte(checkAD))
	if err != nil || string(plain) != checkPlain {
		return fmt.Errorf("store: %s: %w: PAASBOT_SECRET_KEY does not match the secret this database was created with (or last rotated to)", d.path, ErrWrongSecret)
	}
	return nil
}

// Path is the absolute path of the database file.
func (d *DB) Path() string { return d.path }

// Close closes the database. Pending statements finish first.
func (d *DB) Close() error { return d.db.Close() }

// Ping reports whether the database answers a query (readiness checks).
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping %s: %w", d.path, err)
	}
	return nil
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

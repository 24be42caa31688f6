package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite"
)

// busyTimeout is how long a statement waits for another writer.
const busyTimeout = 10 * time.Second

// privateMode is the mode of the database file, its -wal and -shm
// companions and backups: readable by their owner only, whatever the umask
// (SQLite gives the companions the mode of the database file).
const privateMode fs.FileMode = 0o600

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

func (d *DB) openSQLite(ctx context.Context, path string) error {
	if path == "" || path == ":memory:" {
		return fmt.Errorf("store: database path %q: a file path is required", path)
	}
	d.dl = sqliteDialect()
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: database path %s: %w", path, err)
	}
	d.path = abs
	if err := checkDir(abs); err != nil {
		return err
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return fmt.Errorf("store: open %s: is a directory, not a database file", abs)
	}
	if err := d.privateFiles(abs); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", abs, err)
	}
	raw.SetMaxOpenConns(8)
	raw.SetMaxIdleConns(8)
	d.db = newSQLDB(raw, d.dl)
	if err := d.initRetryingBusy(ctx); err != nil {
		_ = raw.Close()
		return err
	}
	return nil
}

// privateFiles creates the database file 0600 when it is missing (SQLite
// would create it 0644 less the umask, and its -wal and -shm after it),
// and takes group and other permissions away from an existing one and its
// companions, as a paasbot older than this one left them.
func (d *DB) privateFiles(abs string) error {
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	switch {
	case err == nil:
		// The umask may have taken bits away: say exactly 0600.
		cerr := f.Chmod(privateMode)
		if err := f.Close(); err != nil && cerr == nil {
			cerr = err
		}
		if cerr != nil {
			return fmt.Errorf("store: open %s: %w", abs, cerr)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return d.sqliteOpenError(cantOpen)
	default:
		return fmt.Errorf("store: open %s: %w", abs, err)
	}
	for _, p := range []string{abs, abs + "-wal", abs + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
			d.log.Warn("cannot make the database readable by its owner only", "path", p, "err", err)
			continue
		}
		d.log.Info("database file made readable by its owner only", "path", p, "was", fi.Mode().Perm().String())
	}
	return nil
}

// cantOpen stands for SQLITE_CANTOPEN when paasbot finds it before SQLite.
var cantOpen = errors.New("cannot create the database file")

// initBusyRetries bounds how often Open retries its first round of work on
// SQLITE_BUSY; the pause doubles from 20 ms (about 1.3 s in all).
const initBusyRetries = 6

// initRetryingBusy runs the SQLite checks and init, retrying when SQLite
// answers SQLITE_BUSY. Two processes opening a new file at once both
// switch it to WAL, and SQLite answers BUSY at once, without the busy
// timeout, when waiting could deadlock. init is safe to repeat: each
// migration is one transaction and the secret check is an upsert.
func (d *DB) initRetryingBusy(ctx context.Context) error {
	pause := 20 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := d.initSQLite(ctx)
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

func (d *DB) initSQLite(ctx context.Context) error {
	if err := d.db.raw.PingContext(ctx); err != nil {
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
	return d.init(ctx)
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

// sqliteOpenError turns what SQLite says about a bad file into one line
// naming the path.
func (d *DB) sqliteOpenError(err error) error {
	if errors.Is(err, cantOpen) {
		return d.cantOpenError()
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 26: // SQLITE_NOTADB
			return fmt.Errorf("store: open %s: not a SQLite database (wrong file, or encrypted/corrupt)", d.path)
		case 14: // SQLITE_CANTOPEN
			return d.cantOpenError()
		case 8: // SQLITE_READONLY
			return fmt.Errorf("store: open %s: the database or its directory %s is read-only", d.path, filepath.Dir(d.path))
		case 11: // SQLITE_CORRUPT
			return fmt.Errorf("store: open %s: the database file is corrupt (restore a backup)", d.path)
		}
	}
	return fmt.Errorf("store: open %s: %w", d.path, err)
}

func (d *DB) cantOpenError() error {
	return fmt.Errorf("store: open %s: cannot open or create the database file or its -wal/-shm files: check that the directory %s exists and is writable", d.path, filepath.Dir(d.path))
}

// oneLine flattens a multi-line error text (pgconn indents details on
// their own lines) so that every error of the store is one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}

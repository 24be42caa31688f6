package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrBackupUnsupported: Backup was asked of a PostgreSQL database, which
// pg_dump backs up.
var ErrBackupUnsupported = errors.New("back up a PostgreSQL database with pg_dump")

// Backup writes a consistent copy of the SQLite database to path with
// VACUUM INTO, while other connections keep reading and writing. It
// refuses an existing path. The copy is created readable by its owner only
// (0600) and holds API keys encrypted under the same secret. On PostgreSQL
// it returns ErrBackupUnsupported: pg_dump does it.
func (d *DB) Backup(ctx context.Context, path string) error {
	if d.dl.Postgres {
		return fmt.Errorf("store: backup of %s: %w (pg_dump --format=custom --file=paasbot.dump DATABASE_URL)", d.path, ErrBackupUnsupported)
	}
	if path == "" {
		return errors.New("store: backup: empty target path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if abs == d.path {
		return fmt.Errorf("store: backup to %s: that is the database itself", abs)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("store: backup to %s: the file already exists; choose a new path", abs)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	if err := checkDir(abs); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	// VACUUM INTO writes into an empty file: create it first, 0600 and
	// exclusively (no other process slips a file or a link in between).
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privateMode)
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	err = f.Chmod(privateMode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// An absolute path never starts with "file:", so SQLite reads it
		// as a plain file name, not a URI.
		_, err = d.db.ExecContext(ctx, `VACUUM INTO ?`, abs)
	}
	if err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	return nil
}

// RotateSecret re-encrypts every API key of the database at path, and its
// secret check, from old to new in one transaction, and returns how many
// keys it re-encrypted. Nothing changes if any key fails to open under old.
// Stop paasbot first: a process still holding the old secret can no longer
// read or store keys afterwards (it gets ErrWrongSecret).
func RotateSecret(ctx context.Context, path string, old, new Secret, opts ...Option) (n int, err error) {
	if new.IsZero() {
		return 0, errors.New("store: rotate secret: no new secret given")
	}
	if old.Equal(new) {
		return 0, errors.New("store: rotate secret: the new secret is the same as the current one")
	}
	nk, err := newKeyring(new)
	if err != nil {
		return 0, err
	}
	d, err := Open(ctx, path, old, opts...)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := d.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("store: rotate secret: close: %w", cerr)
		}
	}()
	n, err = d.rotate(ctx, nk)
	if err != nil {
		return 0, err
	}
	// Truncate the WAL so old ciphertexts do not linger beside the file
	// (secure_delete already zeroes the freed pages in the database). On
	// PostgreSQL, VACUUM frees the old row versions for reuse.
	cleanup := `PRAGMA wal_checkpoint(TRUNCATE)`
	if d.dl.Postgres {
		cleanup = `VACUUM api_keys, meta`
	}
	if _, err := d.db.ExecContext(ctx, cleanup); err != nil {
		d.log.Warn("rotate secret: clean up old ciphertexts", "err", err)
	}
	return n, nil
}

type sealedKey struct {
	id     Identity
	sealed []byte
}

func (d *DB) rotate(ctx context.Context, nk *keyring) (int, error) {
	tx, err := d.db.BeginTx(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: rotate secret: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if d.dl.Postgres {
		// Keys stored meanwhile wait for this transaction (they take a
		// share lock on the same row), then see the new check value.
		if _, err := tx.ExecContext(ctx, `SELECT value FROM meta WHERE key = 'secret_check' FOR UPDATE`); err != nil {
			return 0, fmt.Errorf("store: rotate secret: %w", err)
		}
	}
	if err := d.verifySecret(ctx, tx, false); err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT team, user_id, sealed FROM api_keys`)
	if err != nil {
		return 0, fmt.Errorf("store: rotate secret: %w", err)
	}
	var keys []sealedKey
	for rows.Next() {
		var k sealedKey
		if err := rows.Scan(&k.id.Team, &k.id.User, &k.sealed); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: rotate secret: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: rotate secret: %w", err)
	}
	for _, k := range keys {
		plain, err := d.keys.open(k.sealed, apiKeyAD(k.id))
		if err != nil {
			return 0, fmt.Errorf("store: rotate secret: API key of %s: %w; nothing was changed", k.id, ErrUndecryptable)
		}
		resealed, err := nk.seal(plain, apiKeyAD(k.id))
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET sealed = ?, fingerprint = ? WHERE team = ? AND user_id = ?`,
			resealed, nk.fingerprint(string(plain)), k.id.Team, k.id.User); err != nil {
			return 0, fmt.Errorf("store: rotate secret: API key of %s: %w", k.id, err)
		}
	}
	check, err := nk.seal([]byte(checkPlain), []byte(checkAD))
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'secret_check'`, check); err != nil {
		return 0, fmt.Errorf("store: rotate secret: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: rotate secret: %w", err)
	}
	d.keys = nk
	return len(keys), nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path with VACUUM INTO,
// while other connections keep reading and writing. It refuses an existing
// path. The copy holds API keys encrypted under the same secret.
func (d *DB) Backup(ctx context.Context, path string) error {
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
	// An absolute path never starts with "file:", so SQLite reads it as a
	// plain file name, not a URI.
	if _, err := d.db.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
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
	// (secure_delete already zeroes the freed pages in the database).
	if _, err := d.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		d.log.Warn("rotate secret: checkpoint", "err", err)
	}
	return n, nil
}

type sealedKey struct {
	id     Identity
	sealed []byte
}

func (d *DB) rotate(ctx context.Context, nk *keyring) (int, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: rotate secret: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := d.verifySecret(ctx, tx); err != nil {
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

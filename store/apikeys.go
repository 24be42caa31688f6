package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paasbot/paasbot/secret"
)

// Identity is the owner of an API key: a Slack team id and user id (the
// terminal shell uses team "local").
type Identity struct{ Team, User string }

func (id Identity) String() string { return id.Team + "/" + id.User }

func (id Identity) validate() error {
	if id.Team == "" || id.User == "" {
		return invalidf("identity needs a team and a user, got %q/%q", id.Team, id.User)
	}
	return nil
}

// KeyMeta describes a stored API key without revealing it.
type KeyMeta struct {
	// Fingerprint is a short display id (8 hex digits) that changes when
	// the secret is rotated; it never reveals the key.
	Fingerprint string
	// CreatedAt is when this key was stored (UTC).
	CreatedAt time.Time
}

// PutAPIKey stores (or replaces) the API key of id, encrypted, and returns
// its fingerprint. It fails with ErrWrongSecret if the database has been
// rotated to another secret since this DB was opened.
func (d *DB) PutAPIKey(ctx context.Context, id Identity, apiKey secret.Value) (fingerprint string, err error) {
	if err := id.validate(); err != nil {
		return "", err
	}
	if strings.TrimSpace(apiKey.Reveal()) == "" {
		return "", invalidf("empty API key")
	}
	sealed, err := d.keys.seal([]byte(apiKey.Reveal()), apiKeyAD(id))
	if err != nil {
		return "", err
	}
	fp := d.keys.fingerprint(apiKey.Reveal())
	tx, err := d.db.BeginTx(ctx)
	if err != nil {
		return "", fmt.Errorf("store: put API key: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := d.verifySecret(ctx, tx, true); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys (team, user_id, sealed, fingerprint, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (team, user_id) DO UPDATE SET sealed = excluded.sealed,
			fingerprint = excluded.fingerprint, created_at = excluded.created_at`,
		id.Team, id.User, sealed, fp, nanos(d.now())); err != nil {
		return "", fmt.Errorf("store: put API key of %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("store: put API key of %s: %w", id, err)
	}
	return fp, nil
}

// APIKey returns the decrypted API key of id, as a secret.Value that prints
// "[redacted]", and its metadata. It returns
// ErrNotFound when id has none, and ErrUndecryptable when the stored value
// does not open under this secret and identity.
func (d *DB) APIKey(ctx context.Context, id Identity) (apiKey secret.Value, meta KeyMeta, err error) {
	var sealed []byte
	var created int64
	err = d.db.QueryRowContext(ctx, `SELECT sealed, fingerprint, created_at FROM api_keys WHERE team = ? AND user_id = ?`,
		id.Team, id.User).Scan(&sealed, &meta.Fingerprint, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return "", KeyMeta{}, fmt.Errorf("store: API key of %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", KeyMeta{}, fmt.Errorf("store: API key of %s: %w", id, err)
	}
	plain, err := d.keys.open(sealed, apiKeyAD(id))
	if err != nil {
		if verr := d.verifySecret(ctx, d.db, false); verr != nil {
			return "", KeyMeta{}, verr
		}
		return "", KeyMeta{}, fmt.Errorf("store: API key of %s: %w", id, ErrUndecryptable)
	}
	meta.CreatedAt = fromNanos(created)
	return secret.Value(plain), meta, nil
}

// DeleteAPIKey removes the API key of id (logout). It returns ErrNotFound
// when there was none.
func (d *DB) DeleteAPIKey(ctx context.Context, id Identity) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM api_keys WHERE team = ? AND user_id = ?`, id.Team, id.User)
	if err != nil {
		return fmt.Errorf("store: delete API key of %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete API key of %s: %w", id, ErrNotFound)
	}
	return nil
}

package store

import (
	"bytes"
	"context"
	"errors"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store/storetest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestDB_Backup(t *testing.T) {
	ctx := context.Background()
	t.Run("OK while another connection writes", func(t *testing.T) {
		db := openTestDB(t, storetest.SQLite)
		if _, err := db.PutAPIKey(ctx, Identity{"T", "U"}, "the-key"); err != nil {
			t.Fatal(err)
		}
		writer, err := Open(ctx, db.path, db.secret)
		if err != nil {
			t.Fatal(err)
		}
		defer writer.Close()
		// Each writer transaction adds one approval and one audit row: a
		// consistent copy has as many of each.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var written int
		writerDone := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(writerDone)
			for {
				select {
				case <-stop:
					return
				default:
				}
				tx, err := writer.db.BeginTx(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				tx.ExecContext(ctx, `INSERT INTO approvals (team, channel, requester, action, state, created_at, expires_at, updated_at)
					VALUES ('T', 'C', 'U', 'paas.renew', 'pending', 0, 1, 0)`)
				tx.ExecContext(ctx, `INSERT INTO audit (team, actor, action, at) VALUES ('T', 'U', 'x', 0)`)
				if err := tx.Commit(); err != nil {
					t.Error(err)
					return
				}
				written++
			}
		}()
		// Let the writer get going, then copy.
		for n := 0; n < 20; {
			select {
			case <-writerDone:
				t.Fatal("the writer stopped early")
			default:
			}
			db.queryRow(`SELECT count(*) FROM audit`).Scan(&n)
		}
		target := filepath.Join(t.TempDir(), "copy.db")
		err = db.Backup(ctx, target)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("Backup: %v", err)
		}
		cp, err := Open(ctx, target, db.secret)
		if err != nil {
			t.Fatalf("open the copy: %v", err)
		}
		defer cp.Close()
		var approvals, audits int
		cp.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM approvals), (SELECT count(*) FROM audit)`).Scan(&approvals, &audits)
		if approvals != audits || audits < 20 || audits > written {
			t.Errorf("copy has %d approvals and %d audit rows (writer committed %d): not a consistent snapshot", approvals, audits, written)
		}
		var check string
		cp.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check)
		if check != "ok" {
			t.Errorf("integrity_check = %q", check)
		}
		if k, _, err := cp.APIKey(ctx, Identity{"T", "U"}); err != nil || k != "the-key" {
			t.Errorf("key in the copy = %q, %v", k, err)
		}
		raw, _ := os.ReadFile(target)
		if bytes.Contains(raw, []byte("the-key")) {
			t.Error("the copy holds the API key in plaintext")
		}
	})
	t.Run("ErrExists", func(t *testing.T) {
		db := openTestDB(t, storetest.SQLite)
		target := filepath.Join(t.TempDir(), "exists.db")
		os.WriteFile(target, []byte("keep me"), 0o600)
		err := db.Backup(ctx, target)
		if err == nil || !strings.Contains(err.Error(), target) || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("err = %v", err)
		}
		if b, _ := os.ReadFile(target); string(b) != "keep me" {
			t.Error("the existing file was overwritten")
		}
	})
	t.Run("Errors", func(t *testing.T) {
		db := openTestDB(t, storetest.SQLite)
		for _, tt := range []struct{ path, want string }{
			{filepath.Join(t.TempDir(), "nope", "x.db"), "does not exist"},
			{db.path, "the database itself"},
			{"", "empty target"},
		} {
			if err := db.Backup(ctx, tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Backup(%q) err = %v, want %q", tt.path, err, tt.want)
			}
		}
	})
}

func TestRotateSecret(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		ids := []Identity{{"T", "alice"}, {"T", "bob"}, {"T2", "alice"}}
		setup := func(t *testing.T) (*testDB, map[Identity]string, map[Identity][]byte) {
			db := openTestDB(t, e)
			fps := map[Identity]string{}
			sealed := map[Identity][]byte{}
			for _, id := range ids {
				fp, err := db.PutAPIKey(ctx, id, secret.Value("key-of-"+id.String()))
				if err != nil {
					t.Fatal(err)
				}
				fps[id] = fp
				var s []byte
				db.queryRow(`SELECT sealed FROM api_keys WHERE team = ? AND user_id = ?`, id.Team, id.User).Scan(&s)
				sealed[id] = s
			}
			db.Close()
			return db, fps, sealed
		}
		t.Run("OK", func(t *testing.T) {
			db, fps, sealed := setup(t)
			newSecret := mustSecret(t)
			n, err := RotateSecret(ctx, db.dsn, db.secret, newSecret)
			if err != nil || n != len(ids) {
				t.Fatalf("RotateSecret = %d, %v; want %d", n, err, len(ids))
			}
			if _, err := Open(ctx, db.dsn, db.secret); !errors.Is(err, ErrWrongSecret) {
				t.Errorf("old secret after rotation: %v, want ErrWrongSecret", err)
			}
			rotated, err := Open(ctx, db.dsn, newSecret)
			if err != nil {
				t.Fatalf("open with the new secret: %v", err)
			}
			for _, id := range ids {
				k, meta, err := rotated.APIKey(ctx, id)
				if err != nil || k.Reveal() != "key-of-"+id.String() {
					t.Errorf("%s: %q, %v", id, k.Reveal(), err)
				}
				if meta.Fingerprint == fps[id] || meta.Fingerprint != rotated.keys.fingerprint(k.Reveal()) {
					t.Errorf("%s: fingerprint %q not recomputed (was %q)", id, meta.Fingerprint, fps[id])
				}
			}
			rotated.Close()
			// No old ciphertext lingers in the file or its WAL.
			for name, b := range readDBFiles(t, db.dsn) {
				for id, s := range sealed {
					if bytes.Contains(b, s) {
						t.Errorf("%s still holds the old ciphertext of %s", name, id)
					}
				}
			}
		})
		t.Run("Empty database", func(t *testing.T) {
			db := openTestDB(t, e)
			db.Close()
			newSecret := mustSecret(t)
			if n, err := RotateSecret(ctx, db.dsn, db.secret, newSecret); err != nil || n != 0 {
				t.Fatalf("RotateSecret = %d, %v", n, err)
			}
			if d, err := Open(ctx, db.dsn, newSecret); err != nil {
				t.Errorf("new secret does not open the rotated database: %v", err)
			} else {
				d.Close()
			}
		})
		t.Run("ErrWrongSecret", func(t *testing.T) {
			db, _, _ := setup(t)
			_, err := RotateSecret(ctx, db.dsn, mustSecret(t), mustSecret(t))
			if !errors.Is(err, ErrWrongSecret) {
				t.Fatalf("err = %v, want ErrWrongSecret", err)
			}
		})
		t.Run("Same secret", func(t *testing.T) {
			db, _, _ := setup(t)
			if _, err := RotateSecret(ctx, db.dsn, db.secret, db.secret); err == nil || !strings.Contains(err.Error(), "same") {
				t.Errorf("err = %v", err)
			}
		})
		// One bad row aborts the whole rotation: the transaction is rolled back
		// and every key still opens under the old secret.
		t.Run("Nothing changes on a bad row", func(t *testing.T) {
			db, _, sealed := setup(t)
			raw, err := Open(ctx, db.dsn, db.secret)
			if err != nil {
				t.Fatal(err)
			}
			// bob's row gets alice's ciphertext: it cannot open as bob's.
			raw.db.ExecContext(ctx, `UPDATE api_keys SET sealed = ? WHERE team = 'T' AND user_id = 'bob'`, sealed[ids[0]])
			raw.Close()
			_, err = RotateSecret(ctx, db.dsn, db.secret, mustSecret(t))
			if !errors.Is(err, ErrUndecryptable) || !strings.Contains(err.Error(), "T/bob") || !strings.Contains(err.Error(), "nothing was changed") {
				t.Fatalf("err = %v, want ErrUndecryptable naming T/bob", err)
			}
			again, err := Open(ctx, db.dsn, db.secret)
			if err != nil {
				t.Fatalf("old secret no longer opens: %v", err)
			}
			defer again.Close()
			for _, id := range []Identity{ids[0], ids[2]} {
				if k, _, err := again.APIKey(ctx, id); err != nil || k.Reveal() != "key-of-"+id.String() {
					t.Errorf("%s after failed rotation: %q, %v", id, k.Reveal(), err)
				}
			}
		})
	})
}

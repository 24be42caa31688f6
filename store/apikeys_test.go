package store

import (
	"bytes"
	"context"
	"errors"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store/storetest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDB_PutAPIKey(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("OK", func(t *testing.T) {
			db := openTestDB(t, e)
			id := Identity{"T1", "U1"}
			fp, err := db.PutAPIKey(ctx, id, "gandi-key-1")
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(fp) {
				t.Errorf("fingerprint %q, want 8 hex digits", fp)
			}
			key, meta, err := db.APIKey(ctx, id)
			if err != nil || key != "gandi-key-1" || meta.Fingerprint != fp || !meta.CreatedAt.Equal(db.clock.Now()) {
				t.Errorf("APIKey = %q, %+v, %v", key, meta, err)
			}
		})
		t.Run("Replace", func(t *testing.T) {
			db := openTestDB(t, e)
			id := Identity{"T1", "U1"}
			fp1, _ := db.PutAPIKey(ctx, id, "old-key")
			db.clock.Advance(time.Hour)
			fp2, err := db.PutAPIKey(ctx, id, "new-key")
			if err != nil {
				t.Fatal(err)
			}
			if fp1 == fp2 {
				t.Error("different keys share a fingerprint")
			}
			key, meta, err := db.APIKey(ctx, id)
			if err != nil || key != "new-key" || meta.Fingerprint != fp2 || !meta.CreatedAt.Equal(db.clock.Now()) {
				t.Errorf("APIKey = %q, %+v, %v", key, meta, err)
			}
		})
		t.Run("SameKeySameFingerprint", func(t *testing.T) {
			db := openTestDB(t, e)
			fp1, _ := db.PutAPIKey(ctx, Identity{"T", "A"}, "shared")
			fp2, _ := db.PutAPIKey(ctx, Identity{"T", "B"}, "shared")
			if fp1 != fp2 {
				t.Errorf("fingerprints %q and %q of one key differ", fp1, fp2)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			db := openTestDB(t, e)
			for _, c := range []struct {
				id  Identity
				key string
			}{{Identity{"", "U"}, "k"}, {Identity{"T", ""}, "k"}, {Identity{"T", "U"}, "  "}} {
				if _, err := db.PutAPIKey(ctx, c.id, secret.Value(c.key)); !errors.Is(err, ErrInvalid) {
					t.Errorf("PutAPIKey(%v, %q) err = %v, want ErrInvalid", c.id, c.key, err)
				}
			}
		})
		t.Run("ErrWrongSecret after rotation", func(t *testing.T) {
			db := openTestDB(t, e)
			if _, err := db.PutAPIKey(ctx, Identity{"T", "U"}, "k1"); err != nil {
				t.Fatal(err)
			}
			// Another process rotates the secret while db stays open.
			if _, err := RotateSecret(ctx, db.dsn, db.secret, mustSecret(t)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.PutAPIKey(ctx, Identity{"T", "V"}, "k2"); !errors.Is(err, ErrWrongSecret) {
				t.Errorf("PutAPIKey with the old secret: err = %v, want ErrWrongSecret", err)
			}
			if _, _, err := db.APIKey(ctx, Identity{"T", "U"}); !errors.Is(err, ErrWrongSecret) {
				t.Errorf("APIKey with the old secret: err = %v, want ErrWrongSecret", err)
			}
		})
	})
}

func TestDB_APIKey(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("ErrNotFound", func(t *testing.T) {
			db := openTestDB(t, e)
			_, _, err := db.APIKey(ctx, Identity{"T", "nobody"})
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
		})
		t.Run("OtherTeamSameUser", func(t *testing.T) {
			db := openTestDB(t, e)
			db.PutAPIKey(ctx, Identity{"T1", "U"}, "key-in-T1")
			if _, _, err := db.APIKey(ctx, Identity{"T2", "U"}); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
		t.Run("ErrUndecryptable when moved to another row", func(t *testing.T) {
			db := openTestDB(t, e)
			db.PutAPIKey(ctx, Identity{"T", "alice"}, "alice-key")
			db.PutAPIKey(ctx, Identity{"T", "mallory"}, "mallory-key")
			// Copy alice's ciphertext into mallory's row, as someone with
			// write access to the file might.
			db.exec(t, `UPDATE api_keys SET sealed = (SELECT sealed FROM api_keys WHERE user_id = 'alice') WHERE user_id = 'mallory'`)
			key, _, err := db.APIKey(ctx, Identity{"T", "mallory"})
			if !errors.Is(err, ErrUndecryptable) || key != "" {
				t.Fatalf("APIKey = %q, %v; want ErrUndecryptable", key, err)
			}
			if strings.Contains(err.Error(), "alice-key") {
				t.Errorf("error %q reveals the key", err)
			}
			if k, _, err := db.APIKey(ctx, Identity{"T", "alice"}); err != nil || k != "alice-key" {
				t.Errorf("alice's own key = %q, %v", k, err)
			}
		})
		t.Run("ErrUndecryptable when tampered", func(t *testing.T) {
			db := openTestDB(t, e)
			db.PutAPIKey(ctx, Identity{"T", "U"}, "k")
			db.exec(t, `UPDATE api_keys SET sealed = ?`, []byte{0})
			if _, _, err := db.APIKey(ctx, Identity{"T", "U"}); !errors.Is(err, ErrUndecryptable) {
				t.Errorf("err = %v, want ErrUndecryptable", err)
			}
		})
	})
}

func TestDB_DeleteAPIKey(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		id := Identity{"T", "U"}
		db.PutAPIKey(ctx, id, "k")
		t.Run("OK", func(t *testing.T) {
			if err := db.DeleteAPIKey(ctx, id); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.APIKey(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("after delete: %v, want ErrNotFound", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if err := db.DeleteAPIKey(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	})
}

// readDBFiles returns the bytes of the database file and its -wal and -shm
// companions.
func readDBFiles(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(path+suffix)] = b
	}
	return out
}

// TestDB_NoPlaintextOnDisk reads the files as raw bytes, both while the
// database is open (data in the WAL) and after Close (checkpointed).
func TestDB_NoPlaintextOnDisk(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t, storetest.SQLite)
	keys := map[Identity]string{
		{"TTEAMMARKER", "UALICE"}: "PLAINTEXT-APIKEY-alice-0123456789",
		{"TTEAMMARKER", "UBOB"}:   "PLAINTEXT-APIKEY-bob-9876543210",
	}
	for id, k := range keys {
		if _, err := db.PutAPIKey(ctx, id, secret.Value(k)); err != nil {
			t.Fatal(err)
		}
	}
	check := func(stage string) {
		files := readDBFiles(t, db.path)
		var all []byte
		for name, b := range files {
			all = append(all, b...)
			for _, k := range keys {
				if bytes.Contains(b, []byte(k)) {
					t.Errorf("%s: %s contains the API key %q in plaintext", stage, name, k)
				}
			}
		}
		// The rows are really in these bytes: the identity is stored in clear.
		if !bytes.Contains(all, []byte("TTEAMMARKER")) {
			t.Fatalf("%s: the files do not hold the rows at all; the test proves nothing", stage)
		}
	}
	check("open")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}

// TestDB_DeleteAPIKey_Zeroed: after logout the ciphertext is gone from the
// file too (secure_delete), so a later leak of the secret cannot open it.
func TestDB_DeleteAPIKey_Zeroed(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t, storetest.SQLite)
	id := Identity{"T", "U"}
	db.PutAPIKey(ctx, id, "soon-deleted-key")
	db.PutAPIKey(ctx, Identity{"T", "other"}, "kept-key")
	var sealed []byte
	if err := db.queryRow(`SELECT sealed FROM api_keys WHERE user_id = 'U'`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteAPIKey(ctx, id); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for name, b := range readDBFiles(t, db.path) {
		if bytes.Contains(b, sealed) {
			t.Errorf("%s still holds the deleted ciphertext", name)
		}
	}
}

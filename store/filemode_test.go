package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpen_FileModes: under the usual umask 022 the database, its -wal and
// -shm and a backup are created readable by their owner only, and an
// existing database left 0644 by an older paasbot is made so.
func TestOpen_FileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	wantPrivate := func(t *testing.T, paths ...string) {
		t.Helper()
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(p), err)
				continue
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want -rw-------", filepath.Base(p), fi.Mode().Perm())
			}
		}
	}
	t.Run("new database and backup", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "paasbot.db")
		db, err := Open(ctx, path, mustSecret(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.PutAPIKey(ctx, Identity{"T", "U"}, "k"); err != nil {
			t.Fatal(err)
		}
		wantPrivate(t, path, path+"-wal", path+"-shm")
		backup := filepath.Join(dir, "copy.db")
		if err := db.Backup(ctx, backup); err != nil {
			t.Fatal(err)
		}
		wantPrivate(t, backup)
	})
	t.Run("existing database made private", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "paasbot.db")
		secret := mustSecret(t)
		db, err := Open(ctx, path, secret)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		db, err = Open(ctx, path, secret, WithLogger(discardLogger()))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.PutAPIKey(ctx, Identity{"T", "U"}, "k"); err != nil {
			t.Fatal(err)
		}
		wantPrivate(t, path, path+"-wal", path+"-shm")
	})
}

package store

import (
	"context"
	"encoding/base64"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock shared by a test and the DB under test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustSecret(t testing.TB) Secret {
	t.Helper()
	s, _, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testDB is an open database in a fresh temporary directory.
type testDB struct {
	*DB
	path   string
	secret Secret
	clock  *fakeClock
}

func openTestDB(t testing.TB) *testDB {
	t.Helper()
	clock := newFakeClock()
	secret := mustSecret(t)
	path := filepath.Join(t.TempDir(), "paasbot.db")
	db, err := Open(context.Background(), path, secret, WithClock(clock.Now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &testDB{DB: db, path: path, secret: secret, clock: clock}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func encodeSecret(s Secret) string { return base64.StdEncoding.EncodeToString(s.k[:]) }

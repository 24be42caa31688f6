package gandi

import (
	"context"
	"crypto/sha256"
	"sync"
)

// KeyLimiter bounds the requests in flight to Gandi per API key, across
// every Client built with it (WithKeyLimiter): one person's burst of
// commands, or a report scanning a large account, never has more than its
// share of calls open at Gandi at once, and the other keys' calls are not
// queued behind it. Each HTTP attempt holds a slot; a read's pause between
// attempts does not. A call waiting for a slot waits within its own
// deadline. The limiter keeps no key: it tells keys apart by their
// SHA-256, and forgets a key once none of its calls is running. Safe for
// concurrent use; one per process.
type KeyLimiter struct {
	perKey int

	mu   sync.Mutex
	keys map[[sha256.Size]byte]*keySlots
}

// keySlots are one key's slots and how many calls hold or wait for one.
type keySlots struct {
	sem   chan struct{}
	users int
}

// NewKeyLimiter allows perKey requests in flight per key (at least 1).
func NewKeyLimiter(perKey int) *KeyLimiter {
	return &KeyLimiter{perKey: max(perKey, 1), keys: map[[sha256.Size]byte]*keySlots{}}
}

// WithKeyLimiter makes the client's requests take a slot of l for its key.
func WithKeyLimiter(l *KeyLimiter) Option { return func(c *Client) { c.limiter = l } }

// acquire waits for a slot of key; release gives it back. The error is
// ctx's, when it ends first.
func (l *KeyLimiter) acquire(ctx context.Context, key string) (release func(), err error) {
	id := sha256.Sum256([]byte(key))
	l.mu.Lock()
	ks := l.keys[id]
	if ks == nil {
		ks = &keySlots{sem: make(chan struct{}, l.perKey)}
		l.keys[id] = ks
	}
	ks.users++
	l.mu.Unlock()
	select {
	case ks.sem <- struct{}{}:
		return func() {
			<-ks.sem
			l.leave(id, ks)
		}, nil
	case <-ctx.Done():
		l.leave(id, ks)
		return nil, ctx.Err()
	}
}

func (l *KeyLimiter) leave(id [sha256.Size]byte, ks *keySlots) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ks.users--
	if ks.users == 0 {
		delete(l.keys, id)
	}
}

// tracked is how many keys have calls running or waiting (tests).
func (l *KeyLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

package approvals

import (
	"context"
	"sync"
)

// runtime is the engine's background work: the goroutines that follow
// operations and the expiry sweep, all tracked so that Close cancels and
// drains them. The zero value is ready.
type runtime struct {
	mu        sync.Mutex
	base      context.Context
	stop      context.CancelFunc
	started   bool
	closed    bool
	wg        sync.WaitGroup
	following map[int64]bool
	idle      chan struct{} // closed when no follow-up runs; nil: none ever ran
}

// spawn runs fn in a tracked goroutine under the runtime's context. Before
// Start, that context is derived from ctx without its cancellation (the
// click that executed a request must not stop its follow-up). After Close
// it runs nothing and reports false.
func (rt *runtime) spawn(ctx context.Context, fn func(ctx context.Context)) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return false
	}
	if rt.base == nil {
		rt.base, rt.stop = context.WithCancel(context.WithoutCancel(ctx))
	}
	base := rt.base
	rt.wg.Go(func() { fn(base) })
	return true
}

// spawnFollow is spawn for the follow-up of approval id, at most one at a
// time per approval.
func (rt *runtime) spawnFollow(ctx context.Context, id int64, fn func(ctx context.Context)) {
	rt.mu.Lock()
	if rt.following == nil {
		rt.following = map[int64]bool{}
	}
	if rt.following[id] {
		rt.mu.Unlock()
		return
	}
	rt.following[id] = true
	if len(rt.following) == 1 {
		rt.idle = make(chan struct{})
	}
	rt.mu.Unlock()
	done := func() {
		rt.mu.Lock()
		delete(rt.following, id)
		if len(rt.following) == 0 {
			close(rt.idle)
		}
		rt.mu.Unlock()
	}
	if !rt.spawn(ctx, func(ctx context.Context) { defer done(); fn(ctx) }) {
		done()
	}
}

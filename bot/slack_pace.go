package bot

import (
	"context"
	"sync"
	"time"
)

// Slack's pace for chat.postMessage in one channel: "generally one message
// per second per channel, short bursts allowed" (FACTS.md). The burst is
// not published; 3 is what the fake Slack models too.
const (
	ChannelPostEvery = time.Second
	ChannelPostBurst = 3
)

// channelPacer spaces chat.postMessage calls per channel so that paasbot
// keeps to Slack's pace instead of learning it from 429s: a virtual
// schedule per channel (GCRA), where each post books the next slot, so
// that concurrent posters to one channel queue in booking order, and a
// 429's Retry-After moves the whole channel's schedule, not only the post
// that met it. Safe for concurrent use.
type channelPacer struct {
	every time.Duration
	tau   time.Duration // how far ahead of its slot a post may go: the burst

	mu   sync.Mutex
	next map[string]time.Time // the channel's next slot
}

func newChannelPacer(every time.Duration, burst int) *channelPacer {
	return &channelPacer{every: every, tau: time.Duration(max(burst-1, 0)) * every, next: map[string]time.Time{}}
}

// reserve books a post to channel at now and returns how long to wait
// before sending it (0: at once).
func (p *channelPacer) reserve(channel string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	slot := p.next[channel]
	if slot.Before(now) {
		slot = now
	}
	p.next[channel] = slot.Add(p.every)
	if len(p.next) > 1024 {
		p.pruneLocked(now)
	}
	return max(slot.Add(-p.tau).Sub(now), 0)
}

// hold keeps every post to channel until at least until (Slack's
// Retry-After), then one per interval again.
func (p *channelPacer) hold(channel string, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := until.Add(p.tau); s.After(p.next[channel]) {
		p.next[channel] = s
	}
}

// pruneLocked forgets channels whose schedule has caught up with now.
func (p *channelPacer) pruneLocked(now time.Time) {
	for ch, s := range p.next {
		if !s.After(now) {
			delete(p.next, ch)
		}
	}
}

// workerSlot is the worker a job runs on. A job that must wait for Slack
// (a Retry-After, the channel's pace) gives its slot back first, so that
// another command starts meanwhile: waiting on Slack never holds a
// worker. The job then finishes without one; the person's own limit of
// concurrent commands still counts it.
type workerSlot struct {
	once    sync.Once
	release func()
}

// free gives the slot back (once).
func (w *workerSlot) free() {
	if w != nil {
		w.once.Do(w.release)
	}
}

type workerSlotKey struct{}

func withWorkerSlot(ctx context.Context, w *workerSlot) context.Context {
	return context.WithValue(ctx, workerSlotKey{}, w)
}

// yieldWorker frees the worker slot of ctx, if it runs on one.
func yieldWorker(ctx context.Context) {
	if w, ok := ctx.Value(workerSlotKey{}).(*workerSlot); ok {
		w.free()
	}
}

// wait pauses d (or until ctx ends) for Slack, off any worker.
func (p *SlackPoster) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	yieldWorker(ctx)
	return p.cfg.Sleep(ctx, d)
}

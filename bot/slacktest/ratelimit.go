package slacktest

import (
	"net/http"
	"time"
)

type rateLimit struct {
	remaining  int
	retryAfter time.Duration
}

// RateLimitNext makes the next n calls of method answer HTTP 429 with a
// Retry-After header of retryAfter, rounded up to whole seconds as Slack
// sends it (0 is allowed and means "retry now").
func (s *Server) RateLimitNext(method string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits[method] = &rateLimit{remaining: n, retryAfter: retryAfter}
}

// Pace is Slack's per-channel limit on chat.postMessage: "generally one
// message per second per channel", short bursts allowed. It is a token
// bucket per channel: Burst posts at once, then one more every Every.
type Pace struct {
	Burst int
	Every time.Duration
}

// SlackPace is the pace Slack documents: one post a second per channel,
// with a short burst (Slack does not publish its size; 3 here).
func SlackPace() Pace { return Pace{Burst: 3, Every: time.Second} }

type bucket struct {
	tokens float64
	last   time.Time
}

// PaceChannels switches per-channel pacing of chat.postMessage on (Pace{}
// switches it off, the default). A post beyond the pace answers HTTP 429
// with Retry-After: the time until the channel's next token, rounded up to
// whole seconds, at least 1. Time is the fake's clock (WithClock), so a
// test may drive refills itself.
func (s *Server) PaceChannels(p Pace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pace = p
	s.buckets = map[string]*bucket{}
}

// paceAllowLocked takes a token of channel's bucket at now, or reports
// false and how long until one is free.
func (s *Server) paceAllowLocked(channel string, now time.Time, retryAfter *time.Duration) bool {
	p := s.pace
	if p.Burst <= 0 || p.Every <= 0 {
		return true
	}
	b, ok := s.buckets[channel]
	if !ok {
		b = &bucket{tokens: float64(p.Burst), last: now}
		s.buckets[channel] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(float64(p.Burst), b.tokens+float64(elapsed)/float64(p.Every))
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	*retryAfter = max(time.Duration((1-b.tokens)*float64(p.Every)), time.Second)
	return false
}

// AcceptedPosts returns the chat.postMessage calls to channel that Slack
// accepted (no 429, no error), in order, with their times.
func (s *Server) AcceptedPosts(channel string) []Call {
	var out []Call
	for _, c := range s.CallsTo("chat.postMessage") {
		if c.Status == http.StatusOK && c.Error == "" && c.Params.Get("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

// BusiestWindow is the largest number of accepted chat.postMessage calls
// to channel whose times (the fake's clock) fall within one window: a test
// asserts pacing by this count, not by wall-clock spacing.
func (s *Server) BusiestWindow(channel string, window time.Duration) int {
	posts := s.AcceptedPosts(channel)
	best, lo := 0, 0
	for hi := range posts {
		for posts[hi].At.Sub(posts[lo].At) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

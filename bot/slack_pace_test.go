package bot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/reply"
)

// TestChannelPacer: a burst of three posts goes at once, then one a
// second, per channel; a Retry-After holds the channel's next posts.
func TestChannelPacer(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	p := newChannelPacer(time.Second, 3)
	var waits []time.Duration
	for range 6 {
		waits = append(waits, p.reserve("C1", t0))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("post %d waits %v, want %v (all %v)", i, waits[i], want[i], waits)
		}
	}
	if w := p.reserve("C2", t0); w != 0 {
		t.Errorf("another channel waits %v, want 0", w)
	}
	// Ten seconds later the channel is rested: a burst again.
	if w := p.reserve("C1", t0.Add(10*time.Second)); w != 0 {
		t.Errorf("rested channel waits %v", w)
	}
	p.hold("C2", t0.Add(5*time.Second))
	if w := p.reserve("C2", t0.Add(time.Second)); w != 4*time.Second {
		t.Errorf("after a Retry-After until t+5s, a post at t+1s waits %v, want 4s", w)
	}
	if w := p.reserve("C2", t0.Add(time.Second)); w != 5*time.Second {
		t.Errorf("the next one waits %v, want 5s (one a second again)", w)
	}
}

// fakeClock is a clock that the poster's pauses move forward.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// TestSlackPoster_PacesOneChannel: a report of a message and ten thread
// replies reaches Slack at its pace (on the poster's clock: never more
// than the burst within a second, about one a second after it), in
// order, each reply in the first message's thread; a Retry-After Slack
// sends holds the channel for as long as it says.
func TestSlackPoster_PacesOneChannel(t *testing.T) {
	fake := slacktest.New(t)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	var mu sync.Mutex
	var at []time.Time
	rec := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && strings.HasSuffix(r.URL.Path, "/chat.postMessage") && resp.StatusCode == http.StatusOK {
			mu.Lock()
			at = append(at, clock.now())
			mu.Unlock()
		}
		return resp, err
	})}
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()), slack.OptionHTTPClient(rec))
	p := NewSlackPoster(api, SlackPosterConfig{Now: clock.now, Sleep: clock.sleep})
	ctx := t.Context()
	head, err := p.Post(ctx, "C1", reply.Message{Visibility: reply.Shared, Text: "report"})
	if err != nil {
		t.Fatal(err)
	}
	fake.RateLimitNext("chat.postMessage", 1, 4*time.Second)
	for i := range 10 {
		if _, err := p.PostThread(ctx, head, reply.Message{Visibility: reply.Shared, Text: fmt.Sprintf("reply %d", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	msgs := fake.Messages("C1")
	if len(msgs) != 11 || msgs[0].Text != "report" {
		t.Fatalf("%d messages", len(msgs))
	}
	for i, m := range msgs[1:] {
		if m.ThreadTS != head.ID || m.Text != fmt.Sprintf("reply %d", i+1) {
			t.Errorf("reply %d = %q in thread %q, want in %q", i+1, m.Text, m.ThreadTS, head.ID)
		}
	}
	if len(at) != 11 {
		t.Fatalf("%d accepted posts recorded", len(at))
	}
	for i := range at {
		inSecond := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < time.Second; j++ {
			inSecond++
		}
		if inSecond > ChannelPostBurst {
			t.Errorf("%d posts within a second from post %d", inSecond, i)
		}
	}
	// Post 2 (the first reply) met the 429: it and those after it waited.
	if gap := at[1].Sub(at[0]); gap < 4*time.Second {
		t.Errorf("first reply went %v after the 429, want at least Retry-After 4s", gap)
	}
	if total := at[10].Sub(at[0]); total < 10*time.Second {
		t.Errorf("11 posts took %v on the poster's clock, want at least 10s", total)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

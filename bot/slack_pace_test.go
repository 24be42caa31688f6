package bot

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/internal/testutil"
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

// TestSlackPoster_PacesOneChannel: a report of a message and ten thread
// replies reaches a Slack that paces the channel as Slack does without
// one 429 from the pace (the poster keeps to it on its own clock), in
// order, each reply in the first message's thread; a Retry-After Slack
// sends anyway holds the channel for as long as it says.
func TestSlackPoster_PacesOneChannel(t *testing.T) {
	clock := testutil.NewClock(time.Unix(1_800_000_000, 0))
	fake := slacktest.New(t, slacktest.WithClock(clock.Now))
	fake.PaceChannels(slacktest.SlackPace())
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()))
	p := NewSlackPoster(api, SlackPosterConfig{Now: clock.Now, Sleep: clock.Sleep})
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
	calls := fake.CallsTo("chat.postMessage")
	if len(calls) != 12 || calls[1].Status != http.StatusTooManyRequests {
		t.Fatalf("%d calls (want 11 posts and the one 429 injected): %+v", len(calls), calls)
	}
	for i, c := range calls {
		if i != 1 && c.Status != http.StatusOK {
			t.Errorf("call %d answered %d: the pace was not kept", i, c.Status)
		}
	}
	if n := fake.BusiestWindow("C1", time.Second); n > ChannelPostBurst {
		t.Errorf("%d posts within one second", n)
	}
	posts := fake.AcceptedPosts("C1")
	if gap := posts[1].At.Sub(calls[1].At); gap < 4*time.Second {
		t.Errorf("the first reply went %v after the 429, want at least its Retry-After of 4s", gap)
	}
	if total := posts[10].At.Sub(posts[0].At); total < 10*time.Second {
		t.Errorf("11 posts took %v on the clock, want at least 10s", total)
	}
}

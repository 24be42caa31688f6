package slacktest

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestPaceChannels_PerChannelBucket(t *testing.T) {
	clock := newFakeClock()
	fake := New(t, WithClock(clock.Now))
	api := newAPI(fake, fake.BotToken())
	post := func(channel string) error {
		_, _, err := api.PostMessageContext(t.Context(), channel, slack.MsgOptionText("x", false))
		return err
	}
	fake.PaceChannels(SlackPace())

	for i := range 3 {
		if err := post("C1"); err != nil {
			t.Fatalf("burst post %d: %v", i, err)
		}
	}
	var rl *slack.RateLimitedError
	if err := post("C1"); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("4th post at once: %v, want 429 with Retry-After 1s", err)
	}
	if err := post("C2"); err != nil {
		t.Errorf("another channel is paced on its own: %v", err)
	}
	clock.Advance(500 * time.Millisecond)
	if err := post("C1"); !errors.As(err, &rl) {
		t.Errorf("half a token later: %v, want 429", err)
	}
	clock.Advance(500 * time.Millisecond)
	if err := post("C1"); err != nil {
		t.Errorf("one second later: %v", err)
	}
	for range 5 {
		clock.Advance(time.Second)
		if err := post("C1"); err != nil {
			t.Errorf("one a second: %v", err)
		}
	}

	if n := len(fake.AcceptedPosts("C1")); n != 9 {
		t.Errorf("%d accepted posts in C1, want 9", n)
	}
	if n := fake.BusiestWindow("C1", time.Second); n != 3 {
		t.Errorf("busiest second of C1 has %d posts, want the burst of 3", n)
	}
	throttled := 0
	for _, c := range fake.CallsTo("chat.postMessage") {
		if c.Status == http.StatusTooManyRequests {
			throttled++
			if c.RetryAfter <= 0 || c.Error != "ratelimited" {
				t.Errorf("429 call = %+v", c)
			}
		}
	}
	if throttled != 2 || len(fake.Messages("C1")) != 9 {
		t.Errorf("%d throttled, %d messages; want 2 and 9", throttled, len(fake.Messages("C1")))
	}

	fake.PaceChannels(Pace{})
	for range 10 {
		if err := post("C1"); err != nil {
			t.Fatalf("pacing off: %v", err)
		}
	}
}

func TestCalls_CarryTimeAndOrder(t *testing.T) {
	clock := newFakeClock()
	fake := New(t, WithClock(clock.Now))
	api := newAPI(fake, fake.BotToken())
	for range 3 {
		_, _, _ = api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false))
		clock.Advance(250 * time.Millisecond)
	}
	calls := fake.Calls()
	for i := 1; i < len(calls); i++ {
		if calls[i].Seq <= calls[i-1].Seq || calls[i].At.Sub(calls[i-1].At) != 250*time.Millisecond {
			t.Errorf("call %d: seq %d after %d, %v after the previous", i, calls[i].Seq, calls[i-1].Seq, calls[i].At.Sub(calls[i-1].At))
		}
	}
	if n := fake.BusiestWindow("C1", 500*time.Millisecond); n != 2 {
		t.Errorf("busiest half second = %d, want 2", n)
	}
}

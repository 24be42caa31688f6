package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
)

// slowCore answers with answer once the command's placeholder has been
// posted (a command slower than PlaceholderAfter, whatever the machine's
// speed), or at once for "fast".
func slowCore(h **harness, answer reply.Message) *fakeCore {
	return &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		if r.Text != "fast" {
			(*h).fake.WaitForResponseURLPost((*h).t, func(p slacktest.ResponseURLPost) bool {
				return strings.Contains(p.Text, "Asking Gandi")
			}, wait)
		}
		return answer
	}}
}

// TestSlack_PlaceholderReplacedByTheAnswer: a command still running after
// PlaceholderAfter shows "Asking Gandi…", and its answer replaces it:
// two posts to its response_url, in that order, nothing left behind.
func TestSlack_PlaceholderReplacedByTheAnswer(t *testing.T) {
	var h *harness
	core := slowCore(&h, reply.Message{Title: "Instances", Text: "shop-prod"})
	h = newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.PlaceholderAfter = time.Millisecond })
	id := h.slash("U1", "C1", "list")
	h.fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool { return p.EnvelopeID == id && p.Use == 2 }, wait)
	h.stop()
	posts := h.answers(id)
	if len(posts) != 2 {
		t.Fatalf("%d posts, want the placeholder and the answer", len(posts))
	}
	if !strings.Contains(posts[0].Text, "Asking Gandi") || posts[0].ResponseType != "ephemeral" {
		t.Errorf("first post %q (%s), want the private placeholder", posts[0].Text, posts[0].ResponseType)
	}
	if !posts[1].ReplaceOriginal || !strings.Contains(posts[1].AllText(), "shop-prod") {
		t.Errorf("second post replace_original=%v %q, want the answer replacing the placeholder", posts[1].ReplaceOriginal, posts[1].AllText())
	}
}

// TestSlack_PlaceholderDeletedForAChannelAnswer: a private placeholder
// cannot turn into a channel message, so a shared answer deletes it and
// is posted in the channel.
func TestSlack_PlaceholderDeletedForAChannelAnswer(t *testing.T) {
	var h *harness
	core := slowCore(&h, reply.Message{Visibility: reply.Shared, Text: "shared list"})
	h = newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.PlaceholderAfter = time.Millisecond })
	id := h.slash("U1", "C1", "list --share")
	h.fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool { return p.EnvelopeID == id && p.Use == 3 }, wait)
	h.stop()
	posts := h.answers(id)
	if len(posts) != 3 || !strings.Contains(posts[0].Text, "Asking Gandi") || !posts[1].DeleteOriginal ||
		posts[2].ResponseType != "in_channel" || posts[2].Text != "shared list" {
		t.Fatalf("posts = %+v, want placeholder, its deletion, the shared answer", posts)
	}
}

// TestSlack_NoPlaceholderForAFastCommand: a command answered before
// PlaceholderAfter posts its answer only.
func TestSlack_NoPlaceholderForAFastCommand(t *testing.T) {
	var h *harness
	core := slowCore(&h, reply.Message{Text: "quick"})
	h = newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.PlaceholderAfter = DefaultPlaceholderAfter })
	id := h.slash("U1", "C1", "fast")
	h.postFor(id)
	h.stop()
	if posts := h.answers(id); len(posts) != 1 || posts[0].Text != "quick" || posts[0].ReplaceOriginal {
		t.Errorf("posts = %+v, want the answer alone", posts)
	}
}

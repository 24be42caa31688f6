package bot

import (
	"strings"
	"testing"

	"github.com/paasbot/paasbot/bot/slacktest"
)

// TestSlack_ClickWithoutTeamRefused: a button click whose payload names no
// workspace (no team id, no user team id) never reaches the core, since
// keys, approvals and subscriptions are scoped by team; the clicker is
// told it could not be read and the adapter logs why.
func TestSlack_ClickWithoutTeamRefused(t *testing.T) {
	core := &fakeCore{}
	h := newHarness(t, withCore(core), []slacktest.Option{slacktest.WithTeamID("")}, nil)
	id := h.fake.ClickButton(t.Context(), slacktest.Click{UserID: "U2", ChannelID: "C1", ActionID: "approval.approve", Value: "7", Text: "Approve"})
	if post := h.postFor(id); !strings.Contains(post.AllText(), "could not read") {
		t.Errorf("answer to a click without team = %q", post.AllText())
	}
	if clicks := core.clicked(); len(clicks) != 0 {
		t.Errorf("the core got clicks without a team: %+v", clicks)
	}
	if !strings.Contains(h.logs.String(), "button click without a team id skipped") {
		t.Errorf("the refusal is not logged:\n%s", h.logs.String())
	}
}

package slacktest

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// contextMessageBlocks is a message as paasbot posts an approval: a
// context block whose elements carry "text" as a string sits before the
// buttons, and a section has a button accessory.
const contextMessageBlocks = `[
 {"type":"section","block_id":"summary","text":{"type":"mrkdwn","text":"*renew* shop-prod"},
  "accessory":{"type":"button","action_id":"details","value":"d1","text":{"type":"plain_text","text":"Details"}}},
 {"type":"context","block_id":"who","elements":[
  {"type":"mrkdwn","text":"requested by <@U1>"},
  {"type":"plain_text","text":"expires in 24 h","emoji":true},
  {"type":"image","image_url":"https://example.com/a.png","alt_text":"a"}]},
 {"type":"actions","block_id":"approval","elements":[
  {"type":"button","action_id":"approval.approve","value":"7","style":"primary","text":{"type":"plain_text","text":"Approve"},
   "confirm":{"title":{"type":"plain_text","text":"Sure?"},"text":{"type":"plain_text","text":"It costs."},
    "confirm":{"type":"plain_text","text":"Yes"},"deny":{"type":"plain_text","text":"No"}}},
  {"type":"button","action_id":"approval.reject","value":"7","style":"danger","text":{"type":"plain_text","text":"Reject"}}]}
]`

func TestButtons_MessageWithContextBlock(t *testing.T) {
	want := []Button{
		{BlockID: "summary", ActionID: "details", Text: "Details", Value: "d1"},
		{BlockID: "approval", ActionID: "approval.approve", Text: "Approve", Value: "7", Style: "primary", Confirm: true},
		{BlockID: "approval", ActionID: "approval.reject", Text: "Reject", Value: "7", Style: "danger"},
	}
	got := Buttons(json.RawMessage(contextMessageBlocks))
	if len(got) != len(want) {
		t.Fatalf("Buttons = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("button %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, tc := range []struct {
		name   string
		blocks string
		want   int
	}{
		{"not JSON", `[{`, 0},
		{"no buttons, only context", `[{"type":"context","elements":[{"type":"mrkdwn","text":"hi"}]}]`, 0},
		{"odd block beside an actions block", `[{"type":"rich_text","elements":"odd"},
			{"type":"actions","block_id":"b","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"A"}}]}]`, 1},
	} {
		if n := len(Buttons(json.RawMessage(tc.blocks))); n != tc.want {
			t.Errorf("%s: %d buttons, want %d", tc.name, n, tc.want)
		}
	}
}

// TestClickButton_MessageWithContextBlock posts the message through the Web
// API, finds its button with Message.Button and clicks it by MessageTS: the
// app receives the button's block, value and text and the message itself.
func TestClickButton_MessageWithContextBlock(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)

	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(contextMessageBlocks), &blocks); err != nil {
		t.Fatal(err)
	}
	_, ts, err := c.api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("renew shop-prod?", false), slack.MsgOptionBlocks(blocks.BlockSet...))
	if err != nil {
		t.Fatal(err)
	}
	m := fake.WaitForMessage(t, func(m Message) bool { return m.TS == ts }, wait)
	if b, ok := m.Button("approval.reject"); !ok || b.BlockID != "approval" || b.Value != "7" || b.Text != "Reject" {
		t.Fatalf("Message.Button(approval.reject) = %+v, %v", b, ok)
	}

	id := fake.ClickButton(t.Context(), Click{UserID: "U2", ChannelID: "C1", MessageTS: ts, ActionID: "approval.approve"})
	if id == "" {
		t.Fatal("ClickButton by MessageTS sent nothing")
	}
	ev := c.next(t, socketmode.EventTypeInteractive)
	cb := ev.Data.(slack.InteractionCallback)
	if len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("block actions = %+v", cb.ActionCallback.BlockActions)
	}
	a := cb.ActionCallback.BlockActions[0]
	if a.ActionID != "approval.approve" || a.BlockID != "approval" || a.Value != "7" || a.Text.Text != "Approve" {
		t.Errorf("action = %+v", a)
	}
	if cb.User.ID != "U2" || cb.Container.MessageTs != ts || cb.Message.Timestamp != ts || cb.Message.Text != "renew shop-prod?" {
		t.Errorf("callback user %s container ts %q message ts %q text %q", cb.User.ID, cb.Container.MessageTs, cb.Message.Timestamp, cb.Message.Text)
	}
	if err := c.sm.Ack(*ev.Request); err != nil {
		t.Fatal(err)
	}
	fake.WaitForAck(t, id, wait)
}

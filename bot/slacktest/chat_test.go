package slacktest

import (
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestPostMessage_MembershipRules(t *testing.T) {
	fake := New(t)
	dev := fake.AddConversation(Conversation{Name: "dev", Members: []string{"U1", "U2"}})
	ops := fake.AddConversation(Conversation{Name: "ops", BotAbsent: true})
	secret := fake.AddConversation(Conversation{Name: "secret", Kind: PrivateChannel, BotAbsent: true})
	humans := fake.AddConversation(Conversation{Kind: IM, Members: []string{"U1", "U2"}})
	groupOut := fake.AddConversation(Conversation{Kind: GroupDM, Members: []string{"U1", "U2"}, BotAbsent: true})
	groupIn := fake.AddConversation(Conversation{Kind: GroupDM, Members: []string{"U1", "U3"}})
	api := newAPI(fake, fake.BotToken())
	im, _, _, err := api.OpenConversationContext(t.Context(), &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, channel, wantErr string
		vis                    Visibility
		seenBy                 []string
		everyone               bool
	}{
		{"public channel, bot in", dev, "", VisibleToChannel, []string{"U1", "U2"}, false},
		{"public channel, bot out", ops, ErrNotInChannel, "", nil, false},
		{"private channel, bot out", secret, ErrChannelNotFound, "", nil, false},
		{"IM opened by conversations.open", im.ID, "", VisibleInDM, []string{"U1"}, false},
		{"two people's DM", humans, ErrChannelNotFound, "", nil, false},
		{"group DM, bot out", groupOut, ErrChannelNotFound, "", nil, false},
		{"group DM, bot in", groupIn, "", VisibleInGroupDM, []string{"U1", "U3"}, false},
		{"undeclared channel", "C9", "", VisibleToChannel, nil, true},
		{"unopened IM id", "D0NOPE", ErrChannelNotFound, "", nil, false},
		{"a user id: the app's Messages tab", "U2", "", VisibleInDM, []string{"U2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts, err := api.PostMessageContext(t.Context(), tt.channel, slack.MsgOptionText("hello", false))
			if slackErr(err) != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantErr != "" {
				if n := len(fake.Messages(tt.channel)); n != 0 {
					t.Errorf("%d messages recorded after a refusal", n)
				}
				return
			}
			m, _ := fake.Message(tt.channel, ts)
			if m.Visibility != tt.vis || !slices.Equal(m.SeenBy, tt.seenBy) || m.Everyone != tt.everyone {
				t.Errorf("visibility %s seen by %v everyone %v, want %s %v %v", m.Visibility, m.SeenBy, m.Everyone, tt.vis, tt.seenBy, tt.everyone)
			}
		})
	}
	if dms := fake.DMs("U1"); len(dms) != 1 || dms[0].Channel != im.ID {
		t.Errorf("DMs(U1) = %+v, want the one post to its IM", dms)
	}
}

func TestPostEphemeral_OnlyToAMember(t *testing.T) {
	fake := New(t)
	dev := fake.AddConversation(Conversation{Name: "dev", Members: []string{"U1"}})
	api := newAPI(fake, fake.BotToken())
	if _, err := api.PostEphemeralContext(t.Context(), dev, "U2", slack.MsgOptionText("x", false)); slackErr(err) != ErrUserNotInChannel {
		t.Errorf("ephemeral to a non-member: %v, want %s", err, ErrUserNotInChannel)
	}
	if _, err := api.PostEphemeralContext(t.Context(), dev, "U1", slack.MsgOptionText("only you", false)); err != nil {
		t.Fatal(err)
	}
	ms := fake.Find(MessageFilter{Visibility: VisibleToOne})
	if len(ms) != 1 || !slices.Equal(ms[0].SeenBy, []string{"U1"}) || ms[0].VisibleTo("U2") {
		t.Errorf("ephemerals = %+v, want one seen by U1 alone", ms)
	}
}

func TestPostMessage_Threads(t *testing.T) {
	fake := New(t)
	dev := fake.AddConversation(Conversation{Name: "dev", Members: []string{"U1", "U2"}})
	api := newAPI(fake, fake.BotToken())
	ctx := t.Context()
	post := func(opts ...slack.MsgOption) (string, error) {
		_, ts, err := api.PostMessageContext(ctx, dev, append([]slack.MsgOption{slack.MsgOptionText("x", false)}, opts...)...)
		return ts, err
	}
	parent, err := post()
	if err != nil {
		t.Fatal(err)
	}
	step, err := post(slack.MsgOptionTS(parent))
	if err != nil {
		t.Fatal(err)
	}
	nested, err := post(slack.MsgOptionTS(step)) // a reply's ts: Slack files it under the parent
	if err != nil {
		t.Fatal(err)
	}
	done, err := post(slack.MsgOptionTS(parent), slack.MsgOptionBroadcast())
	if err != nil {
		t.Fatal(err)
	}
	eph, err := api.PostEphemeralContext(ctx, dev, "U1", slack.MsgOptionText("private", false))
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct{ name, threadTS string }{
		{"unknown parent", "1700000000.999999"}, {"not a ts", "parent"}, {"an ephemeral", eph},
	} {
		if _, err := post(slack.MsgOptionTS(tt.threadTS)); slackErr(err) != ErrInvalidThreadTS {
			t.Errorf("%s: %v, want %s", tt.name, err, ErrInvalidThreadTS)
		}
	}

	thread := fake.Thread(dev, parent)
	var tss []string
	for _, m := range thread {
		tss = append(tss, m.TS)
	}
	if !slices.Equal(tss, []string{parent, step, nested, done}) {
		t.Errorf("Thread = %v, want parent then the three replies", tss)
	}
	if m, _ := fake.Message(dev, nested); m.ThreadTS != parent {
		t.Errorf("reply to a reply is in thread %q, want %q", m.ThreadTS, parent)
	}
	var top []string
	for _, m := range fake.Find(MessageFilter{Channel: dev, TopLevel: true}) {
		top = append(top, m.TS)
	}
	if !slices.Equal(top, []string{parent, done}) {
		t.Errorf("channel view = %v, want the parent and the broadcast reply", top)
	}
	if m, _ := fake.Message(dev, done); !m.Broadcast || !m.VisibleTo("U2") {
		t.Errorf("broadcast reply = %+v", m)
	}
	if fake.Thread(dev, "1.2") != nil {
		t.Error("Thread of an unknown ts is not nil")
	}
}

func TestGetPermalink(t *testing.T) {
	fake := New(t)
	dev := fake.AddConversation(Conversation{Name: "dev", Members: []string{"U1"}})
	api := newAPI(fake, fake.BotToken())
	ctx := t.Context()
	_, parent, _ := api.PostMessageContext(ctx, dev, slack.MsgOptionText("request", false))
	_, reply, _ := api.PostMessageContext(ctx, dev, slack.MsgOptionText("step", false), slack.MsgOptionTS(parent))
	_, _, _ = api.PostMessageContext(ctx, "U1", slack.MsgOptionText("to a user id", false))
	eph, _ := api.PostEphemeralContext(ctx, dev, "U1", slack.MsgOptionText("private", false))

	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: dev, Ts: parent})
	if err != nil || link != "https://paasbot-test.slack.test/archives/"+dev+"/p"+strings.ReplaceAll(parent, ".", "") || link != fake.Permalink(dev, parent) {
		t.Errorf("permalink = %q, %v (helper %q)", link, err, fake.Permalink(dev, parent))
	}
	link, err = api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: dev, Ts: reply})
	if err != nil || !strings.Contains(link, "thread_ts="+parent) || !strings.Contains(link, "cid="+dev) {
		t.Errorf("reply permalink = %q, %v; want thread_ts and cid", link, err)
	}
	for _, tt := range []struct{ name, channel, ts, want string }{
		{"unknown ts", dev, "1.000001", ErrMessageNotFound},
		{"an ephemeral", dev, eph, ErrMessageNotFound},
		{"a user id is no conversation", "U1", parent, ErrChannelNotFound},
		{"unknown IM", "D0NOPE", parent, ErrChannelNotFound},
	} {
		if _, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: tt.channel, Ts: tt.ts}); slackErr(err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
	calls := fake.CallsTo("chat.getPermalink")
	if len(calls) == 0 || calls[0].Auth != "bearer" || calls[0].Params.Get("message_ts") != parent {
		t.Errorf("getPermalink calls = %+v, want a GET with the bearer token and message_ts", calls)
	}
}

// TestVisibility_WhoSawWhat follows one request through every way paasbot
// tells people: a channel post, a thread reply, an ephemeral, a DM and a
// response_url reply, and asks who saw what without matching wording.
func TestVisibility_WhoSawWhat(t *testing.T) {
	fake := New(t)
	dev := fake.AddConversation(Conversation{Name: "dev", Members: []string{"U0DANA", "U0SAM"}})
	api := newAPI(fake, fake.BotToken())
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	ctx := t.Context()

	_, req, _ := api.PostMessageContext(ctx, dev, slack.MsgOptionText("renew requested", false))
	_, _, _ = api.PostMessageContext(ctx, dev, slack.MsgOptionText("BILL", false), slack.MsgOptionTS(req))
	_, _ = api.PostEphemeralContext(ctx, dev, "U0DANA", slack.MsgOptionText("your request is posted", false))
	im, _, _, _ := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U0DANA"}})
	_, _, _ = api.PostMessageContext(ctx, im.ID, slack.MsgOptionText("password", false))
	id := fake.SendSlashCommand(ctx, SlashCommand{UserID: "U0SAM", ChannelID: dev, Text: "approvals"})
	c.next(t, socketmode.EventTypeSlashCommand)
	env, _ := fake.Envelope(id)
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(env.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("1 waiting", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(env.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("shared list", false)); err != nil {
		t.Fatal(err)
	}

	texts := func(ms []Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Text)
		}
		return out
	}
	if got := texts(fake.VisibleTo("U0DANA")); !slices.Equal(got, []string{"renew requested", "BILL", "your request is posted", "password", "shared list"}) {
		t.Errorf("Dana saw %q", got)
	}
	if got := texts(fake.VisibleTo("U0SAM")); !slices.Equal(got, []string{"renew requested", "BILL", "1 waiting", "shared list"}) {
		t.Errorf("Sam saw %q", got)
	}
	if got := texts(fake.VisibleTo("U0ALEX")); len(got) != 0 {
		t.Errorf("someone outside the channel saw %q", got)
	}
	private := fake.Find(MessageFilter{Visibility: VisibleToOne, Source: "response_url"})
	if len(private) != 1 || private[0].User != "U0SAM" || private[0].Channel != dev || private[0].TS != "" {
		t.Errorf("private response_url replies = %+v, want Sam's one", private)
	}
	if ms := fake.Messages(dev); len(ms) != 4 {
		t.Errorf("Messages(dev) has %d, want the 4 posts and no response_url ephemeral", len(ms))
	}
}

// TestPostMessage_DuplicateActionIDRefused: Slack refuses a block whose
// elements share an action_id; two blocks may reuse one.
func TestPostMessage_DuplicateActionIDRefused(t *testing.T) {
	fake := New(t)
	dev := fake.AddConversation(Conversation{Name: "dev", Members: []string{"U1"}})
	api := newAPI(fake, fake.BotToken())
	btn := func(id string) slack.BlockElement {
		return slack.NewButtonBlockElement(id, "v", slack.NewTextBlockObject("plain_text", "x", false, false))
	}
	_, _, err := api.PostMessageContext(t.Context(), dev, slack.MsgOptionBlocks(slack.NewActionBlock("", btn("cmd"), btn("cmd"))))
	if slackErr(err) != "invalid_blocks" {
		t.Errorf("one block, one action_id twice: %v, want invalid_blocks", err)
	}
	_, _, err = api.PostMessageContext(t.Context(), dev, slack.MsgOptionBlocks(slack.NewActionBlock("", btn("cmd"), btn("cmd~2")), slack.NewActionBlock("", btn("cmd"))))
	if err != nil {
		t.Errorf("unique action_ids refused: %v", err)
	}
}

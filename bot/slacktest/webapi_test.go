package slacktest

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func newAPI(fake *Server, token string) *slack.Client {
	return slack.New(token, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken()))
}

func TestWebAPI_AuthTest(t *testing.T) {
	fake := New(t, WithTeamID("T42"))
	tests := []struct {
		name    string
		token   string
		wantErr string
	}{
		{"bot token", fake.BotToken(), ""},
		{"app token is not a bot token", fake.AppToken(), ErrInvalidAuth},
		{"wrong token", "xoxb-wrong", ErrInvalidAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := newAPI(fake, tt.token).AuthTestContext(t.Context())
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.UserID != fake.BotUserID() || resp.UserID == "" || resp.TeamID != "T42" || resp.BotID == "" {
				t.Errorf("auth.test = %+v", resp)
			}
		})
	}
}

// TestWebAPI_TokenPlacement checks both ways Slack accepts a token, and that
// no token ever lands in the recorded calls.
func TestWebAPI_TokenPlacement(t *testing.T) {
	fake := New(t)
	post := func(form url.Values, bearer string) map[string]any {
		return postAPI(t, fake, "chat.postMessage", form, bearer)
	}
	tests := []struct {
		name    string
		form    url.Values
		bearer  string
		wantOK  bool
		wantVia string
	}{
		{"form field", url.Values{"token": {"xoxb-test"}, "channel": {"C1"}, "text": {"a"}}, "", true, "form"},
		{"bearer header", url.Values{"channel": {"C1"}, "text": {"b"}}, "xoxb-test", true, "bearer"},
		{"wrong bearer", url.Values{"channel": {"C1"}, "text": {"c"}}, "xoxb-nope", false, "bearer"},
		{"no token", url.Values{"channel": {"C1"}, "text": {"d"}}, "", false, "none"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := post(tt.form, tt.bearer)
			if out["ok"] != tt.wantOK || (!tt.wantOK && out["error"] != ErrInvalidAuth) {
				t.Errorf("answer = %v, want ok=%v", out, tt.wantOK)
			}
			c := fake.Calls()[i]
			if c.Auth != tt.wantVia || c.Params.Has("token") {
				t.Errorf("recorded call = %+v, want auth %s and no token", c, tt.wantVia)
			}
		})
	}
	if n := len(fake.Messages("C1")); n != 2 {
		t.Errorf("%d messages recorded, want the 2 authorised ones", n)
	}
}

func TestWebAPI_PostUpdateDelete(t *testing.T) {
	fake := New(t)
	api := newAPI(fake, fake.BotToken())
	ctx := t.Context()
	blocks := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*renew* pending", false, false), nil,
		nil), slack.NewActionBlock("approval", slack.NewButtonBlockElement("approve", "7", slack.NewTextBlockObject("plain_text", "Approve", false, false))))
	ch, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("renew pending", false), blocks)
	if err != nil || ch != "C1" || ts == "" {
		t.Fatalf("postMessage = %q %q %v", ch, ts, err)
	}
	m := fake.WaitForMessage(t, func(m Message) bool { return m.TS == ts }, wait)
	if b, ok := m.Button("approve"); !ok || b.Value != "7" || b.BlockID != "approval" || b.Text != "Approve" {
		t.Errorf("button = %+v, %v", b, ok)
	}
	if !strings.Contains(m.AllText(), "*renew* pending") || m.Source != "chat.postMessage" {
		t.Errorf("message = %+v", m)
	}

	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("renew approved by <@U2>", false)); err != nil {
		t.Fatal(err)
	}
	got, _ := fake.Message("C1", ts)
	if got.Text != "renew approved by <@U2>" || len(got.Versions) != 2 || got.Versions[1].Method != "chat.update" ||
		got.Versions[0].Text != "renew pending" {
		t.Errorf("after update = %+v", got)
	}

	ets, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("only you", false))
	if err != nil || ets == "" {
		t.Fatalf("postEphemeral = %q %v", ets, err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ets, slack.MsgOptionText("edit", false)); err == nil || err.Error() != ErrMessageNotFound {
		t.Errorf("updating an ephemeral message: err = %v, want %s", err, ErrMessageNotFound)
	}
	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err != nil {
		t.Fatal(err)
	}
	if got, _ := fake.Message("C1", ts); !got.Deleted {
		t.Error("message not marked deleted")
	}
	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err == nil || err.Error() != ErrMessageNotFound {
		t.Errorf("second delete: err = %v", err)
	}
	ms := fake.Messages("C1")
	if len(ms) != 2 || !ms[1].Ephemeral || ms[1].User != "U1" {
		t.Errorf("messages = %+v", ms)
	}
}

func TestWebAPI_InjectedErrors(t *testing.T) {
	fake := New(t)
	api := newAPI(fake, fake.BotToken())
	ctx := t.Context()

	fake.FailNext("chat.postMessage", ErrChannelNotFound)
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err == nil || err.Error() != ErrChannelNotFound {
		t.Errorf("first post: %v, want %s", err, ErrChannelNotFound)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("FailNext lasted beyond one call: %v", err)
	}

	fake.FailChannel("C9", ErrNotInChannel)
	for i := 0; i < 2; i++ {
		if _, _, err := api.PostMessageContext(ctx, "C9", slack.MsgOptionText("x", false)); err == nil || err.Error() != ErrNotInChannel {
			t.Errorf("post %d to C9: %v, want %s", i, err, ErrNotInChannel)
		}
	}
	if _, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C9"}); err == nil || err.Error() != ErrNotInChannel {
		t.Errorf("conversations.info C9: %v", err)
	}
	fake.FailChannel("C9", "")
	if _, _, err := api.PostMessageContext(ctx, "C9", slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("after clearing: %v", err)
	}
	if n := len(fake.Messages("C9")); n != 1 {
		t.Errorf("%d messages in C9, want only the one after clearing", n)
	}
	calls := fake.CallsTo("chat.postMessage")
	if len(calls) != 5 || calls[0].Error != ErrChannelNotFound || calls[4].Error != "" {
		t.Errorf("calls = %+v", calls)
	}
	u, err := api.GetUserInfoContext(ctx, "U5")
	if err != nil || u.ID != "U5" {
		t.Errorf("users.info = %+v, %v", u, err)
	}
}

func TestWebAPI_RateLimit(t *testing.T) {
	fake := New(t)
	api := newAPI(fake, fake.BotToken())
	fake.RateLimitNext("chat.postMessage", 2, 1500*time.Millisecond)
	for i := 0; i < 2; i++ {
		_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false))
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
			t.Fatalf("call %d: err = %v, want RateLimitedError with Retry-After rounded up to 2s", i, err)
		}
	}
	if _, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false)); err != nil {
		t.Fatalf("third call: %v", err)
	}
	calls := fake.CallsTo("chat.postMessage")
	if len(calls) != 3 || calls[0].Status != http.StatusTooManyRequests || calls[2].Status != http.StatusOK {
		t.Errorf("calls = %+v", calls)
	}
	if n := len(fake.Messages("C1")); n != 1 {
		t.Errorf("%d messages, want only the accepted one", n)
	}
}

func TestWebAPI_TriggerIDRules(t *testing.T) {
	clock := newFakeClock()
	fake := New(t, WithClock(clock.Now))
	api := newAPI(fake, fake.BotToken())
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "Login", false, false)}

	trigger := func() string {
		fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "login"})
		return c.next(t, "slash_commands").Data.(slack.SlashCommand).TriggerID
	}
	tests := []struct {
		name    string
		use     func(trig string) string
		wantErr string
	}{
		{"fresh", func(tr string) string { return tr }, ""},
		{"used twice", func(tr string) string {
			if _, err := api.OpenViewContext(t.Context(), tr, modal); err != nil {
				t.Fatal(err)
			}
			return tr
		}, ErrExpiredTriggerID},
		{"older than 3 s", func(tr string) string { clock.Advance(3*time.Second + time.Millisecond); return tr }, ErrExpiredTriggerID},
		{"exactly 3 s", func(tr string) string { clock.Advance(3 * time.Second); return tr }, ""},
		{"unknown", func(string) string { return "1.2.3" }, "invalid_trigger_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := api.OpenViewContext(t.Context(), tt.use(trigger()), modal)
			if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr)) {
				t.Errorf("views.open: err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestWebAPI_ViewLimitsAndUpdate(t *testing.T) {
	fake := New(t)
	api := newAPI(fake, fake.BotToken())
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "login"})
	trig := c.next(t, "slash_commands").Data.(slack.SlashCommand).TriggerID

	long := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", strings.Repeat("x", 25), false, false)}
	if _, err := api.OpenViewContext(t.Context(), trig, long); err == nil || err.Error() != "invalid_arguments" {
		t.Fatalf("25-char title: err = %v, want invalid_arguments", err)
	}
	ok := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", strings.Repeat("x", 24), false, false)}
	v, err := api.OpenViewContext(t.Context(), trig, ok) // a refused view leaves the trigger unused
	if err != nil {
		t.Fatal(err)
	}
	ok.Title.Text = "Saved"
	if _, err := api.UpdateViewContext(t.Context(), ok, "", "stale-hash", v.ID); err == nil || err.Error() != "hash_conflict" {
		t.Errorf("stale hash: %v", err)
	}
	if _, err := api.UpdateViewContext(t.Context(), ok, "", v.Hash, v.ID); err != nil {
		t.Fatal(err)
	}
	got := fake.Views()
	if len(got) != 1 || got[0].Title != "Saved" || got[0].Updates != 1 {
		t.Errorf("views = %+v", got)
	}
}

func TestResponseURL(t *testing.T) {
	clock := newFakeClock()
	fake := New(t, WithClock(clock.Now))
	api := newAPI(fake, fake.BotToken())
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	ctx := t.Context()

	// A shared approval message, then a click on it.
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("approve?", false), slack.MsgOptionBlocks(
		slack.NewActionBlock("approval", slack.NewButtonBlockElement("approve", "7", slack.NewTextBlockObject("plain_text", "Approve", false, false)))))
	if err != nil {
		t.Fatal(err)
	}
	id := fake.ClickButton(ctx, Click{UserID: "U2", ChannelID: "C1", MessageTS: ts, ActionID: "approve"})
	cb := c.next(t, "interactive").Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != "U2" || cb.Container.MessageTs != ts || cb.Message.Timestamp != ts {
		t.Errorf("callback = %s user %s container %+v message ts %s", cb.Type, cb.User.ID, cb.Container, cb.Message.Timestamp)
	}
	if a := cb.ActionCallback.BlockActions; len(a) != 1 || a[0].ActionID != "approve" || a[0].Value != "7" || a[0].BlockID != "approval" {
		t.Errorf("actions = %+v", a)
	}

	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("approved by U2", false)); err != nil {
		t.Fatal(err)
	}
	m, _ := fake.Message("C1", ts)
	if m.Text != "approved by U2" || len(m.Versions) != 2 || m.Versions[1].Method != "response_url" {
		t.Errorf("replace_original did not edit the message: %+v", m)
	}
	post := fake.WaitForResponseURLPost(t, func(p ResponseURLPost) bool { return p.EnvelopeID == id }, wait)
	if !post.ReplaceOriginal || post.Use != 1 || post.Error != "" {
		t.Errorf("post = %+v", post)
	}

	// A slash command's response_url: in_channel posts land in the channel;
	// five uses, then used_url.
	sid := fake.SendSlashCommand(ctx, SlashCommand{UserID: "U1", ChannelID: "C2", Text: "list"})
	env, _ := fake.Envelope(sid)
	for i := 1; i <= 6; i++ {
		typ := slack.ResponseTypeEphemeral
		if i == 1 {
			typ = slack.ResponseTypeInChannel
		}
		_, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(env.ResponseURL, typ), slack.MsgOptionText("page", false))
		if (i <= 5) != (err == nil) {
			t.Errorf("use %d: err = %v", i, err)
		}
	}
	posts := fake.ResponseURLPosts()
	if last := posts[len(posts)-1]; last.Error != "used_url" || last.Use != 6 {
		t.Errorf("6th post = %+v, want used_url", last)
	}
	if ms := fake.Messages("C2"); len(ms) != 1 || ms[0].Source != "response_url" {
		t.Errorf("C2 messages = %+v, want the one in_channel reply", ms)
	}

	// Expiry after 30 minutes.
	sid = fake.SendSlashCommand(ctx, SlashCommand{UserID: "U1", ChannelID: "C2", Text: "list"})
	env, _ = fake.Envelope(sid)
	clock.Advance(31 * time.Minute)
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(env.ResponseURL, ""), slack.MsgOptionText("late", false)); err == nil {
		t.Error("post to an expired response_url succeeded")
	}
	posts = fake.ResponseURLPosts()
	if last := posts[len(posts)-1]; last.Error != "expired_url" {
		t.Errorf("late post = %+v", last)
	}
}

func TestResponseURL_UnknownIs404(t *testing.T) {
	fake := New(t)
	resp, err := http.Post(fake.srv.URL+"/response/nope", "application/json", strings.NewReader(`{"text":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "invalid_url") {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
}

func TestClickButton_UnknownActionFailsTheTest(t *testing.T) {
	fake := New(t)
	api := newAPI(fake, fake.BotToken())
	_, ts, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("no buttons", false))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingTB{TB: t}
	fake.t = rec
	if id := fake.ClickButton(t.Context(), Click{UserID: "U1", ChannelID: "C1", MessageTS: ts, ActionID: "approve"}); id != "" || !rec.failed {
		t.Errorf("ClickButton on a missing button: id %q, failed %v", id, rec.failed)
	}
	fake.t = t
}

type recordingTB struct {
	testing.TB
	failed bool
}

func (r *recordingTB) Errorf(string, ...any) { r.failed = true }

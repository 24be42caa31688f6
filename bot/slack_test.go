package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

func TestSlack_AckBeforeWorkThenPrivateReply(t *testing.T) {
	acked := make(chan struct{})
	core := &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		select { // the work starts only once the test has seen the ack
		case <-acked:
		case <-ctx.Done():
		}
		return reply.Message{Text: "hello " + r.User}
	}}
	h := newHarness(t, withCore(core), nil, nil)
	id := h.slash("U1", "C1", "whoami")
	ack := h.fake.WaitForAck(t, id, wait)
	close(acked)
	if ack.RetryAttempt != 0 || ack.Duplicate {
		t.Errorf("ack = %+v, want the first delivery acked once", ack)
	}
	post := h.postFor(id)
	if post.ResponseType != "ephemeral" || !strings.Contains(post.AllText(), "hello U1") {
		t.Errorf("reply = %q (%s), want an ephemeral hello U1", post.AllText(), post.ResponseType)
	}
	env, _ := h.fake.Envelope(id)
	if env.Deliveries != 1 {
		t.Errorf("envelope delivered %d times, want 1 (acked within Slack's limit)", env.Deliveries)
	}
	got := core.handled()
	if len(got) != 1 || got[0].Team != h.fake.TeamID() || got[0].Channel != "C1" || got[0].Text != "whoami" {
		t.Errorf("core got %+v", got)
	}
	if n := h.metric("paasbot_ack_latency_seconds"); n < 1 {
		t.Errorf("ack latency observed %v times, want at least 1", n)
	}
	h.assertNoSecrets()
}

// TestSlack_SharedReplyPostedInOrder: a shared answer of many parts goes
// in_channel through the response_url while it has uses, then by
// chat.postMessage, in order.
func TestSlack_SharedReplyPostedInOrder(t *testing.T) {
	rows := make([][]string, 1500)
	for i := range rows {
		rows[i] = []string{"instance-" + strings.Repeat("x", 20), "running", "1"}
	}
	core := &fakeCore{handle: func(context.Context, commands.Request) reply.Message {
		return reply.Message{Visibility: reply.Shared, Title: "Instances",
			Table: &reply.Table{Columns: []string{"name", "state", "dc"}, Rows: rows}}
	}}
	h := newHarness(t, withCore(core), nil, nil)
	h.slash("U1", "C1", "list --share")
	want, err := RenderBlocks(core.handle(t.Context(), commands.Request{}))
	if err != nil || len(want) <= responseURLUses {
		t.Fatalf("test needs more than %d parts, got %d (%v)", responseURLUses, len(want), err)
	}
	h.fake.WaitForCalls(t, "chat.postMessage", len(want)-responseURLUses, wait)
	msgs := h.fake.Messages("C1")
	if len(msgs) != len(want) {
		t.Fatalf("%d messages, want %d", len(msgs), len(want))
	}
	for i, m := range msgs {
		source := "response_url"
		if i >= responseURLUses {
			source = "chat.postMessage"
		}
		if m.Text != want[i].Text || m.Ephemeral || m.Source != source {
			t.Errorf("message %d = %q by %s, want part %d %q by %s", i, m.Text, m.Source, i, want[i].Text, source)
		}
	}
}

// postingCore is a core whose commands post msg in their channel through
// the Notifier, as an approval request does, and answer what Post said.
func postingCore(msg reply.Message) func(*SlackPoster, *store.DB) Core {
	return func(p *SlackPoster, _ *store.DB) Core {
		return &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
			if _, err := p.Post(ctx, r.Channel, msg); err != nil {
				return reply.Message{Tone: reply.Error, Text: p.internalError(ctx, "post", err)}
			}
			return reply.Message{Text: "posted"}
		}}
	}
}

func TestSlack_NotInChannelFallsBackToResponseURL(t *testing.T) {
	h := newHarness(t, postingCore(reply.Message{Visibility: reply.Shared, Text: "shared news"}), nil, nil)
	h.fake.FailChannel("C9", slacktest.ErrNotInChannel)
	id := h.slash("U1", "C9", "renew")
	h.fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool {
		return p.EnvelopeID == id && strings.Contains(p.AllText(), "/invite @paasbot") && p.ResponseType == "ephemeral"
	}, wait)
	var inChannel bool
	for _, p := range h.fake.ResponseURLPosts() {
		if p.EnvelopeID == id && p.ResponseType == "in_channel" && strings.Contains(p.AllText(), "shared news") {
			inChannel = true
		}
	}
	if !inChannel {
		t.Error("the posted message did not go in_channel through the response_url")
	}
	if c := h.fake.CallsTo("chat.postMessage"); len(c) != 1 || c[0].Error != slacktest.ErrNotInChannel {
		t.Errorf("chat.postMessage calls = %+v, want one refused not_in_channel", c)
	}
}

func TestSlack_RateLimitIsWaitedOut(t *testing.T) {
	h := newHarness(t, postingCore(reply.Message{Visibility: reply.Shared, Text: "after the limit"}), nil, nil)
	h.fake.RateLimitNext("chat.postMessage", 2, time.Second)
	h.slash("U1", "C1", "renew")
	h.fake.WaitForMessage(t, func(m slacktest.Message) bool { return strings.Contains(m.Text, "after the limit") }, wait)
	calls := h.fake.CallsTo("chat.postMessage")
	if len(calls) != 3 || calls[0].Status != 429 || calls[1].Status != 429 || calls[2].Error != "" {
		t.Errorf("calls = %+v, want 429, 429, then ok", calls)
	}
	if w := h.waits.all(); len(w) != 2 || w[0] != time.Second || w[1] != time.Second {
		t.Errorf("waits = %v, want Retry-After (1s) twice", w)
	}
}

func TestSlack_RateLimitBeyondAttemptsIsLoggedWithRef(t *testing.T) {
	h := newHarness(t, postingCore(reply.Message{Visibility: reply.Shared, Text: "never posted"}), nil, nil)
	h.fake.RateLimitNext("chat.postMessage", 100, 0)
	id := h.slash("U1", "C1", "renew")
	// The person is told privately; the log holds the reference.
	h.fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool {
		return p.EnvelopeID == id && strings.Contains(p.AllText(), "internal error (ref ")
	}, wait)
	if n := len(h.fake.CallsTo("chat.postMessage")); n != 4 {
		t.Errorf("chat.postMessage tried %d times, want 4 (bounded)", n)
	}
	if !strings.Contains(h.logs.String(), `"ref"`) {
		t.Error("the failure is not logged with a reference")
	}
}

func TestSlack_RedeliveredEnvelopeRunsOnce(t *testing.T) {
	t.Run("not acked in time", func(t *testing.T) {
		core := &fakeCore{}
		// An ack timeout far below the ack's round trip: the fake sends the
		// envelope again before paasbot's ack reaches it.
		h := newHarness(t, withCore(core), []slacktest.Option{slacktest.WithAckTimeout(time.Microsecond), slacktest.WithMaxRetries(2)}, nil)
		id := h.slash("U1", "C1", "once")
		h.fake.WaitForDeliveries(t, id, 2, wait)
		h.postFor(id)
		next := h.slash("U1", "C1", "next")
		h.postFor(next)
		h.waitAcks(id, 2)                // both copies reached the adapter
		if err := h.stop(); err != nil { // drains every copy still queued
			t.Fatal(err)
		}
		n := 0
		for _, r := range core.handled() {
			if r.Text == "once" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("command ran %d times, want 1", n)
		}
		if !strings.Contains(h.logs.String(), "repeated delivery skipped") {
			t.Error("the skipped redelivery is not logged")
		}
	})
	t.Run("same envelope or trigger id again", func(t *testing.T) {
		core := &fakeCore{}
		h := newHarness(t, withCore(core), nil, nil)
		id := h.slash("U1", "C1", "once")
		h.postFor(id)
		env, _ := h.fake.Envelope(id)
		raw := func(envID string, attempt int) []byte {
			b, _ := json.Marshal(map[string]any{"envelope_id": envID, "type": "slash_commands",
				"payload": env.Payload, "accepts_response_payload": true, "retry_attempt": attempt, "retry_reason": "timeout"})
			return b
		}
		h.fake.SendRawEnvelope(t.Context(), raw(id, 1))        // same envelope id
		h.fake.SendRawEnvelope(t.Context(), raw("env-new", 0)) // same trigger id
		h.fake.WaitForAck(t, "env-new", wait)
		next := h.slash("U1", "C1", "next")
		h.postFor(next)
		if n := len(core.handled()); n != 2 {
			t.Errorf("core ran %d commands, want 2 (once, next): %+v", n, core.handled())
		}
	})
}

func TestSlack_MalformedPayloadSkipped(t *testing.T) {
	core := &fakeCore{}
	h := newHarness(t, withCore(core), nil, nil)
	h.fake.SendRawEnvelope(t.Context(), []byte(`{"envelope_id":"bad-1","type":"slash_commands","payload":"not an object","accepts_response_payload":true}`))
	h.fake.WaitForAck(t, "bad-1", wait)
	h.fake.SendRawEnvelope(t.Context(), []byte(`{"envelope_id":"bad-2","type":"slash_commands","payload":{"team_id":"T0TEST","text":"no user"}}`))
	h.fake.WaitForAck(t, "bad-2", wait)
	h.fake.SendRawEnvelope(t.Context(), []byte(`{not json at all`))
	id := h.slash("U1", "C1", "still works")
	if post := h.postFor(id); !strings.Contains(post.AllText(), "still works") {
		t.Errorf("reply after malformed input = %q", post.AllText())
	}
	if len(core.handled()) != 1 {
		t.Errorf("core ran %d commands, want only the valid one", len(core.handled()))
	}
	if !strings.Contains(h.logs.String(), "malformed socket-mode message skipped") {
		t.Error("the malformed payload is not logged")
	}
	if strings.Contains(h.logs.String(), "not an object") {
		t.Error("the malformed payload's content reached the log")
	}
}

func TestSlack_ReconnectAfterDisconnect(t *testing.T) {
	core := &fakeCore{}
	h := newHarness(t, withCore(core), nil, nil)
	h.fake.Disconnect(slacktest.ReasonRefreshRequested)
	h.fake.WaitForConnectionsOpened(t, 2, wait)
	id := h.slash("U1", "C1", "after reconnect")
	h.postFor(id)
	h.fake.DropConnections()
	h.fake.WaitForConnectionsOpened(t, 3, wait)
	id = h.slash("U1", "C1", "after drop")
	h.postFor(id)
	if n := h.metric("paasbot_socket_reconnects_total"); n < 2 {
		t.Errorf("reconnects counted %v, want at least 2", n)
	}
	if err := h.slack.Ready(); err != nil {
		t.Errorf("Ready after reconnect: %v", err)
	}
}

func TestSlack_BusyPoolAnswersTryAgain(t *testing.T) {
	release := make(chan struct{})
	core := &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		if r.Text == "slow" {
			<-release
		}
		return reply.Message{Text: "done " + r.Text}
	}}
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.Workers, c.QueueSize = 1, 1 })
	first := h.slash("U1", "C1", "slow")
	h.fake.WaitForAck(t, first, wait)
	queued := h.slash("U1", "C1", "slow")
	busy := h.slash("U1", "C1", "slow")
	post := h.postFor(busy)
	if !strings.Contains(post.AllText(), "busy") {
		t.Errorf("third command got %q, want a busy answer", post.AllText())
	}
	close(release)
	h.postFor(first)
	h.postFor(queued)
}

func TestSlack_PanicInCoreBecomesReference(t *testing.T) {
	core := &fakeCore{handle: func(_ context.Context, r commands.Request) reply.Message {
		if r.Text == "boom" {
			panic("core bug")
		}
		return reply.Message{Text: "fine"}
	}}
	h := newHarness(t, withCore(core), nil, nil)
	post := h.postFor(h.slash("U1", "C1", "boom"))
	if !strings.Contains(post.AllText(), "internal error (ref ") || strings.Contains(post.AllText(), "core bug") {
		t.Errorf("panic reply = %q", post.AllText())
	}
	h.postFor(h.slash("U1", "C1", "ok"))
}

func TestSlack_LoginModal(t *testing.T) {
	const goodKey = "good-key-0123456789"
	core := &fakeCore{
		handle: func(context.Context, commands.Request) reply.Message {
			return reply.Message{Form: &reply.Form{ID: "login", Title: "Gandi login"}}
		},
		submit: func(_ context.Context, s commands.Submission) (reply.Message, error) {
			if s.Value != goodKey {
				return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Gandi refused this key")
			}
			return reply.Message{Text: "key saved"}, nil
		},
	}
	h := newHarness(t, withCore(core), nil, nil)
	h.slash("U1", "C1", "login")
	v := h.fake.WaitForView(t, func(v slacktest.View) bool { return v.UserID == "U1" }, wait)
	if v.PrivateMetadata != "C1" || v.CallbackID != "login" {
		t.Errorf("view metadata %q callback %q, want C1 and login", v.PrivateMetadata, v.CallbackID)
	}

	bad := h.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID, Values: map[string]map[string]string{FormBlockID: {FormActionID: "wrong"}}})
	ack := h.fake.WaitForAck(t, bad, wait)
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack.Payload, &resp); err != nil || resp.ResponseAction != "errors" || !strings.Contains(resp.Errors[FormBlockID], "refused") {
		t.Errorf("ack of a wrong key = %s, want errors on %s", ack.Payload, FormBlockID)
	}

	ok := h.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID, Values: map[string]map[string]string{FormBlockID: {FormActionID: goodKey}}})
	if ack := h.fake.WaitForAck(t, ok, wait); ack.Payload != nil {
		t.Errorf("ack of a good key = %s, want none (closes the modal)", ack.Payload)
	}
	m := h.fake.WaitForMessage(t, func(m slacktest.Message) bool { return m.Ephemeral && m.Text == "key saved" }, wait)
	if m.Channel != "C1" || m.User != "U1" {
		t.Errorf("confirmation went to %s/%s, want C1/U1", m.Channel, m.User)
	}
	subs := core.submitted()
	if len(subs) != 2 || subs[1].Channel != "C1" || subs[1].User != "U1" || subs[1].FormID != "login" {
		t.Errorf("submissions = %+v", subs)
	}
	for _, c := range h.fake.Calls() {
		if strings.Contains(string(c.Body), goodKey) || strings.Contains(c.Params.Encode(), goodKey) {
			t.Errorf("the key travelled in a %s call", c.Method)
		}
	}
	h.assertNoSecrets(goodKey)
}

func TestSlack_ExpiredTrigger(t *testing.T) {
	core := &fakeCore{handle: func(context.Context, commands.Request) reply.Message {
		return reply.Message{Form: &reply.Form{ID: "login"}}
	}}
	h := newHarness(t, withCore(core), nil, nil)
	h.fake.FailNext("views.open", slacktest.ErrExpiredTriggerID)
	post := h.postFor(h.slash("U1", "C1", "login"))
	if !strings.Contains(post.AllText(), "/paas login") || post.ResponseType != "ephemeral" {
		t.Errorf("expired trigger answer = %q", post.AllText())
	}
}

func TestSlack_ButtonClick(t *testing.T) {
	core := &fakeCore{
		handle: func(context.Context, commands.Request) reply.Message {
			// The notes render as a context block before the buttons, as on
			// a real approval request: the click still finds its button.
			return reply.Message{Visibility: reply.Shared, Text: "approve?", Notes: []string{"expires in 24 h"},
				Buttons: []reply.Button{{Label: "Approve", Action: "approval.approve", Value: "7"}}}
		},
		click: func(_ context.Context, c commands.Click) reply.Message {
			return reply.Message{Visibility: reply.Shared, Text: "approved by " + c.User, ReplaceOriginal: true}
		},
	}
	h := newHarness(t, withCore(core), nil, nil)
	h.slash("U1", "C1", "renew")
	m := h.fake.WaitForMessage(t, func(m slacktest.Message) bool { return m.Text == "approve?" }, wait)
	h.fake.ClickButton(t.Context(), slacktest.Click{UserID: "U2", ChannelID: "C1", MessageTS: m.TS, ActionID: "approval.approve"})
	h.fake.WaitForMessage(t, func(m slacktest.Message) bool { return m.Text == "approved by U2" }, wait)
	clicks := core.clicked()
	if len(clicks) != 1 || clicks[0].User != "U2" || clicks[0].Value != "7" || clicks[0].Message != (reply.Ref{Channel: "C1", ID: m.TS}) {
		t.Errorf("clicks = %+v", clicks)
	}
}

func TestSlack_ShutdownDrainsWorkInFlight(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	core := &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		close(started)
		<-release
		if ctx.Err() != nil {
			return reply.Message{Text: "cancelled"}
		}
		return reply.Message{Text: "finished after shutdown began"}
	}}
	h := newHarness(t, withCore(core), nil, nil)
	id := h.slash("U1", "C1", "slow")
	<-started
	h.cancel()
	time.AfterFunc(50*time.Millisecond, func() { close(release) })
	if err := h.stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	if post := h.postFor(id); !strings.Contains(post.AllText(), "finished after shutdown began") {
		t.Errorf("reply = %q", post.AllText())
	}
	if h.slack.Ready() == nil {
		t.Error("Ready is nil after Run returned")
	}
}

func TestSlack_ShutdownDeadline(t *testing.T) {
	core := &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		<-ctx.Done() // stuck until cancelled
		return reply.Message{}
	}}
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.DrainTimeout = 100 * time.Millisecond })
	h.fake.WaitForAck(t, h.slash("U1", "C1", "stuck"), wait)
	h.fake.WaitForAck(t, h.slash("U1", "C1", "stuck"), wait)
	if err := h.stop(); err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("Run = %v, want the drain deadline error", err)
	}
}

// TestSlack_ShutdownDeadlineWithStuckWork: work that ignores its
// cancelled context does not hold Run past its drain timeout.
func TestSlack_ShutdownDeadlineWithStuckWork(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // lets the stuck worker end with the test
	started := make(chan struct{}, 1)
	core := &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		started <- struct{}{}
		<-release // deaf to ctx
		return reply.Message{}
	}}
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.DrainTimeout = 100 * time.Millisecond })
	h.fake.WaitForAck(t, h.slash("U1", "C1", "stuck"), wait)
	<-started
	// stop fails the test when Run does not return within 2×DefaultDrainTimeout.
	if err := h.stop(); err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("Run = %v, want the drain deadline error", err)
	}
}

func TestSlack_BadTokens(t *testing.T) {
	fake := slacktest.New(t)
	for _, tc := range []struct {
		name, bot, app, want string
	}{
		{"bot", "xoxb-wrong-secret-value", fake.AppToken(), "bot token"},
		{"app", fake.BotToken(), "xapp-wrong-secret-value", "app-level token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := slack.New(tc.bot, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(tc.app))
			s, err := NewSlack(SlackConfig{API: api, Core: &fakeCore{}, Dedup: openStore(t)})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), wait)
			defer cancel()
			err = s.Run(ctx)
			var ae *AuthError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "wrong-secret") {
				t.Errorf("Run = %v, want an AuthError naming the %s without it", err, tc.want)
			}
			err = CheckTokens(ctx, api)
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CheckTokens = %v", err)
			}
		})
	}
	good := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken()))
	if err := CheckTokens(t.Context(), good); err != nil {
		t.Errorf("CheckTokens with good tokens: %v", err)
	}
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	return testutil.OpenStore(t, nil)
}

// TestSlack_FirstDeliveryExactlyOnce races copies of one interaction: the
// same envelope twice and the same trigger under another envelope. Exactly
// one may run, whatever the interleaving.
func TestSlack_FirstDeliveryExactlyOnce(t *testing.T) {
	s := &Slack{cfg: SlackConfig{Dedup: openStore(t), DedupTTL: time.Hour}}
	for round := range 30 {
		env, trig := fmt.Sprintf("env-%d", round), fmt.Sprintf("trig-%d", round)
		copies := [][2]string{{env, trig}, {env, trig}, {env + "-other", trig}}
		var wg sync.WaitGroup
		var firsts atomic.Int32
		for _, c := range copies {
			wg.Go(func() {
				first, err := s.firstDelivery(t.Context(), c[0], c[1])
				if err != nil {
					t.Error(err)
				}
				if first {
					firsts.Add(1)
				}
			})
		}
		wg.Wait()
		if n := firsts.Load(); n != 1 {
			t.Fatalf("round %d: %d copies ran, want exactly 1", round, n)
		}
	}
}

func TestSlack_SlowFormCheckAnswersInTheAck(t *testing.T) {
	core := &fakeCore{
		handle: func(context.Context, commands.Request) reply.Message {
			return reply.Message{Form: &reply.Form{ID: "login"}}
		},
		submit: func(ctx context.Context, _ commands.Submission) (reply.Message, error) {
			<-ctx.Done() // Gandi never answers
			return reply.Message{}, ctx.Err()
		},
	}
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.FormTimeout = 50 * time.Millisecond })
	h.slash("U1", "C1", "login")
	v := h.fake.WaitForView(t, func(v slacktest.View) bool { return v.UserID == "U1" }, wait)
	id := h.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID, Values: map[string]map[string]string{FormBlockID: {FormActionID: "k"}}})
	ack := h.fake.WaitForAck(t, id, wait)
	if !strings.Contains(string(ack.Payload), "did not answer in time") || ack.RetryAttempt != 0 {
		t.Errorf("ack of a slow check = %s (retry %d)", ack.Payload, ack.RetryAttempt)
	}
}

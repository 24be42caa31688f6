package slacktest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestSocketMode_SlashCommandIsDeliveredAndAcked(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	c.next(t, socketmode.EventTypeHello)
	fake.WaitForConnections(t, 1, wait)

	ctx := t.Context()
	id := fake.SendSlashCommand(ctx, SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list state=running"})

	ev := c.next(t, socketmode.EventTypeSlashCommand)
	cmd, ok := ev.Data.(slack.SlashCommand)
	if !ok {
		t.Fatalf("event data is %T, want slack.SlashCommand", ev.Data)
	}
	env, _ := fake.Envelope(id)
	if ev.Request.EnvelopeID != id || ev.Request.RetryAttempt != 0 || !ev.Request.AcceptsResponsePayload {
		t.Errorf("request = %+v, want envelope %s, attempt 0, accepts_response_payload", ev.Request, id)
	}
	want := slack.SlashCommand{
		Token: "verification-token-unused", TeamID: fake.TeamID(), TeamDomain: "paasbot-test",
		ChannelID: "C1", ChannelName: "c1", UserID: "U1", UserName: "u1", Command: "/paas",
		Text: "list state=running", ResponseURL: env.ResponseURL, TriggerID: env.TriggerID, APIAppID: "A0PAASBOT",
	}
	if cmd != want {
		t.Errorf("slash command =\n%+v\nwant\n%+v", cmd, want)
	}
	if env.ResponseURL == "" || env.TriggerID == "" {
		t.Errorf("envelope lacks response_url or trigger_id: %+v", env)
	}

	if err := c.sm.Ack(*ev.Request, map[string]any{"text": "working on it"}); err != nil {
		t.Fatal(err)
	}
	ack := fake.WaitForAck(t, id, wait)
	if !ack.Known || ack.Duplicate || ack.RetryAttempt != 0 {
		t.Errorf("ack = %+v, want known first ack of attempt 0", ack)
	}
	if ack.Latency <= 0 {
		t.Errorf("ack latency = %v, want > 0", ack.Latency)
	}
	if string(ack.Payload) != `{"text":"working on it"}` {
		t.Errorf("ack payload = %s", ack.Payload)
	}
	if env, _ := fake.Envelope(id); !env.Acked || env.Deliveries != 1 {
		t.Errorf("envelope after ack = %+v, want acked after 1 delivery", env)
	}
}

func TestSocketMode_RedeliversUntilAcked(t *testing.T) {
	fake := New(t, WithAckTimeout(100*time.Millisecond))
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)

	id := fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "restart shop"})
	first := c.next(t, socketmode.EventTypeSlashCommand)
	second := c.next(t, socketmode.EventTypeSlashCommand) // not acked: Slack retries
	if first.Request.EnvelopeID != id || second.Request.EnvelopeID != id {
		t.Fatalf("envelope ids %q, %q, want %q twice", first.Request.EnvelopeID, second.Request.EnvelopeID, id)
	}
	if first.Request.RetryAttempt != 0 || first.Request.RetryReason != "" {
		t.Errorf("first delivery retry = %d %q, want 0 \"\"", first.Request.RetryAttempt, first.Request.RetryReason)
	}
	if second.Request.RetryAttempt != 1 || second.Request.RetryReason != "timeout" {
		t.Errorf("second delivery retry = %d %q, want 1 \"timeout\"", second.Request.RetryAttempt, second.Request.RetryReason)
	}
	if err := c.sm.Ack(*second.Request); err != nil {
		t.Fatal(err)
	}
	ack := fake.WaitForAck(t, id, wait)
	if ack.RetryAttempt != 1 || ack.Payload != nil {
		t.Errorf("ack = %+v, want attempt 1 without payload", ack)
	}
}

func TestSocketMode_GivesUpAfterMaxRetries(t *testing.T) {
	fake := New(t, WithAckTimeout(20*time.Millisecond), WithMaxRetries(2))
	startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	id := fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"})
	ds := fake.WaitForDeliveries(t, id, 3, wait)
	for i, d := range ds {
		if d.RetryAttempt != i {
			t.Errorf("delivery %d has retry_attempt %d", i, d.RetryAttempt)
		}
	}
	// The last delivery arms no timer: the server state says so directly.
	fake.mu.Lock()
	timer := fake.envelopes[id].timer
	fake.mu.Unlock()
	if timer != nil {
		t.Errorf("a redelivery is still scheduled after retry_attempt %d", len(ds)-1)
	}
}

func TestSocketMode_ReconnectsAfterDisconnect(t *testing.T) {
	for _, reason := range []string{ReasonRefreshRequested, ReasonWarning, ReasonLinkDisabled} {
		t.Run(reason, func(t *testing.T) {
			fake := New(t)
			c := startClient(t, fake)
			c.next(t, socketmode.EventTypeHello)
			fake.WaitForConnections(t, 1, wait)

			fake.Disconnect(reason)
			c.next(t, socketmode.EventTypeHello) // hello of the new socket
			if !fake.waitUntil(wait, func() bool { return fake.ConnectionsOpened() == 2 && fake.ConnectionCount() == 1 }) {
				t.Fatalf("opened %d, open %d; want a new socket replacing the old one", fake.ConnectionsOpened(), fake.ConnectionCount())
			}

			id := fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "whoami"})
			ev := c.next(t, socketmode.EventTypeSlashCommand)
			if err := c.sm.Ack(*ev.Request); err != nil {
				t.Fatal(err)
			}
			if ack := fake.WaitForAck(t, id, wait); ack.ConnID != 2 {
				t.Errorf("ack came on socket %d, want the new socket 2", ack.ConnID)
			}
		})
	}
}

func TestSocketMode_DroppedSocketReconnectsAndRedelivers(t *testing.T) {
	fake := New(t, WithAckTimeout(200*time.Millisecond))
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)

	id := fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "info shop"})
	c.next(t, socketmode.EventTypeSlashCommand) // received, but the socket dies before the ack
	fake.DropConnections()
	// slack-go may already be reconnecting; socket 1 itself must be gone.
	fake.mu.Lock()
	_, still := fake.conns[1]
	fake.mu.Unlock()
	if still {
		t.Fatal("socket 1 still open after DropConnections")
	}
	fake.WaitForConnectionsOpened(t, 2, wait)

	ev := c.next(t, socketmode.EventTypeSlashCommand)
	if ev.Request.EnvelopeID != id || ev.Request.RetryAttempt != 1 {
		t.Fatalf("redelivery = %s attempt %d, want %s attempt 1", ev.Request.EnvelopeID, ev.Request.RetryAttempt, id)
	}
	if err := c.sm.Ack(*ev.Request); err != nil {
		t.Fatal(err)
	}
	fake.WaitForAck(t, id, wait)
}

func TestSocketMode_EnvelopeWaitsForASocket(t *testing.T) {
	fake := New(t)
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	done := make(chan string, 1)
	go func() { done <- fake.SendSlashCommand(ctx, SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"}) }()

	c := startClient(t, fake)
	ev := c.next(t, socketmode.EventTypeSlashCommand)
	if id := <-done; ev.Request.EnvelopeID != id {
		t.Errorf("delivered %s, sent %s", ev.Request.EnvelopeID, id)
	}
}

func TestSocketMode_MalformedFramesAreSurvivable(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)

	tests := []struct {
		name string
		raw  string
		want socketmode.EventType
	}{
		{"not JSON", `{"type": slash_commands}`, socketmode.EventTypeIncomingError},
		{"payload of the wrong shape", `{"type":"slash_commands","envelope_id":"bad-1","payload":"text"}`, socketmode.EventTypeErrorBadMessage},
		{"unknown type", `{"type":"no_such_thing","envelope_id":"bad-2"}`, socketmode.EventTypeErrorBadMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.SendRawEnvelope(t.Context(), []byte(tt.raw))
			c.next(t, tt.want)
		})
	}
	// The socket survived: the next command arrives on the same connection.
	fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"})
	c.next(t, socketmode.EventTypeSlashCommand)
	if n := fake.ConnectionsOpened(); n != 1 {
		t.Errorf("%d sockets opened, want the first one to survive", n)
	}
}

func TestSocketMode_WrongAppTokenStopsTheClient(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake, slack.OptionAppLevelToken("xapp-wrong"))
	select {
	case err := <-c.runErr:
		if err == nil || err.Error() != ErrInvalidAuth {
			t.Fatalf("RunContext = %v, want invalid_auth", err)
		}
	case <-time.After(wait):
		t.Fatal("client still running with a wrong app token")
	}
	calls := fake.CallsTo("apps.connections.open")
	if len(calls) != 1 || calls[0].Auth != "bearer" || calls[0].Error != ErrInvalidAuth {
		t.Errorf("apps.connections.open calls = %+v", calls)
	}
}

func TestSocketMode_TicketIsSingleUse(t *testing.T) {
	fake := New(t)
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken()))
	_, url, err := api.StartSocketModeContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		conn, resp, err := websocketDial(t, url)
		if got := err == nil; got != want {
			t.Fatalf("dial %d: ok = %v (status %v), want %v", i+1, got, resp, want)
		}
		if conn != nil {
			var hello struct {
				Type string `json:"type"`
			}
			if err := conn.ReadJSON(&hello); err != nil || hello.Type != "hello" {
				t.Errorf("first frame = %+v, %v; want hello", hello, err)
			}
			conn.Close()
		}
	}
}

func TestSocketMode_SubmitViewCarriesStateValues(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)

	fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U7", ChannelID: "C1", Text: "login"})
	cmd := c.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
	modal := slack.ModalViewRequest{
		Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "Gandi login", false, false),
		Submit: slack.NewTextBlockObject("plain_text", "Save", false, false), CallbackID: "login", PrivateMetadata: "meta",
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("apikey",
			slack.NewTextBlockObject("plain_text", "API key", false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "apikey_input"))}},
	}
	opened, err := c.api.OpenViewContext(t.Context(), cmd.TriggerID, modal)
	if err != nil {
		t.Fatal(err)
	}
	v := fake.WaitForView(t, func(v View) bool { return v.ID == opened.ID }, wait)
	if v.UserID != "U7" || v.CallbackID != "login" || v.Title != "Gandi login" {
		t.Errorf("view = %+v", v)
	}

	id := fake.SubmitView(t.Context(), Submission{ViewID: v.ID, Values: map[string]map[string]string{"apikey": {"apikey_input": "k-123"}}})
	ev := c.next(t, socketmode.EventTypeInteractive)
	cb := ev.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewSubmission || cb.User.ID != "U7" || cb.View.ID != v.ID ||
		cb.View.CallbackID != "login" || cb.View.PrivateMetadata != "meta" {
		t.Errorf("callback = type %s user %s view %s/%s/%s", cb.Type, cb.User.ID, cb.View.ID, cb.View.CallbackID, cb.View.PrivateMetadata)
	}
	got := cb.View.State.Values["apikey"]["apikey_input"]
	if got.Value != "k-123" || got.Type != "plain_text_input" {
		t.Errorf("state value = %+v", got)
	}
	resp := slack.NewErrorsViewSubmissionResponse(map[string]string{"apikey": "refused"})
	if err := c.sm.Ack(*ev.Request, resp); err != nil {
		t.Fatal(err)
	}
	var payload slack.ViewSubmissionResponse
	if err := json.Unmarshal(fake.WaitForAck(t, id, wait).Payload, &payload); err != nil || payload.Errors["apikey"] != "refused" {
		t.Errorf("ack payload = %+v, %v", payload, err)
	}
}

// TestSocketMode_PingsAndUnknownAcks drives the socket by hand: the server
// pings on its own, and an ack for an envelope it never sent is recorded as
// unknown rather than dropped.
func TestSocketMode_PingsAndUnknownAcks(t *testing.T) {
	fake := New(t, WithPingInterval(10*time.Millisecond))
	conn := dialSocket(t, fake)
	pings := make(chan struct{}, 100)
	conn.SetPingHandler(func(string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return nil
	})
	if err := conn.WriteJSON(map[string]any{"envelope_id": "never-sent", "payload": map[string]any{"x": 1}}); err != nil {
		t.Fatal(err)
	}
	go func() { // the ping handler runs inside reads
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for i := range 3 {
		select {
		case <-pings:
		case <-time.After(wait):
			t.Fatalf("ping %d never came", i+1)
		}
	}
	a := fake.WaitForAck(t, "never-sent", wait)
	if a.Known || string(a.Payload) != `{"x":1}` {
		t.Errorf("ack = %+v, want an unknown envelope with its payload", a)
	}
}

// BenchmarkSlashCommandRoundTrip measures the fake's side of a slash
// command: envelope out, slack-go's client parses it, acks at once, ack
// recorded. It is the floor under any adapter's ack latency.
func BenchmarkSlashCommandRoundTrip(b *testing.B) {
	fake := New(b)
	c := startClient(b, fake)
	fake.WaitForConnections(b, 1, wait)
	go func() {
		for ev := range c.events {
			if ev.Type == socketmode.EventTypeSlashCommand {
				_ = c.sm.Ack(*ev.Request)
			}
		}
	}()
	ctx := b.Context()
	b.ResetTimer()
	for b.Loop() {
		id := fake.SendSlashCommand(ctx, SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"})
		fake.WaitForAck(b, id, wait)
	}
}

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/gandi/gandisim"
)

// TestRun_NoPaidCallBeforeApproval runs `paasbot run` against the fake
// Slack (slack-go's real socket-mode client) and a Gandi that ignores
// "--dry-run": Dana asks for a renewal, a resize and a password reset,
// and nothing is sent until Sam approves each; then each runs once, the
// new password shown to Dana alone.
func TestRun_NoPaidCallBeforeApproval(t *testing.T) {
	fake := slacktest.New(t, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
	sim, simURL := gandisim.NewTestServer(t, gandisim.Options{Seed: 3, IgnoreDryRun: true, OperationTime: time.Millisecond})
	sim.SeedDemo(gandisim.DemoAPIKey, 5)
	vars := runEnv(t, fake)
	vars["PAASBOT_GANDI_URL"] = simURL
	vars["PAASBOT_APPROVERS"] = "U0SAM"
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, envOf(vars, &out, &logs), []string{"run"}) }()
	defer func() {
		cancel()
		<-done
	}()
	const wait = 20 * time.Second
	fake.WaitForConnections(t, 1, wait)

	fake.SendSlashCommand(ctx, slacktest.SlashCommand{UserID: "U0DANA", ChannelID: "C0DEV", Text: "login"})
	v := fake.WaitForView(t, func(v slacktest.View) bool { return v.UserID == "U0DANA" }, wait)
	sub := fake.SubmitView(ctx, slacktest.Submission{ViewID: v.ID,
		Values: map[string]map[string]string{bot.FormBlockID: {bot.FormActionID: gandisim.DemoAPIKey}}})
	if ack := fake.WaitForAck(t, sub, wait); ack.Payload != nil {
		t.Fatalf("login refused: %s", ack.Payload)
	}
	asks := []string{"renew shop-prod duration=1m", "update shop-prod size=l", "update shop-staging reset-password"}
	var requests []slacktest.Message
	for i, text := range asks {
		fake.SendSlashCommand(ctx, slacktest.SlashCommand{UserID: "U0DANA", ChannelID: "C0DEV", Text: text})
		title := "Approval #" + string(rune('1'+i))
		requests = append(requests, fake.WaitForMessage(t, func(m slacktest.Message) bool {
			_, ok := m.Button("approval.approve")
			return !m.Ephemeral && m.Channel == "C0DEV" && ok && strings.Contains(m.AllText(), title)
		}, wait))
	}
	for _, m := range []string{"paas.renew", "paas.update"} {
		if n := sim.Calls(m); n != 0 {
			t.Fatalf("%s was sent %d times before any approval", m, n)
		}
	}
	for _, r := range requests {
		if !strings.Contains(r.AllText(), "Gandi offers no dry run") {
			t.Errorf("request %q does not say that Gandi has no dry run", r.AllText())
		}
	}
	for _, r := range requests {
		fake.ClickButton(ctx, slacktest.Click{UserID: "U0SAM", ChannelID: "C0DEV", MessageTS: r.TS, ActionID: "approval.approve"})
	}
	for deadline := time.Now().Add(wait); time.Now().Before(deadline) && (sim.Calls("paas.renew") < 1 || sim.Calls("paas.update") < 2); {
		time.Sleep(10 * time.Millisecond)
	}
	if n, u := sim.Calls("paas.renew"), sim.Calls("paas.update"); n != 1 || u != 2 {
		t.Errorf("after the approvals: %d renewals and %d updates, want 1 and 2", n, u)
	}
	pw := fake.WaitForMessage(t, func(m slacktest.Message) bool { return strings.Contains(m.AllText(), "Password of shop-staging") }, wait)
	if !pw.VisibleTo("U0DANA") || pw.VisibleTo("U0SAM") {
		t.Errorf("the password was shown to %v (%s)", pw.SeenBy, pw.Visibility)
	}
}

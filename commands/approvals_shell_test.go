package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// TestShell_ApprovalSession drives the real terminal adapter: dana asks
// for a renew and cannot approve it herself, sam (the approver) lists and
// approves it twice; the renew runs once and its message is updated to
// the end.
func TestShell_ApprovalSession(t *testing.T) {
	ctx := context.Background()
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 1, OperationTime: 100 * time.Millisecond})
	sim.SeedDemo(gandisim.DemoAPIKey, 3)
	db := testutil.OpenStore(t, nil)
	if _, err := db.PutAPIKey(ctx, store.Identity{Team: "local", User: "dana"}, gandisim.DemoAPIKey); err != nil {
		t.Fatal(err)
	}
	out := &testutil.LogBuffer{} // one terminal written by two shells and the follow-ups
	dana := &bot.Shell{Out: out, Team: "local", User: "dana", Channel: "shell"}
	core, engine := commands.Wire(t, commands.Wiring{DB: db, Notifier: dana, Approvers: []string{"sam"},
		Client: func(k secret.Value) *gandi.Client { return gandi.NewClient(k, gandi.WithEndpoint(url)) }})
	runCtx, stop := context.WithCancel(ctx)
	defer func() { stop(); engine.Close() }()
	if err := engine.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	dana.In = strings.NewReader("renew shop-prod duration=12m\napprove 1\n")
	if err := dana.Run(ctx, core); err != nil {
		t.Fatal(err)
	}
	sam := &bot.Shell{In: strings.NewReader("approvals\napprove 1\napprove 1\n"), Out: out, Team: "local", User: "sam", Channel: "shell"}
	if err := sam.Run(ctx, core); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := engine.WaitFollowUps(wctx); err != nil {
		t.Fatalf("follow-up not finished: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"dana asks to *renew shop-prod (#", // the request posted in the channel
		"approve 1",                        // its buttons, as commands to type
		"Approval request #1 posted in the channel; waiting for an approver: sam.",
		"You are not allowed to approve #1", // dana cannot approve her own request
		"ran once with dana's key",          // sam's approval
		"#1 was already approved by sam",    // sam's second approve
		"(updated)",
		"Done at",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("session output lacks %q", want)
		}
	}
	if n := sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times, want 1", n)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("session output:\n%s", text)
	}
}

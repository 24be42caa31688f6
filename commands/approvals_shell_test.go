package commands_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// lockedBuffer is one terminal written by two shells and the follow-ups.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestShell_ApprovalSession drives the real terminal adapter: dana asks
// for a renew and cannot approve it herself, sam (the approver) lists and
// approves it twice; the renew runs once and its message is updated to
// the end.
func TestShell_ApprovalSession(t *testing.T) {
	ctx := context.Background()
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 1, OperationTime: 100 * time.Millisecond})
	sim.SeedDemo(gandisim.DemoAPIKey, 3)
	dbSecret, _, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "paasbot.db"), dbSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.PutAPIKey(ctx, store.Identity{Team: "local", User: "dana"}, gandisim.DemoAPIKey); err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	dana := &bot.Shell{Out: out, Team: "local", User: "dana", Channel: "shell"}
	core, err := commands.New(commands.Config{Store: db, Notifier: dana, Approvers: []string{"sam"},
		Gandi: func(k secret.Value) *gandi.Client { return gandi.NewClient(k, gandi.WithEndpoint(url)) }})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer func() { stop(); core.Close() }()
	if err := core.Start(runCtx); err != nil {
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
	if err := core.WaitFollowUps(wctx); err != nil {
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

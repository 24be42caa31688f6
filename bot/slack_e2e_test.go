package bot

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// These tests run the whole chain for real: slack-go's socket-mode client
// against the fake Slack, the adapter, the real core, a real SQLite store
// and the Gandi simulator over XML-RPC.

var _ Core = (*commands.Core)(nil)
var _ Dedup = (*store.DB)(nil)

type e2e struct {
	*harness
	sim    *gandisim.Server
	engine *approvals.Engine // not started: a test that needs its sweep starts it
}

const (
	dana    = "U0DANA"
	sam     = "U0SAM"
	devChan = "C0DEV"
)

func newE2E(t *testing.T, fakeOpts ...slacktest.Option) *e2e {
	t.Helper()
	return newE2EApprovers(t, nil, fakeOpts...)
}

func newE2EApprovers(t *testing.T, approvers []string, fakeOpts ...slacktest.Option) *e2e {
	t.Helper()
	return newE2EWith(t, e2eOptions{approvers: approvers, fake: fakeOpts})
}

// e2eOptions shape newE2EWith: the approvers, the fake Slack's options,
// the simulator's latency and the adapter's configuration.
type e2eOptions struct {
	approvers []string
	fake      []slacktest.Option
	latency   time.Duration
	tweak     func(*SlackConfig)
	engine    func(*approvals.Config) // changes the engine's configuration
	opTime    time.Duration           // the simulator's OperationTime (0: its default)
}

func newE2EWith(t *testing.T, o e2eOptions) *e2e {
	t.Helper()
	approvers, fakeOpts := o.approvers, o.fake
	sim, url, shared := testutil.Sim(t, gandisim.Options{Seed: 1, Latency: o.latency, OperationTime: o.opTime})
	sim.SeedDemo(gandisim.DemoAPIKey, 40)
	shared.Timeout = 10 * time.Second
	client := func(key secret.Value) *gandi.Client {
		return gandi.NewClient(key, gandi.WithEndpoint(url), gandi.WithHTTPClient(shared))
	}
	var engine *approvals.Engine
	h := newHarness(t, func(p *SlackPoster, db *store.DB) Core {
		ecfg := approvals.Config{Store: db, Notifier: p, Logger: p.logger, Approvers: approvers,
			Gandi: func(key secret.Value, _ time.Duration) approvals.Client {
				c := client(key)
				return approvals.Client{PaaS: c.PaaS, Vhosts: c.Vhosts, Operations: c.Operations, Catalog: c.Catalog}
			}}
		if o.engine != nil {
			o.engine(&ecfg)
		}
		var err error
		engine, err = approvals.New(ecfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(engine.Close)
		core, err := commands.New(commands.Config{Store: db, Approvals: engine, Notifier: p, Logger: p.logger,
			Gandi: func(key secret.Value) commands.Gandi {
				c := client(key)
				return commands.FromClient(c)
			}})
		if err != nil {
			t.Fatal(err)
		}
		return core
	}, fakeOpts, o.tweak)
	return &e2e{harness: h, sim: sim, engine: engine}
}

// login stores Dana's demo key through the modal, as a person would.
func (e *e2e) login(t *testing.T, user string) {
	t.Helper()
	id := e.slash(user, devChan, "login")
	v := e.fake.WaitForView(t, func(v slacktest.View) bool { return v.TriggerID != "" && v.UserID == user }, wait)
	env, _ := e.fake.Envelope(id)
	if v.TriggerID != env.TriggerID {
		t.Errorf("views.open used trigger %q, want the slash command's %q", v.TriggerID, env.TriggerID)
	}
	sub := e.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID,
		Values: map[string]map[string]string{FormBlockID: {FormActionID: gandisim.DemoAPIKey}}})
	if ack := e.fake.WaitForAck(t, sub, wait); ack.Payload != nil {
		t.Fatalf("login with the demo key acked with %s, want the modal closed", ack.Payload)
	}
	e.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		return m.Ephemeral && m.User == user && strings.Contains(m.AllText(), "stored")
	}, wait)
}

func TestE2E_LoginThroughModal(t *testing.T) {
	e := newE2E(t)
	e.slash(dana, devChan, "login")
	v := e.fake.WaitForView(t, func(v slacktest.View) bool { return v.UserID == dana }, wait)
	if v.CallbackID != commands.FormLogin || v.PrivateMetadata != devChan {
		t.Errorf("view callback %q metadata %q", v.CallbackID, v.PrivateMetadata)
	}

	// A key Gandi refuses: the error shows on the field, in the ack.
	bad := e.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID,
		Values: map[string]map[string]string{FormBlockID: {FormActionID: "wrong000000000000000000k"}}})
	ack := e.fake.WaitForAck(t, bad, wait)
	if !bytes.Contains(ack.Payload, []byte(`"response_action":"errors"`)) || !bytes.Contains(ack.Payload, []byte(FormBlockID)) ||
		!bytes.Contains(ack.Payload, []byte("refused")) {
		t.Errorf("ack of a refused key = %s", ack.Payload)
	}
	if _, _, err := e.db.APIKey(t.Context(), store.Identity{Team: e.fake.TeamID(), User: dana}); err == nil {
		t.Error("a refused key was stored")
	}

	// The demo key: the modal closes, the key is stored encrypted.
	ok := e.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID,
		Values: map[string]map[string]string{FormBlockID: {FormActionID: gandisim.DemoAPIKey}}})
	if ack := e.fake.WaitForAck(t, ok, wait); ack.Payload != nil {
		t.Errorf("ack of the demo key = %s, want none", ack.Payload)
	}
	m := e.fake.WaitForMessage(t, func(m slacktest.Message) bool { return m.Ephemeral && strings.Contains(m.AllText(), "stored") }, wait)
	if m.Channel != devChan || m.User != dana {
		t.Errorf("confirmation in %s for %s", m.Channel, m.User)
	}
	key, _, err := e.db.APIKey(t.Context(), store.Identity{Team: e.fake.TeamID(), User: dana})
	if err != nil || key != gandisim.DemoAPIKey {
		t.Fatalf("stored key: err %v, matches %v", err, key == gandisim.DemoAPIKey)
	}
	files, _ := filepath.Glob(e.dbPath + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(gandisim.DemoAPIKey)) {
			t.Errorf("%s holds the API key in clear", filepath.Base(f))
		}
	}
	for _, c := range e.fake.Calls() {
		if strings.Contains(string(c.Body)+c.Params.Encode(), gandisim.DemoAPIKey) {
			t.Errorf("the API key travelled to Slack in %s", c.Method)
		}
	}
	for _, p := range e.fake.ResponseURLPosts() {
		if strings.Contains(p.AllText(), gandisim.DemoAPIKey) {
			t.Error("the API key was posted through a response_url")
		}
	}

	// whoami answers privately, through the response_url.
	post := e.postFor(e.slash(dana, devChan, "whoami"))
	if post.ResponseType != "ephemeral" {
		t.Errorf("whoami answered %q, want ephemeral", post.ResponseType)
	}
	e.assertNoSecrets(gandisim.DemoAPIKey)
}

func TestE2E_ListShowsShopProd(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	id := e.slash(dana, devChan, "list")
	ack := e.fake.WaitForAck(t, id, wait)
	if ack.RetryAttempt != 0 {
		t.Errorf("list acked on retry %d, want the first delivery", ack.RetryAttempt)
	}
	post := e.postFor(id)
	if post.ResponseType != "ephemeral" || !strings.Contains(post.AllText(), "shop-prod") {
		t.Errorf("list reply (%s) = %q, want shop-prod privately", post.ResponseType, post.AllText())
	}
	if env, _ := e.fake.Envelope(id); env.Deliveries != 1 {
		t.Errorf("list delivered %d times, want 1", env.Deliveries)
	}
	e.assertNoSecrets(gandisim.DemoAPIKey)
}

// TestE2E_PagingEditsInPlace: Next shows the next page in place of the
// list (replace_original through the click's response_url), with a
// Previous; Sam, who has no key, gets his own private answer and replaces
// nothing.
func TestE2E_PagingEditsInPlace(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	post := e.postFor(e.slash(dana, devChan, "list"))
	next, ok := post.Button("page")
	if !ok || next.Text != "Next" {
		t.Fatalf("list of 40 instances has no Next button: %q", post.AllText())
	}
	calls := e.sim.Calls("paas.list")
	click := e.fake.ClickButton(t.Context(), slacktest.Click{UserID: dana, ChannelID: devChan, Ephemeral: true,
		ActionID: next.ActionID, BlockID: next.BlockID, Value: next.Value, Text: next.Text})
	page2 := e.postFor(click)
	if !page2.ReplaceOriginal || !strings.Contains(page2.AllText(), "showing 26–40 of 40") || e.sim.Calls("paas.list") <= calls {
		t.Errorf("Next: replace_original %v, %q (paas.list calls %d → %d), want page 2 in place", page2.ReplaceOriginal, page2.AllText(), calls, e.sim.Calls("paas.list"))
	}
	if prev, ok := page2.Button("page"); !ok || prev.Text != "Previous" {
		t.Errorf("page 2 has no Previous: %q", page2.AllText())
	}
	// Sam has no key: the same button runs with the clicker's identity.
	other := e.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: devChan, Ephemeral: true,
		ActionID: next.ActionID, BlockID: next.BlockID, Value: next.Value, Text: next.Text})
	got := e.postFor(other)
	if !strings.Contains(strings.ToLower(got.AllText()), "login") || got.ReplaceOriginal {
		t.Errorf("Sam's click answered %q (replace %v), want to be told to log in, privately", got.AllText(), got.ReplaceOriginal)
	}
}

// TestE2E_SharedListPagesInPlaceForTheSharer: a --share'd list says who
// shared it; the sharer's Next edits the channel's message, anyone else's
// comes to them alone.
func TestE2E_SharedListPagesInPlaceForTheSharer(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	e.postFor(e.slash(dana, devChan, "list --share"))
	shared := func() []slacktest.Message {
		var out []slacktest.Message
		for _, m := range e.fake.Messages(devChan) {
			if !m.Ephemeral {
				out = append(out, m)
			}
		}
		return out
	}
	msgs := shared()
	if len(msgs) != 1 || !strings.Contains(msgs[0].AllText(), "shared by <@"+dana+">") {
		t.Fatalf("%d channel messages, want the list saying who shared it", len(msgs))
	}
	list := msgs[0]
	next, ok := list.Button("page")
	if !ok {
		t.Fatalf("shared list has no Next: %q", list.AllText())
	}
	e.postFor(e.fake.ClickButton(t.Context(), slacktest.Click{UserID: dana, ChannelID: devChan, MessageTS: list.TS, ActionID: next.ActionID}))
	edited, _ := e.fake.Message(devChan, list.TS)
	if len(edited.Versions) != 2 || !strings.Contains(edited.AllText(), "showing 26–40 of 40") || !edited.VisibleTo(sam) {
		t.Errorf("after the sharer's Next: %d versions, %q, want page 2 in place for the channel", len(edited.Versions), edited.AllText())
	}
	if n := len(shared()); n != 1 {
		t.Errorf("%d channel messages, want the one edited", n)
	}
	// Sam's Next comes to him alone (he has no key: told to log in).
	e.postFor(e.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: devChan, MessageTS: list.TS, ActionID: next.ActionID}))
	if after, _ := e.fake.Message(devChan, list.TS); len(after.Versions) != 2 {
		t.Errorf("Sam's click edited the channel's list (%d versions)", len(after.Versions))
	}
}

func TestE2E_RedeliveredListCallsGandiOnce(t *testing.T) {
	e := newE2E(t, slacktest.WithAckTimeout(time.Microsecond), slacktest.WithMaxRetries(2))
	e.login(t, dana)
	before := e.sim.Calls("paas.list")
	id := e.slash(dana, devChan, "list")
	e.fake.WaitForDeliveries(t, id, 2, wait)
	e.postFor(id)
	// A later command is served after the redeliveries were skipped.
	e.postFor(e.slash(dana, devChan, "whoami"))
	e.waitAcks(id, 2)                // both copies reached the adapter
	if err := e.stop(); err != nil { // drains every copy still queued
		t.Fatal(err)
	}
	if n := e.sim.Calls("paas.list") - before; n != 1 {
		t.Errorf("paas.list called %d times for one list delivered several times", n)
	}
	posts := 0
	for _, p := range e.fake.ResponseURLPosts() {
		if p.EnvelopeID == id && strings.Contains(p.AllText(), "shop-prod") {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("%d list replies, want 1", posts)
	}
}

func TestE2E_DisconnectThenNextCommandWorks(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	e.fake.Disconnect(slacktest.ReasonRefreshRequested)
	e.fake.WaitForConnectionsOpened(t, 2, wait)
	post := e.postFor(e.slash(dana, devChan, "list"))
	if !strings.Contains(post.AllText(), "shop-prod") {
		t.Errorf("list after reconnect = %q", post.AllText())
	}
}

// TestE2E_SharedListAnswersThroughResponseURL: a shared answer to a
// person goes in_channel through the command's response_url, so a channel
// that Slack is pacing (chat.postMessage answering 429) does not delay it.
func TestE2E_SharedListAnswersThroughResponseURL(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	e.fake.RateLimitNext("chat.postMessage", 5, time.Second)
	e.slash(dana, devChan, "list --share")
	m := e.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		return !m.Ephemeral && strings.Contains(m.AllText(), "shop-prod")
	}, wait)
	if m.Channel != devChan || m.Source != "response_url" {
		t.Errorf("shared list posted in %s by %s, want %s by response_url", m.Channel, m.Source, devChan)
	}
	if c := e.fake.CallsTo("chat.postMessage"); len(c) != 0 {
		t.Errorf("chat.postMessage called %d times for a shared answer", len(c))
	}
}

func TestE2E_MalformedPayloadThenNextCommandWorks(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	e.fake.SendRawEnvelope(t.Context(), []byte(`{"envelope_id":"bad-1","type":"interactive","payload":[1,2,3],"accepts_response_payload":true}`))
	e.fake.WaitForAck(t, "bad-1", wait)
	post := e.postFor(e.slash(dana, devChan, "list"))
	if !strings.Contains(post.AllText(), "shop-prod") {
		t.Errorf("list after a malformed payload = %q", post.AllText())
	}
	if !strings.Contains(e.logs.String(), "malformed socket-mode message skipped") {
		t.Error("the malformed payload was not logged")
	}
}

// waitApprovalMessage waits for the shared request message in devChan that
// carries an Approve button (its blocks include a context block).
func (e *e2e) waitApprovalMessage(t *testing.T) slacktest.Message {
	t.Helper()
	return e.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		_, ok := m.Button("approval.approve")
		return !m.Ephemeral && m.Channel == devChan && ok
	}, wait)
}

func TestE2E_ApprovalButtonRunsOnce(t *testing.T) {
	e := newE2EApprovers(t, []string{sam})
	e.login(t, dana)
	e.slash(dana, devChan, "renew shop-prod duration=12m")
	req := e.waitApprovalMessage(t)
	// The click names the posted message: slacktest fills in the button's
	// block, value and text from it, as Slack would.
	click := func(user string) string {
		return e.fake.ClickButton(t.Context(), slacktest.Click{UserID: user, ChannelID: devChan,
			MessageTS: req.TS, ActionID: "approval.approve"})
	}
	// The requester may not approve her own paid request (four eyes).
	refused := e.postFor(click(dana))
	if !strings.Contains(refused.AllText(), "not allowed") || e.sim.Calls("paas.renew") != 0 {
		t.Errorf("Dana's own approval answered %q, renew calls %d", refused.AllText(), e.sim.Calls("paas.renew"))
	}
	// Sam double-clicks: the renewal runs once.
	first, second := click(sam), click(sam)
	e.postFor(first)
	e.postFor(second)
	if n := e.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times after a double click, want 1", n)
	}
	e.assertNoSecrets(gandisim.DemoAPIKey)
}

// TestE2E_SharedListInAChannelWithoutTheBot: the response_url answers in
// a channel the bot is not a member of, so a shared list needs no invite.
func TestE2E_SharedListInAChannelWithoutTheBot(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	e.fake.FailChannel("C0SECRET", slacktest.ErrNotInChannel)
	id := e.slash(dana, "C0SECRET", "list --share")
	e.fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool {
		return p.EnvelopeID == id && p.ResponseType == "in_channel" && strings.Contains(p.AllText(), "shop-prod")
	}, wait)
	if c := e.fake.CallsTo("chat.postMessage"); len(c) != 0 {
		t.Errorf("chat.postMessage calls = %+v, want none", c)
	}
}

// TestE2E_GeneratedPasswordReachesOnlyTheRequester: Sam approves Dana's
// create; the password paasbot generates is sent to Dana alone, in her DM
// with the app, never as an ephemeral, to Sam's click, the channel or the
// logs.
func TestE2E_GeneratedPasswordReachesOnlyTheRequester(t *testing.T) {
	e := newE2EApprovers(t, []string{sam})
	e.login(t, dana)
	e.slash(dana, devChan, "create name=blog2 size=s type=phpmysql datacenter=1 duration=1m")
	req := e.waitApprovalMessage(t)
	e.postFor(e.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: devChan,
		MessageTS: req.TS, ActionID: "approval.approve"}))
	pw := e.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		return strings.Contains(m.AllText(), "Password of")
	}, wait)
	if pw.Visibility != slacktest.VisibleInDM || pw.Channel != e.fake.IMWith(dana) || len(pw.SeenBy) != 1 || pw.SeenBy[0] != dana {
		t.Fatalf("password shown as %s to %v in %s, want Dana's DM only", pw.Visibility, pw.SeenBy, pw.Channel)
	}
	secret := ""
	for _, line := range strings.Split(pw.AllText(), "\n") {
		if s := strings.Trim(line, "`"); strings.HasPrefix(line, "`") && len(s) >= 8 {
			secret = s
		}
	}
	if secret == "" {
		t.Fatalf("no password found in %q", pw.AllText())
	}
	if e.sim.Calls("paas.create") != 1 {
		t.Errorf("paas.create ran %d times", e.sim.Calls("paas.create"))
	}
	for _, p := range e.fake.ResponseURLPosts() {
		if strings.Contains(p.AllText(), secret) {
			t.Error("the password went through a response_url")
		}
	}
	for _, m := range e.fake.Messages("") {
		if m.TS != pw.TS && strings.Contains(m.AllText(), secret) {
			t.Errorf("the password appears in message %s/%s (ephemeral %v, for %s)", m.Channel, m.TS, m.Ephemeral, m.User)
		}
	}
	e.assertNoSecrets(gandisim.DemoAPIKey, secret)
}

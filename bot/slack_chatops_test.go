package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/store"
)

// DESIGN §9 "who is told what", end to end: slack-go's socket-mode client
// against the fake Slack, the real core and engine, a real store and the
// simulator. The assertions are Slack calls and who could see each
// message (slacktest's Visibility and SeenBy), not wording.

const (
	lee       = "U0LEE"
	apprChan  = "C0APPR"
	auditChan = "C0AUDIT"
	opsGroup  = "S0OPS"
)

// chatops is an e2e rig with quick operations and the team's channels
// declared: #dev (Dana, Sam, Lee), #approvals (Sam, Lee), #audit (Sam).
type chatops struct {
	*e2e
}

func newChatops(t *testing.T, approvers []string, tweak func(*approvals.Config)) *chatops {
	t.Helper()
	e := newE2EWith(t, e2eOptions{approvers: approvers, opTime: 300 * time.Millisecond, engine: func(c *approvals.Config) {
		c.WaitInitial, c.WaitMax = 20*time.Millisecond, 50*time.Millisecond
		c.Groups = c.Notifier.(approvals.GroupResolver)
		if tweak != nil {
			tweak(c)
		}
	}})
	e.fake.AddConversation(slacktest.Conversation{ID: devChan, Name: "dev", Members: []string{dana, sam, lee}})
	e.fake.AddConversation(slacktest.Conversation{ID: apprChan, Name: "approvals", Members: []string{sam, lee}})
	e.fake.AddConversation(slacktest.Conversation{ID: auditChan, Name: "audit", Members: []string{sam}})
	return &chatops{e2e: e}
}

// channels sets the approvals and audit channels of the engine.
func withChannels(approvalsChannel, audit string) func(*approvals.Config) {
	return func(c *approvals.Config) { c.ApprovalsChannel, c.AuditChannel = approvalsChannel, audit }
}

// request waits for the approval request (a message with an Approve
// button) posted in channel.
func (c *chatops) request(t *testing.T, channel string) slacktest.Message {
	t.Helper()
	return c.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		_, ok := m.Button("approval.approve")
		return m.Channel == channel && m.Source == "chat.postMessage" && m.ThreadTS == "" && ok
	}, wait)
}

// outcome waits for the broadcast reply in the thread of the message at
// channel/ts: the outcome of the request.
func (c *chatops) outcome(t *testing.T, channel, ts string) slacktest.Message {
	t.Helper()
	return c.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		return m.Channel == channel && m.ThreadTS == ts && m.Broadcast
	}, wait)
}

// dms waits until user has n DMs from the app and returns them.
func (c *chatops) dms(t *testing.T, user string, n int) []slacktest.Message {
	t.Helper()
	c.fake.WaitForMessage(t, func(slacktest.Message) bool { return len(c.fake.DMs(user)) >= n }, wait)
	return c.fake.DMs(user)
}

// auditLines waits until the audit channel holds n lines and returns them.
func (c *chatops) auditLines(t *testing.T, n int) []slacktest.Message {
	t.Helper()
	c.fake.WaitForMessage(t, func(slacktest.Message) bool {
		return len(c.fake.Find(slacktest.MessageFilter{Channel: auditChan, TopLevel: true})) >= n
	}, wait)
	return c.fake.Find(slacktest.MessageFilter{Channel: auditChan, TopLevel: true})
}

// onlyFor checks that m was shown to user alone, in their DM with the app.
func (c *chatops) onlyFor(t *testing.T, m slacktest.Message, user string) {
	t.Helper()
	if m.Visibility != slacktest.VisibleInDM || m.Channel != c.fake.IMWith(user) || !slices.Equal(m.SeenBy, []string{user}) {
		t.Errorf("message %s/%s shown as %s to %v, want %s's DM only", m.Channel, m.TS, m.Visibility, m.SeenBy, user)
	}
}

// opened lists the users conversations.open was called for.
func (c *chatops) opened() []string {
	var out []string
	for _, call := range c.fake.CallsTo("conversations.open") {
		out = append(out, call.Params.Get("users"))
	}
	return out
}

// TestChatops_ApprovalsChannelDMsThreadAndAudit: a paid request asked in
// #dev goes to the approvals channel; Dana gets its link privately; each
// approver a DM with its buttons; the approval behind Slack's confirm
// dialog; progress in the request's thread with the outcome broadcast;
// the request edited to its final state; Dana a DM at the decision and
// one at the end, each linking the request; the audit channel one line.
func TestChatops_ApprovalsChannelDMsThreadAndAudit(t *testing.T) {
	c := newChatops(t, []string{sam, lee}, withChannels(apprChan, auditChan))
	c.login(t, dana)
	asked := c.slash(dana, devChan, "renew shop-prod duration=12m")
	req := c.request(t, apprChan)
	link := c.fake.Permalink(apprChan, req.TS)

	if !slices.Equal(req.SeenBy, []string{lee, sam}) || req.Visibility != slacktest.VisibleToChannel {
		t.Errorf("request shown as %s to %v, want the approvals channel's members", req.Visibility, req.SeenBy)
	}
	if approve, _ := req.Button("approval.approve"); !approve.Confirm {
		t.Error("Approve of a paid request has no confirm dialog")
	}
	for _, m := range c.fake.Find(slacktest.MessageFilter{Channel: devChan}) {
		if _, ok := m.Button("approval.approve"); ok {
			t.Errorf("the request's buttons also reached #dev (%s)", m.Source)
		}
	}
	answer := c.postFor(asked)
	if answer.ResponseType != "ephemeral" || !strings.Contains(answer.AllText(), link) {
		t.Errorf("Dana's answer (%s) does not carry the request's permalink %s: %q", answer.ResponseType, link, answer.AllText())
	}
	for _, who := range []string{sam, lee} {
		dm := c.dms(t, who, 1)
		c.onlyFor(t, dm[0], who)
		if _, ok := dm[0].Button("approval.approve"); !ok || !strings.Contains(dm[0].AllText(), link) {
			t.Errorf("%s's DM has no Approve button or no link: %q", who, dm[0].AllText())
		}
	}
	if got := c.fake.DMs(dana); len(got) != 0 {
		t.Errorf("Dana got %d DMs before any decision", len(got))
	}

	c.postFor(c.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: apprChan, MessageTS: req.TS, ActionID: "approval.approve"}))
	end := c.outcome(t, apprChan, req.TS)
	if !end.InChannelView() || !end.VisibleTo(lee) {
		t.Errorf("the outcome reply is not in the channel: broadcast %v, seen by %v", end.Broadcast, end.SeenBy)
	}
	thread := c.fake.Thread(apprChan, req.TS)
	if len(thread) < 3 {
		t.Errorf("thread of the request has %d messages, want the request, its steps and the outcome", len(thread))
	}
	for _, m := range thread[1 : len(thread)-1] {
		if m.Broadcast {
			t.Errorf("a step reply was broadcast to the channel: %q", m.Text)
		}
	}
	final, _ := c.fake.Message(apprChan, req.TS)
	if _, ok := final.Button("approval.approve"); ok || final.Versions[len(final.Versions)-1].Method != "chat.update" {
		t.Errorf("the request was not edited to its final state: %d versions, still an Approve button %v", len(final.Versions), ok)
	}
	dms := c.dms(t, dana, 2)
	for _, m := range dms {
		c.onlyFor(t, m, dana)
		if !strings.Contains(m.AllText(), link) {
			t.Errorf("Dana's DM does not link the request: %q", m.AllText())
		}
	}
	if lines := c.auditLines(t, 1); len(lines) != 1 || !strings.Contains(lines[0].AllText(), link) {
		t.Errorf("audit channel = %d lines", len(lines))
	}
	if n := c.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times", n)
	}
	for _, u := range []string{sam, lee, dana} {
		if !slices.Contains(c.opened(), u) {
			t.Errorf("no conversations.open for %s: every DM opens the IM first", u)
		}
	}
	if links := c.fake.CallsTo("chat.getPermalink"); len(links) != 1 {
		t.Errorf("chat.getPermalink called %d times for one request, want 1 (a message's link never changes)", len(links))
	}
	for _, call := range c.fake.CallsTo("chat.postMessage") {
		if ch := call.Params.Get("channel"); strings.HasPrefix(ch, "U") {
			t.Errorf("a message was posted to the user id %s instead of their IM", ch)
		}
	}
	c.assertNoSecrets(gandisim.DemoAPIKey)
}

// TestChatops_PaidRequestInADM: typed in a DM with no approvals channel,
// a paid request is refused and nothing is stored or posted; with one,
// it goes there and Dana gets its link.
func TestChatops_PaidRequestInADM(t *testing.T) {
	t.Run("refused without an approvals channel", func(t *testing.T) {
		c := newChatops(t, []string{sam}, nil)
		c.login(t, dana)
		group := c.fake.AddConversation(slacktest.Conversation{Kind: slacktest.GroupDM, Members: []string{dana, lee}})
		for _, where := range []string{c.fake.IMWith(dana), group} {
			answer := c.postFor(c.slash(dana, where, "renew shop-prod duration=12m"))
			if !answer.Private || !strings.Contains(answer.AllText(), "PAASBOT_APPROVALS_CHANNEL") {
				t.Errorf("answer in %s (private %v) does not name PAASBOT_APPROVALS_CHANNEL: %q", where, answer.Private, answer.AllText())
			}
		}
		if pending, _ := c.db.PendingApprovals(t.Context(), c.fake.TeamID()); len(pending) != 0 {
			t.Errorf("%d requests stored", len(pending))
		}
		for _, m := range c.fake.Find(slacktest.MessageFilter{}) {
			if _, ok := m.Button("approval.approve"); ok {
				t.Errorf("an approval request was posted in %s", m.Channel)
			}
		}
		if len(c.fake.DMs(sam)) != 0 || c.sim.Calls("paas.renew") != 0 {
			t.Errorf("Sam got %d DMs, renew ran %d times", len(c.fake.DMs(sam)), c.sim.Calls("paas.renew"))
		}
	})
	t.Run("posted in the approvals channel", func(t *testing.T) {
		c := newChatops(t, []string{sam}, withChannels(apprChan, ""))
		c.login(t, dana)
		answer := c.postFor(c.slash(dana, c.fake.IMWith(dana), "renew shop-prod duration=12m"))
		req := c.request(t, apprChan)
		if link := c.fake.Permalink(apprChan, req.TS); !answer.Private || !strings.Contains(answer.AllText(), link) {
			t.Errorf("answer (private %v) lacks the link %s: %q", answer.Private, link, answer.AllText())
		}
	})
}

// TestChatops_UserGroupFourEyes: PAASBOT_APPROVERS names a user group;
// its members are read once (cached), its member Sam approves, the
// requester Dana (a member too) and Lee (not one) cannot, and only Sam is
// asked by DM.
func TestChatops_UserGroupFourEyes(t *testing.T) {
	c := newChatops(t, []string{opsGroup}, nil)
	c.fake.AddUserGroup(slacktest.UserGroup{ID: opsGroup, Handle: "ops", Members: []string{dana, sam}})
	c.login(t, dana)
	c.slash(dana, devChan, "renew shop-prod duration=12m")
	req := c.request(t, devChan)
	c.onlyFor(t, c.dms(t, sam, 1)[0], sam)
	if len(c.fake.DMs(dana)) != 0 || len(c.fake.DMs(lee)) != 0 {
		t.Errorf("DMs: Dana %d, Lee %d; want none (requester, not an approver)", len(c.fake.DMs(dana)), len(c.fake.DMs(lee)))
	}
	click := func(user string) string {
		return c.fake.ClickButton(t.Context(), slacktest.Click{UserID: user, ChannelID: devChan, MessageTS: req.TS, ActionID: "approval.approve"})
	}
	for _, who := range []string{dana, lee} {
		if got := c.postFor(click(who)); !got.Private {
			t.Errorf("%s's refused click answered in the channel", who)
		}
	}
	if n := c.sim.Calls("paas.renew"); n != 0 {
		t.Fatalf("paas.renew ran %d times before an approver's click", n)
	}
	c.postFor(click(sam))
	c.outcome(t, devChan, req.TS)
	if n := c.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times", n)
	}
	if calls := c.fake.CallsTo("usergroups.users.list"); len(calls) != 1 || calls[0].Params.Get("usergroup") != opsGroup {
		t.Errorf("usergroups.users.list calls = %d, want 1 (its members cached)", len(calls))
	}
}

// TestChatops_PasswordOnlyByDM: the password of an approved create goes
// to Dana's DM only. When that DM cannot be sent, nothing less private is
// tried: the call is not sent, and Dana is told privately, without it.
func TestChatops_PasswordOnlyByDM(t *testing.T) {
	t.Run("delivered by DM", func(t *testing.T) {
		c := newChatops(t, []string{sam}, nil)
		c.login(t, dana)
		c.slash(dana, devChan, "create name=blog2 size=s type=phpmysql datacenter=1 duration=1m")
		req := c.request(t, devChan)
		c.postFor(c.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: devChan, MessageTS: req.TS, ActionID: "approval.approve"}))
		c.outcome(t, devChan, req.TS)
		var holders []slacktest.Message
		for _, m := range c.fake.Find(slacktest.MessageFilter{}) {
			if strings.Contains(m.AllText(), "```") && strings.Contains(m.AllText(), "blog2") && m.Channel == c.fake.IMWith(dana) {
				holders = append(holders, m)
			}
		}
		if len(holders) != 1 {
			t.Fatalf("%d DMs carry the password, want 1", len(holders))
		}
		c.onlyFor(t, holders[0], dana)
		pw := passwordIn(holders[0].AllText())
		if pw == "" {
			t.Fatalf("no password in %q", holders[0].AllText())
		}
		for _, m := range c.fake.Find(slacktest.MessageFilter{IncludeDeleted: true}) {
			if m.TS != holders[0].TS && strings.Contains(m.AllText(), pw) {
				t.Errorf("the password also appears in %s (%s, seen by %v)", m.Channel, m.Visibility, m.SeenBy)
			}
		}
		c.assertNoSecrets(gandisim.DemoAPIKey, pw)
	})
	t.Run("DM refused", func(t *testing.T) {
		c := newChatops(t, []string{sam}, nil)
		c.login(t, dana)
		c.slash(dana, devChan, "create name=blog3 size=s type=phpmysql datacenter=1 duration=1m")
		req := c.request(t, devChan)
		c.fake.FailDM(dana, slacktest.ErrUserDisabled)
		c.postFor(c.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: devChan, MessageTS: req.TS, ActionID: "approval.approve"}))
		told := c.fake.WaitForMessage(t, func(m slacktest.Message) bool {
			return m.Visibility == slacktest.VisibleToOne && m.User == dana && strings.Contains(m.AllText(), "reset-password")
		}, wait)
		if told.Channel != devChan || !slices.Equal(told.SeenBy, []string{dana}) {
			t.Errorf("Dana told in %s, seen by %v", told.Channel, told.SeenBy)
		}
		c.outcome(t, devChan, req.TS)
		if n := c.sim.Calls("paas.create"); n != 0 {
			t.Errorf("paas.create ran %d times with a password nobody received", n)
		}
		for _, m := range c.fake.Find(slacktest.MessageFilter{IncludeDeleted: true}) {
			if strings.Contains(m.AllText(), "```") && strings.Contains(m.AllText(), "Password") {
				t.Errorf("a password was shown in %s (%s)", m.Channel, m.Visibility)
			}
		}
		if a, _ := c.db.Approval(t.Context(), 1); a == nil || a.State != store.StateFailed {
			t.Errorf("request state = %v, want failed", a)
		}
	})
}

// passwordIn finds the password in a password DM's text (its ``` line).
func passwordIn(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if s := strings.Trim(line, "`"); strings.HasPrefix(line, "```") && len(s) >= 8 {
			return s
		}
	}
	return ""
}

// TestChatops_RestartAnnounced: a confirmed restart is announced in the
// channel where it was asked (the prompt stays private), the announcement
// is edited to its outcome with its progress in its thread, and the audit
// channel gets its line; asked in a DM, it is announced in the audit
// channel.
func TestChatops_RestartAnnounced(t *testing.T) {
	c := newChatops(t, nil, withChannels("", auditChan))
	c.login(t, dana)
	for _, tc := range []struct {
		name, asked, announced, target string
	}{
		{"in a channel", devChan, devChan, "shop-staging"},
		{"in a DM", c.fake.IMWith(dana), auditChan, "blog"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			about := func() int {
				n := 0
				for _, m := range c.fake.Find(slacktest.MessageFilter{Channel: tc.announced, TopLevel: true}) {
					if strings.Contains(m.AllText(), tc.target) {
						n++
					}
				}
				return n
			}
			prompt := c.postFor(c.slash(dana, tc.asked, "restart "+tc.target))
			confirm, ok := prompt.Button("approval.approve")
			if !ok || !prompt.Private {
				t.Fatalf("restart prompt (private %v) has no Confirm button: %q", prompt.Private, prompt.AllText())
			}
			if about() != 0 {
				t.Errorf("the restart of %s was posted in %s before its confirmation", tc.target, tc.announced)
			}
			click := c.fake.ClickButton(t.Context(), slacktest.Click{UserID: dana, ChannelID: tc.asked, Ephemeral: true,
				ActionID: confirm.ActionID, BlockID: confirm.BlockID, Value: confirm.Value, Text: confirm.Text})
			if got := c.postFor(click); !got.ReplaceOriginal || !got.Private {
				t.Errorf("the prompt was not replaced privately (replace %v, private %v)", got.ReplaceOriginal, got.Private)
			}
			ann := c.fake.WaitForMessage(t, func(m slacktest.Message) bool {
				return m.Channel == tc.announced && m.ThreadTS == "" && m.Source == "chat.postMessage" && strings.Contains(m.AllText(), tc.target)
			}, wait)
			if ann.Visibility != slacktest.VisibleToChannel || !ann.VisibleTo(sam) {
				t.Errorf("announcement shown as %s to %v", ann.Visibility, ann.SeenBy)
			}
			end := c.outcome(t, tc.announced, ann.TS)
			if !end.InChannelView() {
				t.Error("the outcome of the restart stayed in its thread")
			}
			if final, _ := c.fake.Message(tc.announced, ann.TS); final.Versions[len(final.Versions)-1].Method != "chat.update" {
				t.Error("the announcement was not edited to its outcome")
			}
		})
	}
	if n := c.sim.Calls("paas.restart"); n != 2 {
		t.Errorf("paas.restart ran %d times, want 2", n)
	}
	// Each restart's line, and the announcement of the one asked in a DM
	// with its outcome broadcast from its thread.
	var roots, broadcasts int
	for _, m := range c.auditLines(t, 4) {
		if m.ThreadTS == "" {
			roots++
		} else if m.Broadcast {
			broadcasts++
		}
	}
	if roots != 3 || broadcasts != 1 {
		t.Errorf("audit channel holds %d messages and %d broadcast replies, want 3 and 1", roots, broadcasts)
	}
}

// TestChatops_DenyFormWithReason: Deny opens a form; its reason reaches
// Dana by DM and the audit channel; the request ends denied.
func TestChatops_DenyFormWithReason(t *testing.T) {
	c := newChatops(t, []string{sam}, withChannels("", auditChan))
	c.login(t, dana)
	c.slash(dana, devChan, "renew shop-prod duration=12m")
	req := c.request(t, devChan)
	deny := c.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: devChan, MessageTS: req.TS, ActionID: "approval.deny"})
	env, _ := c.fake.Envelope(deny)
	form := c.fake.WaitForView(t, func(v slacktest.View) bool { return v.UserID == sam && v.CallbackID == DenyFormID }, wait)
	if form.TriggerID != env.TriggerID {
		t.Errorf("deny form opened with trigger %q, want the click's %q", form.TriggerID, env.TriggerID)
	}
	if a, _ := c.db.Approval(t.Context(), 1); a.State != store.StatePending {
		t.Fatalf("opening the form moved the request to %s", a.State)
	}
	const reason = "not before the Black Friday sale"
	sub := c.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: form.ID,
		Values: map[string]map[string]string{DenyReasonBlockID: {DenyReasonActionID: reason}}})
	if ack := c.fake.WaitForAck(t, sub, wait); ack.Payload != nil {
		t.Errorf("deny form acked with %s, want it closed", ack.Payload)
	}
	dm := c.dms(t, dana, 1)[0]
	c.onlyFor(t, dm, dana)
	if !strings.Contains(dm.AllText(), reason) {
		t.Errorf("Dana's DM lacks the reason: %q", dm.AllText())
	}
	if lines := c.auditLines(t, 1); !strings.Contains(lines[0].AllText(), reason) {
		t.Errorf("audit line lacks the reason: %q", lines[0].AllText())
	}
	c.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		_, ok := m.Button("approval.approve")
		return m.Channel == devChan && m.TS == req.TS && !ok
	}, wait)
	if a, _ := c.db.Approval(t.Context(), 1); a.State != store.StateDenied || c.sim.Calls("paas.renew") != 0 {
		t.Errorf("request %s, renew calls %d", a.State, c.sim.Calls("paas.renew"))
	}
}

// TestChatops_Unreachable: the approvals channel refuses the post and two
// approvers cannot be DMed (a bot, a deactivated account): the request
// still exists, Dana is told privately who could not be reached, and the
// approver who could be reached approves it from their DM.
func TestChatops_Unreachable(t *testing.T) {
	const botApprover, goneApprover = "U0BOTAPP", "U0GONE"
	for _, tc := range []struct {
		name    string
		channel slacktest.Conversation
	}{
		{"not in channel", slacktest.Conversation{ID: "C0NOBOT", Kind: slacktest.PublicChannel, Members: []string{sam}, BotAbsent: true}},
		{"channel not found", slacktest.Conversation{ID: "G0HIDDEN", Kind: slacktest.PrivateChannel, Members: []string{sam}, BotAbsent: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newChatops(t, []string{sam, botApprover, goneApprover}, withChannels(tc.channel.ID, ""))
			c.fake.AddConversation(tc.channel)
			c.fake.AddUser(slacktest.User{ID: botApprover, Bot: true})
			c.fake.AddUser(slacktest.User{ID: goneApprover, Deactivated: true})
			c.login(t, dana)
			answer := c.postFor(c.slash(dana, devChan, "renew shop-prod duration=12m"))
			if pending, _ := c.db.PendingApprovals(t.Context(), c.fake.TeamID()); len(pending) != 1 {
				t.Fatalf("%d pending requests, want the one asked", len(pending))
			}
			for _, who := range []string{botApprover, goneApprover} {
				if !strings.Contains(answer.AllText(), "<@"+who+">") {
					t.Errorf("Dana is not told that %s could not be reached: %q", who, answer.AllText())
				}
			}
			if len(c.fake.Find(slacktest.MessageFilter{Channel: tc.channel.ID})) != 0 {
				t.Errorf("a message reached %s", tc.channel.ID)
			}
			dm := c.dms(t, sam, 1)[0]
			c.postFor(c.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: dm.Channel, MessageTS: dm.TS, ActionID: "approval.approve"}))
			c.fake.WaitForMessage(t, func(slacktest.Message) bool { return len(c.fake.DMs(dana)) >= 2 }, wait)
			if n := c.sim.Calls("paas.renew"); n != 1 {
				t.Errorf("paas.renew ran %d times", n)
			}
		})
	}
}

// TestChatops_ReminderAndExpiry: with the engine's sweep running, each
// approver gets one reminder by DM once 80% of the request's time to live
// has passed, and the requester a DM when it expires, as does the audit
// channel. The time to live is short and real: the store's clock is the
// wall clock here, so the test waits on the DMs, never on a duration.
func TestChatops_ReminderAndExpiry(t *testing.T) {
	const ttl = 6 * time.Second // the reminder is due at 4.8 s
	c := newChatops(t, []string{sam, lee}, func(cfg *approvals.Config) {
		cfg.TTL, cfg.SweepEvery, cfg.AuditChannel = ttl, 25*time.Millisecond, auditChan
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := c.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c.login(t, dana)
	c.slash(dana, devChan, "renew shop-prod duration=12m")
	req := c.request(t, devChan)
	for _, who := range []string{sam, lee} {
		if got := c.dms(t, who, 1); len(got) != 1 {
			t.Fatalf("%s got %d DMs when the request was posted", who, len(got))
		}
	}
	c.fake.WaitForMessage(t, func(slacktest.Message) bool {
		a, _ := c.db.Approval(t.Context(), 1)
		return a != nil && a.State == store.StateExpired && len(c.fake.DMs(dana)) == 1 &&
			len(c.fake.Find(slacktest.MessageFilter{Channel: auditChan, TopLevel: true})) == 1
	}, wait+ttl)
	for _, who := range []string{sam, lee} {
		dms := c.fake.DMs(who)
		if len(dms) != 2 {
			t.Errorf("%s got %d DMs, want the request and one reminder", who, len(dms))
			continue
		}
		c.onlyFor(t, dms[1], who)
		if _, ok := dms[1].Button("approval.approve"); !ok {
			t.Errorf("%s's reminder has no Approve button", who)
		}
	}
	c.onlyFor(t, c.fake.DMs(dana)[0], dana)
	if final, _ := c.fake.Message(devChan, req.TS); len(final.Versions) < 2 {
		t.Error("the expired request was not edited")
	}
}

// TestChatops_SlackCallsPerRequest counts the Web API calls of one paid
// request's whole life (two approvers, a renewal of two operations): each
// DM opens its IM (one conversations.open per DM, never one per person
// remembered), the request's link is asked once, and every post is one of
// the messages §9 lists. BENCHMARKS.md quotes the counts it logs:
//
//	go test ./bot -run TestChatops_SlackCallsPerRequest -v
func TestChatops_SlackCallsPerRequest(t *testing.T) {
	c := newChatops(t, []string{sam, lee}, withChannels(apprChan, auditChan))
	c.login(t, dana)
	before := len(c.fake.Calls())
	asked := c.slash(dana, devChan, "renew shop-prod duration=12m")
	req := c.request(t, apprChan)
	c.postFor(asked)
	c.dms(t, sam, 1)
	c.dms(t, lee, 1)
	c.postFor(c.fake.ClickButton(t.Context(), slacktest.Click{UserID: sam, ChannelID: apprChan, MessageTS: req.TS, ActionID: "approval.approve"}))
	c.outcome(t, apprChan, req.TS)
	c.dms(t, dana, 2)
	c.auditLines(t, 1)
	count := map[string]int{}
	for _, call := range c.fake.Calls()[before:] {
		count[call.Method]++
	}
	dms := len(c.fake.DMs(sam)) + len(c.fake.DMs(lee)) + len(c.fake.DMs(dana))
	thread := len(c.fake.Thread(apprChan, req.TS)) - 1
	if count["conversations.open"] != dms || dms != 4 {
		t.Errorf("conversations.open %d for %d DMs, want one per DM and 4 DMs", count["conversations.open"], dms)
	}
	// The request, the DMs, its thread (steps and outcome), the audit line.
	if want := 1 + dms + thread + 1; count["chat.postMessage"] != want {
		t.Errorf("chat.postMessage %d, want %d", count["chat.postMessage"], want)
	}
	if count["chat.getPermalink"] != 1 {
		t.Errorf("chat.getPermalink %d, want 1", count["chat.getPermalink"])
	}
	t.Logf("Slack calls for one paid request, 2 approvers, 2 operations: %v (thread replies %d)", count, thread)
}

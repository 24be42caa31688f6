package approvals

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// chatNotifier is a Notifier with every optional capability of a chat
// transport: DMs (refused for the users in refuse), thread replies,
// permalinks and user groups, each recorded.
type chatNotifier struct {
	*testutil.Notifier
	mu      sync.Mutex
	dms     []testutil.Private
	replies []threadReply
	groups  map[string][]string
	reads   int // GroupMembers calls
	refuse  map[string]bool
	changes []Change
}

type threadReply struct {
	parent    reply.Ref
	msg       reply.Message
	broadcast bool
}

func newChatNotifier() *chatNotifier {
	return &chatNotifier{Notifier: &testutil.Notifier{}, groups: map[string][]string{}, refuse: map[string]bool{}}
}

func (n *chatNotifier) DM(_ context.Context, user string, m reply.Message) (reply.Ref, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.refuse[user] {
		return reply.Ref{}, &apperr.Error{Code: apperr.EINVALID, Message: "their Slack account is deactivated"}
	}
	n.dms = append(n.dms, testutil.Private{Channel: "D" + user, User: user, Msg: m})
	return reply.Ref{Channel: "D" + user, ID: "dm"}, nil
}

func (n *chatNotifier) Reply(_ context.Context, parent reply.Ref, m reply.Message, broadcast bool) (reply.Ref, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.replies = append(n.replies, threadReply{parent, m, broadcast})
	return reply.Ref{Channel: parent.Channel, ID: "reply"}, nil
}

func (n *chatNotifier) Permalink(_ context.Context, ref reply.Ref) (string, error) {
	return "https://slack.test/archives/" + ref.Channel + "/p" + ref.ID, nil
}

func (n *chatNotifier) GroupMembers(_ context.Context, group string) ([]string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.reads++
	users, ok := n.groups[group]
	if !ok {
		return nil, errors.New("missing_scope")
	}
	return slices.Clone(users), nil
}

func (n *chatNotifier) onChange(_ context.Context, c Change) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.changes = append(n.changes, c)
}

// dmsTo returns the DMs user got so far.
func (n *chatNotifier) dmsTo(user string) []reply.Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []reply.Message
	for _, d := range n.dms {
		if d.User == user {
			out = append(out, d.Msg)
		}
	}
	return out
}

// posted returns what was posted in channel.
func (n *chatNotifier) posted(channel string) []testutil.Post {
	posts, _, _ := n.Snapshot()
	return slices.DeleteFunc(posts, func(p testutil.Post) bool { return p.Ref.Channel != channel })
}

const apvAudit = "CAUDIT"

// chatRig is the engine rig on a chatNotifier, with cfg changed by tweak.
func chatRig(t *testing.T, tweak func(*Config), approvers ...string) (*apvRig, *chatNotifier) {
	t.Helper()
	r := newApvRig(t)
	n := newChatNotifier()
	r.engine.Close()
	r.engine = r.newEngineWith(func(c *Config) {
		c.Notifier, c.Groups, c.Approvers, c.OnChange = n, n, approvers, n.onChange
		if tweak != nil {
			tweak(c)
		}
	})
	return r, n
}

// TestTell_OneReminderAt80Percent: each approver gets a DM when the
// request waits, and one reminder once 80% of its time to live has
// passed, however often and by however many processes the sweep runs.
func TestTell_OneReminderAt80Percent(t *testing.T) {
	r, n := chatRig(t, nil, apvApprover, apvOther)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	for _, u := range []string{apvApprover, apvOther} {
		if got := n.dmsTo(u); len(got) != 1 || len(got[0].Buttons) == 0 {
			t.Fatalf("%s's DMs when the request waits = %+v, want one with its buttons", u, got)
		}
	}
	if got := n.dmsTo(apvRequester); len(got) != 0 {
		t.Errorf("the requester got %d DMs about her own request", len(got))
	}
	ctx := t.Context()
	r.clock.Advance(19 * time.Hour) // 79% of 24 h
	if err := r.engine.sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := n.dmsTo(apvApprover); len(got) != 1 {
		t.Fatalf("reminded before 80%%: %d DMs", len(got))
	}
	r.clock.Advance(30 * time.Minute)
	second := r.openProcess() // another process on the same database
	other := r.newEngineWith(func(c *Config) { c.Store, c.Notifier, c.Approvers = second, n, []string{apvApprover, apvOther} })
	for range 3 {
		if err := r.engine.sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if err := other.remind(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{apvApprover, apvOther} {
		if got := n.dmsTo(u); len(got) != 2 || len(got[1].Buttons) == 0 {
			t.Errorf("%s got %d DMs, want the request and one reminder with its buttons", u, len(got))
		}
	}
	if a := r.approval(id); a.RemindedAt == nil || a.State != store.StatePending {
		t.Errorf("request after the reminder: %s, reminded %v", a.State, a.RemindedAt)
	}
}

// TestTell_UserGroupCachedFiveMinutes: a group's members are read when
// needed and trusted for 5 minutes: someone removed from the group stops
// approving once that has passed; a group that cannot be read lets nobody
// approve through it.
func TestTell_UserGroupCachedFiveMinutes(t *testing.T) {
	r, n := chatRig(t, nil, "S0OPS", "S0GONE")
	n.groups["S0OPS"] = []string{apvApprover, apvRequester}
	ctx := t.Context()
	e := r.engine
	if !e.isApprover(ctx, apvApprover) || e.isApprover(ctx, apvOther) {
		t.Fatal("group members not read")
	}
	reads := n.reads
	n.mu.Lock()
	n.groups["S0OPS"] = []string{apvOther}
	n.mu.Unlock()
	r.clock.Advance(4 * time.Minute)
	if !e.isApprover(ctx, apvApprover) || n.reads != reads {
		t.Errorf("within 5 minutes: approver %v, reads %d → %d", e.isApprover(ctx, apvApprover), reads, n.reads)
	}
	r.clock.Advance(time.Minute + time.Second)
	if e.isApprover(ctx, apvApprover) || !e.isApprover(ctx, apvOther) {
		t.Error("after 5 minutes the group was not read again")
	}
	if !e.IsApprover(apvOther) || e.IsApprover(apvApprover) {
		t.Error("IsApprover does not follow the group as last read")
	}
	// The requester is never among the people a request waits for.
	n.mu.Lock()
	n.groups["S0OPS"] = []string{apvApprover, apvRequester}
	n.mu.Unlock()
	r.clock.Advance(DefaultGroupTTL)
	if got := e.deciders(ctx, apvRequester, true); !slices.Equal(got, []string{apvApprover}) {
		t.Errorf("deciders = %v", got)
	}
	if !strings.Contains(r.logs.String(), "S0GONE") {
		t.Error("a group that cannot be read is not logged")
	}
}

// TestTell_RequesterAndAuditChannel: the requester hears of each move by
// DM (decision, end), with the request's link; the audit channel gets
// exactly one line per outcome: refused, denied, expired, done,
// interrupted; OnChange hears each move.
func TestTell_RequesterAndAuditChannel(t *testing.T) {
	r, n := chatRig(t, func(c *Config) { c.AuditChannel = apvAudit }, apvApprover)
	lines := func() int { return len(n.posted(apvAudit)) }
	wantLine := func(step string, want int) {
		t.Helper()
		if got := lines(); got != want {
			t.Errorf("after %s: %d audit lines, want %d", step, got, want)
		}
	}

	bad := r.renewPlan("shop-prod")
	bad.Renew.Duration = "0m"
	if _, err := r.proposeRaw(bad); err == nil {
		t.Fatal("a renewal of 0 months was accepted")
	}
	wantLine("a refused request", 1)

	denied, _ := r.propose(r.renewPlan("shop-prod"))
	wantLine("a request", 1)
	m, err := r.engine.Deny(t.Context(), Actor{Team: apvTeam, User: apvApprover, Channel: apvChannel, Reason: "not now"}, denied)
	if err != nil {
		t.Fatalf("deny: %v (%s)", err, testutil.Text(m))
	}
	wantLine("a denial", 2)
	dms := n.dmsTo(apvRequester)
	if len(dms) != 1 || !strings.Contains(testutil.Text(dms[0]), "not now") || !strings.Contains(testutil.Text(dms[0]), "https://slack.test/") {
		t.Fatalf("requester's DMs after the denial = %+v", dms)
	}

	expiring, _ := r.propose(r.renewPlan("blog"))
	r.clock.Advance(DefaultTTL + time.Minute)
	if err := r.engine.sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	wantLine("an expiry", 3)
	if a := r.approval(expiring); a.State != store.StateExpired || len(n.dmsTo(apvRequester)) != 2 {
		t.Errorf("expiry: state %s, requester DMs %d", a.State, len(n.dmsTo(apvRequester)))
	}

	done, _ := r.propose(r.renewPlan("shop-prod"))
	r.click(apvApprover, "approval.approve", done)
	r.waitFollowed(done)
	wantLine("a renewal that ran", 4)
	if got := len(n.dmsTo(apvRequester)); got != 4 {
		t.Errorf("requester DMs after approval and end = %d, want 4", got)
	}
	n.mu.Lock()
	var outcome []threadReply
	for _, rp := range n.replies {
		if rp.broadcast {
			outcome = append(outcome, rp)
		}
	}
	n.mu.Unlock()
	if a := r.approval(done); len(outcome) != 1 || outcome[0].parent.ID != a.MessageID {
		t.Errorf("broadcast replies = %+v, want one in the thread of %s", outcome, a.MessageID)
	}

	sent, _ := r.propose(r.renewPlan("blog"))
	r.crashedAt(sent, "sent")
	before := lines()
	r.engine.Close()
	r.clock.Advance(store.LeaseTTL + time.Second)
	r.db = r.openProcess()
	r.engine = r.newEngineWith(func(c *Config) {
		c.Notifier, c.Approvers, c.AuditChannel, c.OnChange = n, []string{apvApprover}, apvAudit, n.onChange
	})
	if err := r.engine.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := lines() - before; got != 1 || r.approval(sent).State != store.StateInterrupted {
		t.Errorf("interruption: %d audit lines, state %s", got, r.approval(sent).State)
	}

	n.mu.Lock()
	var states []string
	for _, c := range n.changes {
		if c.ID == done {
			states = append(states, c.State)
			if !slices.Equal(c.Deciders, []string{apvApprover}) {
				t.Errorf("OnChange of %s named deciders %v, want the approver", c.State, c.Deciders)
			}
		}
	}
	n.mu.Unlock()
	if want := []string{"pending", "approved", "done"}; !slices.Equal(states, want) {
		t.Errorf("OnChange heard %v of the renewal, want %v", states, want)
	}
}

// TestTell_UndeliverablePasswordNotSent: when the requester's DM cannot be
// sent, the call that would set a password is not sent, the password goes
// nowhere else, and the requester is told privately.
func TestTell_UndeliverablePasswordNotSent(t *testing.T) {
	r, n := chatRig(t, nil, apvApprover)
	id := r.ids["shop-prod"]
	target := InstanceLabel(id, "shop-prod")
	aid, _ := r.propose(Plan{Action: ActionUpdate, InstanceID: id, Target: target, Update: &gandi.PaasUpdateParams{}, GeneratePassword: true,
		Summary: []reply.Field{{Label: "Instance", Value: target}}})
	n.mu.Lock()
	n.refuse[apvRequester] = true
	n.mu.Unlock()
	r.click(apvApprover, "approval.approve", aid)
	if c := r.sim.Calls("paas.update"); c != 0 {
		t.Errorf("paas.update ran %d times with a password nobody received", c)
	}
	_, _, privates := n.Snapshot()
	if len(privates) != 1 || privates[0].User != apvRequester || privates[0].Channel != apvChannel ||
		strings.Contains(testutil.Text(privates[0].Msg), "```") {
		t.Errorf("private notes = %+v, want one to the requester without the password", privates)
	}
	if a := r.approval(aid); a.State != store.StateFailed {
		t.Errorf("state = %s, want failed", a.State)
	}
}

package approvals

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

func TestApprovals_ProposePostsRequest(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, m := r.propose(r.renewPlan("shop-prod"))
	if m.Visibility != reply.Private || !strings.Contains(m.Text, "Approval request #1 posted") || !strings.Contains(m.Text, "{@USAM}") {
		t.Errorf("reply to the requester = %+v", m)
	}
	posts, _, _ := r.note.Snapshot()
	if len(posts) != 1 || posts[0].Ref.Channel != apvChannel {
		t.Fatalf("posts = %+v", posts)
	}
	p := posts[0].Msg
	text := testutil.Text(p)
	for _, want := range []string{"Approval #1: Renew shop-prod", "{@UDANA} asks to", "Gandi offers no dry run for paas.renew", "Duration: 12m", "Size: m",
		"Expiry: 2027-06-10 → 2028-06-10", "Price: about",
		"Expires 2026-11-23", "[Approve approval.approve 1 approve 1]", "[Deny approval.deny 1 deny 1]", "[Cancel approval.cancel 1 cancel 1]",
		"Approvers: {@USAM}"} {
		if !strings.Contains(text, want) {
			t.Errorf("posted request lacks %q:\n%s", want, text)
		}
	}
	if p.Visibility != reply.Shared {
		t.Errorf("request visibility = %v, want shared", p.Visibility)
	}
	a := r.approval(id)
	if a.MessageChannel != apvChannel || a.MessageID != posts[0].Ref.ID || a.State != store.StatePending {
		t.Errorf("stored approval = %+v", a)
	}
	if got := r.sim.DryRuns("paas.renew") + r.sim.Calls("paas.renew"); got != 0 {
		t.Errorf("paas.renew was sent %d times before any approval", got)
	}
	if !strings.Contains(r.audit(), "UDANA|request paas.renew #1|renew shop-prod") {
		t.Errorf("audit lacks the request:\n%s", r.audit())
	}
}

func TestApprovals_ConcurrentApproveRunsOnce(t *testing.T) {
	approvers := []string{"USAM", "UALEX", "UKIM", "ULEE", "UMAX"}
	r := newApvRig(t, approvers...)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	const clicks = 50
	replies := make([]reply.Message, clicks)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clicks {
		wg.Go(func() {
			<-start
			replies[i] = r.click(approvers[i%len(approvers)], "approval.approve", id)
		})
	}
	close(start)
	wg.Wait()
	if got := r.sim.Calls("paas.renew"); got != 1 {
		t.Fatalf("paas.renew ran %d times for %d concurrent approvals, want exactly 1", got, clicks)
	}
	ok, refused := 0, 0
	for _, m := range replies {
		switch {
		case m.Tone == reply.Success:
			ok++
		case m.Tone == reply.Error && m.Visibility == reply.Private && strings.Contains(m.Text, "#1 was already approved"):
			refused++
		default:
			t.Errorf("unexpected reply: %+v", m)
		}
	}
	if ok != 1 || refused != clicks-1 {
		t.Errorf("%d successes and %d refusals, want 1 and %d", ok, refused, clicks-1)
	}
	a := r.waitFollowed(id)
	if a.State != store.StateDone {
		t.Errorf("state = %s, want done", a.State)
	}
	// A retried envelope after the end changes nothing either.
	if m := r.click(approvers[0], "approval.approve", id); !strings.Contains(m.Text, "already approved") {
		t.Errorf("late click = %+v", m)
	}
	if got := r.sim.Calls("paas.renew"); got != 1 {
		t.Errorf("paas.renew ran %d times after a retry", got)
	}
}

func TestApprovals_Policy(t *testing.T) {
	t.Run("SelfApprovalRefusedWithApprovers", func(t *testing.T) {
		r := newApvRig(t, apvApprover, apvRequester)
		id, _ := r.propose(r.renewPlan("shop-prod"))
		_, before, _ := r.note.Snapshot()
		m := r.click(apvRequester, "approval.approve", id)
		if m.Tone != reply.Error || m.Visibility != reply.Private || !strings.Contains(m.Text, "not allowed to approve #1") ||
			!strings.Contains(m.Text, "other than the requester") || !strings.Contains(m.Text, "withdraw it with `cancel 1`") {
			t.Errorf("self approval reply = %+v", m)
		}
		r.assertUnchanged(id, len(before))
	})
	t.Run("NonApproverRefused", func(t *testing.T) {
		r := newApvRig(t, apvApprover)
		id, _ := r.propose(r.renewPlan("shop-prod"))
		_, before, _ := r.note.Snapshot()
		for _, action := range []string{"approval.approve", "approval.deny", "approval.cancel"} {
			m := r.click(apvOther, action, id)
			if m.Tone != reply.Error || m.Visibility != reply.Private || !strings.Contains(m.Text, "Nothing changed") {
				t.Errorf("%s by a stranger = %+v", action, m)
			}
			if action == "approval.approve" && !strings.Contains(m.Text, "{@USAM}") {
				t.Errorf("refusal does not name who may approve: %q", m.Text)
			}
		}
		r.assertUnchanged(id, len(before))
	})
	t.Run("NoApproversRequesterConfirms", func(t *testing.T) {
		r := newApvRig(t)
		id, _ := r.propose(r.renewPlan("shop-prod"))
		if m := r.click(apvOther, "approval.approve", id); !strings.Contains(m.Text, "only {@UDANA}, who asked for it, can approve it") {
			t.Errorf("stranger = %+v", m)
		}
		if m := r.click(apvRequester, "approval.approve", id); m.Tone != reply.Success {
			t.Fatalf("requester's own confirmation = %+v", m)
		}
		r.waitFollowed(id)
		if got := r.sim.Calls("paas.renew"); got != 1 {
			t.Errorf("paas.renew calls = %d", got)
		}
	})
	t.Run("RequesterCancels", func(t *testing.T) {
		r := newApvRig(t, apvApprover)
		id, _ := r.propose(r.renewPlan("shop-prod"))
		m := r.click(apvRequester, "approval.deny", id) // the requester's deny is a cancel
		if m.Tone == reply.Error {
			t.Fatalf("cancel = %+v", m)
		}
		a := r.approval(id)
		if a.State != store.StateCancelled || a.DecidedBy != apvRequester {
			t.Errorf("after cancel: %+v", a)
		}
		upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
		if !strings.Contains(upd.Text, "Cancelled by {@UDANA} at 2026-11-22 10:00") || len(upd.Buttons) != 0 {
			t.Errorf("message after cancel = %+v", upd)
		}
		if m := r.click(apvApprover, "approval.approve", id); !strings.Contains(m.Text, "was cancelled") {
			t.Errorf("approve after cancel = %+v", m)
		}
		if got := r.sim.Calls("paas.renew"); got != 0 {
			t.Errorf("paas.renew calls = %d", got)
		}
	})
}

// assertUnchanged checks that approval id is still pending, undecided, its
// message not updated since nUpdates, and nothing ran.
func (r *apvRig) assertUnchanged(id int64, nUpdates int) {
	r.t.Helper()
	a := r.approval(id)
	if a.State != store.StatePending || a.DecidedBy != "" {
		r.t.Errorf("approval changed: %+v", a)
	}
	if _, updates, _ := r.note.Snapshot(); len(updates) != nUpdates {
		r.t.Errorf("message updated %d times by refused clicks", len(updates)-nUpdates)
	}
	if got := r.sim.Calls("paas.renew"); got != 0 {
		r.t.Errorf("paas.renew ran %d times", got)
	}
}

func TestApprovals_Expired(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	r.clock.Advance(24*time.Hour + time.Minute)
	m := r.click(apvApprover, "approval.approve", id)
	if m.Tone != reply.Error || !strings.Contains(m.Text, "#1 expired at 2026-11-23 10:00") || !strings.Contains(m.Text, "nothing was done") {
		t.Errorf("approve after expiry = %+v", m)
	}
	a := r.approval(id)
	if a.State != store.StateExpired {
		t.Errorf("state = %s, want expired", a.State)
	}
	upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	if !strings.Contains(upd.Text, "Expired at") || len(upd.Buttons) != 0 {
		t.Errorf("message after expiry = %+v", upd)
	}
	if got := r.sim.Calls("paas.renew"); got != 0 {
		t.Errorf("paas.renew ran %d times", got)
	}
	if au := r.audit(); strings.Contains(au, "|approve paas.renew") || !strings.Contains(au, "paasbot|expire paas.renew #1|renew shop-prod (#") {
		t.Errorf("audit:\n%s", r.audit())
	}
}

func TestApprovals_ExpirySweepUpdatesMessages(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	r.clock.Advance(25 * time.Hour)
	if err := r.engine.sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := r.approval(id)
	upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	if a.State != store.StateExpired || !strings.Contains(upd.Text, "Expired at 2026-11-23 10:00") {
		t.Errorf("after the sweep: %s, %q", a.State, upd.Text)
	}
	if !strings.Contains(r.audit(), "paasbot|expire paas.renew #1") {
		t.Errorf("audit:\n%s", r.audit())
	}
}

func TestApprovals_DenyEndsIt(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	m := r.click(apvApprover, "approval.deny", id)
	if m.Tone == reply.Error || !strings.Contains(m.Text, "denied") {
		t.Fatalf("deny = %+v", m)
	}
	a := r.approval(id)
	if a.State != store.StateDenied || a.DecidedBy != apvApprover {
		t.Fatalf("after deny: %+v", a)
	}
	upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	if !strings.Contains(upd.Text, "Denied by {@USAM} at 2026-11-22 10:00") || len(upd.Buttons) != 0 {
		t.Errorf("message after deny = %+v", upd)
	}
	for _, action := range []string{"approval.approve", "approval.deny"} {
		m := r.click(apvApprover, action, id)
		if m.Tone != reply.Error || !strings.Contains(m.Text, "#1 was denied by {@USAM}") {
			t.Errorf("%s after deny = %+v", action, m)
		}
	}
	if got := r.sim.Calls("paas.renew"); got != 0 {
		t.Errorf("paas.renew ran %d times after a deny", got)
	}
	if !strings.Contains(r.audit(), "USAM|deny paas.renew #1|renew shop-prod (#") {
		t.Errorf("audit:\n%s", r.audit())
	}
}

// TestApprovals_CrashBeforeSend: a process that approved a request, or
// claimed it, and stopped before marking it sent sent nothing: the next
// process offers it again to its approvers, and it then runs once.
func TestApprovals_CrashBeforeSend(t *testing.T) {
	for _, point := range []string{"approved", "claimed"} {
		t.Run(point, func(t *testing.T) {
			r := newApvRig(t, apvApprover)
			id, _ := r.propose(r.renewPlan("shop-prod"))
			r.crashedAt(id, point)
			r.restart(apvApprover)
			a := r.approval(id)
			if a.State != store.StatePending || a.DecidedBy != "" || a.SentAt != nil {
				t.Fatalf("after the restart: %s decided by %q, sent %v; want pending again", a.State, a.DecidedBy, a.SentAt)
			}
			upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
			if !strings.Contains(upd.Text, "Offered again") || !strings.Contains(upd.Text, "Nothing was sent") || len(upd.Buttons) != 3 {
				t.Errorf("message after the restart = %q (%d buttons)", upd.Text, len(upd.Buttons))
			}
			if !strings.Contains(r.audit(), "paasbot|reoffer paas.renew #1") {
				t.Errorf("audit:\n%s", r.audit())
			}
			if m := r.click(apvApprover, "approval.approve", id); m.Tone != reply.Success {
				t.Fatalf("approve again = %+v", m)
			}
			r.waitFollowed(id)
			if got := r.sim.Calls("paas.renew"); got != 1 {
				t.Errorf("paas.renew ran %d times, want once", got)
			}
		})
	}
}

// TestApprovals_CrashAfterSend: a process that marked the call sent and
// stopped may have renewed: the next process marks it interrupted, tells
// people to check, and never runs it again.
func TestApprovals_CrashAfterSend(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	r.crashedAt(id, "sent")
	r.restart(apvApprover)
	a := r.approval(id)
	if a.State != store.StateInterrupted {
		t.Fatalf("state after restart = %s, want interrupted", a.State)
	}
	upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	want := "Check in Gandi (`/paas info " + apvItoa(r.ids["shop-prod"]) + "`) before asking again; it will not be re-run."
	if !strings.Contains(upd.Text, want) || len(upd.Buttons) != 0 {
		t.Errorf("message after restart = %q, want %q", upd.Text, want)
	}
	for _, u := range []string{apvApprover, apvRequester} {
		if m := r.click(u, "approval.approve", id); m.Tone != reply.Error {
			t.Errorf("approve of an interrupted request by %s = %+v", u, m)
		}
	}
	if got := r.sim.Calls("paas.renew"); got != 0 {
		t.Errorf("paas.renew ran %d times after the restart, want 0", got)
	}
	if !strings.Contains(r.audit(), "paasbot|interrupt paas.renew #1") {
		t.Errorf("audit:\n%s", r.audit())
	}
}

func TestApprovals_StartTwice(t *testing.T) {
	r := newApvRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.engine.Start(ctx); err == nil {
		t.Error("second Start succeeded")
	}
	cancel()
	drain(r.engine)
}

func apvItoa(n int) string { return strconv.Itoa(n) }

func TestApprovals_StartSweepsPeriodically(t *testing.T) {
	r := newApvRig(t, apvApprover)
	r.engine = r.newEngineWith(func(c *Config) { c.Approvers, c.SweepEvery = []string{apvApprover}, 5*time.Millisecond })
	id, _ := r.propose(r.renewPlan("shop-prod"))
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if a := r.approval(id); a.State != store.StatePending {
		t.Fatalf("Start expired a request not yet due: %s", a.State)
	}
	r.clock.Advance(25 * time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for r.approval(id).State != store.StateExpired && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	drain(r.engine)
	a := r.approval(id)
	if a.State != store.StateExpired {
		t.Fatalf("the sweep did not expire the request: %s", a.State)
	}
	if upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID}); !strings.Contains(upd.Text, "Expired at") {
		t.Errorf("message after the sweep = %q", upd.Text)
	}
}

func TestApprovals_VhostCreateDryRun(t *testing.T) {
	r := newApvRig(t)
	id := r.ids["shop-prod"]
	target := InstanceLabel(id, "shop-prod")
	plan := func(fqdn string) Plan {
		return Plan{Action: ActionVhostCreate, InstanceID: id, Target: fqdn + " on " + target, Vhost: &VhostPlan{FQDN: fqdn, PaasID: id}}
	}
	m, err := r.proposeRaw(plan("api.other.example"))
	if err != nil {
		t.Fatal(err)
	}
	dns, err := r.gandi().Vhosts.DNSEntries(context.Background(), gandi.DNSEntriesParams{Datacenter: 1, Vhost: "api.other.example"})
	if err != nil {
		t.Fatal(err)
	}
	zone := gandi.TXTRecord{Vhost: "api.other.example", Value: dns.TXT}.ZoneLine()
	if !strings.Contains(m.Text, zone) || len(m.Buttons) != 0 {
		t.Errorf("vhost create refusal lacks %q:\n%s", zone, testutil.Text(m))
	}
	if pending, _ := r.db.PendingApprovals(context.Background(), apvTeam); len(pending) != 0 {
		t.Errorf("pending after a refused dry run: %+v", pending)
	}
	// Once the domain is proven, the requester confirms it herself.
	r.sim.ProveDomain("other.example")
	aid, m := r.propose(plan("api.other.example"))
	if m.Visibility != reply.Private || m.Buttons[0].Label != "Add vhost" {
		t.Fatalf("confirmation = %s", testutil.Text(m))
	}
	if got := r.click(apvRequester, "approval.approve", aid); got.Tone == reply.Error {
		t.Fatalf("confirm = %+v", got)
	}
	r.waitFollowed(aid)
	if n := r.sim.Calls("paas.vhost.create"); n != 1 {
		t.Errorf("paas.vhost.create calls = %d", n)
	}
}

func TestApprovals_DryRunReasons(t *testing.T) {
	r := newApvRig(t)
	p := createPlan("blog2")
	p.Create.DatacenterID = 99
	p.Create.Duration = "13x"
	m, err := r.proposeRaw(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"• datacenter_id: Datacenter '99' doesn't exist.", "• duration: duration must be"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, m.Text)
		}
	}
	// A dry run that fails outright (unknown instance) is an error, and
	// stores nothing either.
	p = r.renewPlan("shop-prod")
	p.InstanceID, p.Target = 999999, "#999999"
	if _, err := r.proposeRaw(p); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Errorf("renew of an unknown instance: %v", err)
	}
	if pending, _ := r.db.PendingApprovals(context.Background(), apvTeam); len(pending) != 0 {
		t.Errorf("pending = %+v", pending)
	}
}

func TestApprovals_ConfirmFlow(t *testing.T) {
	r := newApvRig(t, apvApprover) // approvers do not apply to confirmations
	id := r.ids["shop-prod"]
	target := InstanceLabel(id, "shop-prod")
	aid, m := r.propose(Plan{Action: ActionRestart, InstanceID: id, Target: target,
		Summary: []reply.Field{{Label: "Instance", Value: target}}})
	if m.Visibility != reply.Private || m.Title != "Restart "+target+"?" || len(m.Buttons) != 2 ||
		m.Buttons[0].Command != "approve 1" || m.Buttons[1].Action != "approval.cancel" {
		t.Fatalf("confirm message = %s", testutil.Text(m))
	}
	if posts, _, _ := r.note.Snapshot(); len(posts) != 0 {
		t.Errorf("a confirmation prompt was posted in the channel: %+v", posts)
	}
	if got := r.click(apvApprover, "approval.approve", aid); got.Tone != reply.Error || !strings.Contains(got.Text, "only {@UDANA}, who asked for it, can confirm it") {
		t.Errorf("approver's click on a confirmation = %+v", got)
	}
	got := r.click(apvRequester, "approval.approve", aid)
	if got.Tone == reply.Error || !got.ReplaceOriginal || got.Visibility != reply.Private {
		t.Fatalf("requester's confirmation = %+v", got)
	}
	r.waitFollowed(aid)
	if n := r.sim.Calls("paas.restart"); n != 1 {
		t.Errorf("paas.restart calls = %d", n)
	}
	// Once confirmed, the restart is announced in the channel where it was
	// asked, and that announcement is edited to its outcome.
	posts, _, privates := r.note.Snapshot()
	if len(posts) != 1 || posts[0].Ref.Channel != apvChannel || posts[0].Msg.Visibility != reply.Shared ||
		!strings.Contains(posts[0].Msg.Text, "Confirmed by {@UDANA}") {
		t.Fatalf("announcements = %+v", posts)
	}
	if m := r.note.LastUpdate(t, posts[0].Ref); !strings.Contains(m.Text, "Done at") {
		t.Errorf("announcement ends as %q", m.Text)
	}
	if len(privates) != 0 {
		t.Errorf("end of the restart told privately as %+v, beside the announcement", privates)
	}
	if again := r.click(apvRequester, "approval.approve", aid); !strings.Contains(again.Text, "already") {
		t.Errorf("second confirmation = %+v", again)
	}
	if n := r.sim.Calls("paas.restart"); n != 1 {
		t.Errorf("paas.restart calls after a second click = %d", n)
	}
}

func TestApprovals_DeleteAsksInADialog(t *testing.T) {
	r := newApvRig(t)
	id := r.ids["blog"]
	target := InstanceLabel(id, "blog")
	_, m := r.propose(Plan{Action: ActionDelete, InstanceID: id, Target: target})
	b := m.Buttons[0]
	want := "Delete " + target + "? This destroys the instance and its disk."
	if b.Style != reply.Danger || b.Confirm == nil || b.Confirm.Text != want || b.Action != "approval.approve" {
		t.Errorf("delete button = %+v (confirm %+v), want dialog %q", b, b.Confirm, want)
	}
	if n := r.sim.Calls("paas.delete"); n != 0 {
		t.Errorf("paas.delete calls = %d", n)
	}
}

func TestApprovals_NoAnswerLeavesInterrupted(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	r.sim.SetFault(gandisim.FaultRule{Method: "paas.renew", HTTPStatus: 502, Times: 1})
	m := r.click(apvApprover, "approval.approve", id)
	if m.Tone != reply.Error || !strings.Contains(m.Text, "cannot tell whether it ran") {
		t.Errorf("approve = %+v", m)
	}
	a := r.approval(id)
	if a.State != store.StateInterrupted {
		t.Errorf("state = %s, want interrupted", a.State)
	}
	upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	if !strings.Contains(upd.Text, "It will not be re-run") {
		t.Errorf("message = %q", upd.Text)
	}
	if m := r.click(apvApprover, "approval.approve", id); !strings.Contains(m.Text, "was interrupted") {
		t.Errorf("second approve = %+v", m)
	}
}

func TestFollow_ResumesAfterRestart(t *testing.T) {
	for _, tt := range []struct {
		name    string
		advance time.Duration
		want    string
	}{
		{"Done", 0, "Done at"},
		{"PastDeadline", 3 * time.Hour, "stopped following"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := newApvRig(t, apvApprover)
			id, _ := r.propose(r.renewPlan("shop-prod"))
			// The first process ran the call, then stopped while following.
			r.crashedAt(id, "sent")
			ops, err := r.gandi().PaaS.Renew(ctx, r.ids["shop-prod"], gandi.RenewOptions{Duration: "12m"})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.db.FinishHeld(ctx, id, nil); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(newProgress(ops, r.clock.Now()))
			if err := r.db.ProgressHeld(ctx, id, raw, false); err != nil {
				t.Fatal(err)
			}
			r.clock.Advance(tt.advance)
			r.restart(apvApprover)
			ref := reply.Ref{Channel: apvChannel, ID: r.approval(id).MessageID}
			wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
			defer wcancel()
			if err := r.engine.WaitFollowUps(wctx); err != nil {
				t.Fatalf("WaitFollowUps: %v", err)
			}
			r.engine.Close()
			if final := r.note.LastUpdate(t, ref); !strings.Contains(final.Text, tt.want) {
				t.Errorf("final message = %q, want %q", final.Text, tt.want)
			}
			if n := r.sim.Calls("paas.renew"); n != 1 {
				t.Errorf("paas.renew calls = %d, want the first process's one", n)
			}
			if a := r.approval(id); a.State != store.StateDone || !a.FollowDone {
				t.Errorf("approval = %+v", a)
			}
		})
	}
}

// apvMetrics records the approval states observed.
type apvMetrics struct {
	mu     sync.Mutex
	states []string
}

func (m *apvMetrics) ObserveCommand(string, string) {}

func (m *apvMetrics) ObserveApproval(state string) {
	m.mu.Lock()
	m.states = append(m.states, state)
	m.mu.Unlock()
}

func TestApprovals_MetricsObserveTransitions(t *testing.T) {
	r := newApvRig(t, apvApprover)
	met := &apvMetrics{}
	r.engine.cfg.Metrics = met
	id, _ := r.propose(r.renewPlan("shop-prod"))
	r.click(apvApprover, "approval.approve", id)
	r.waitFollowed(id)
	id2, _ := r.propose(r.renewPlan("blog"))
	r.click(apvApprover, "approval.deny", id2)
	met.mu.Lock()
	got := strings.Join(met.states, ",")
	met.mu.Unlock()
	if want := "pending,approved,executing,done,pending,denied"; got != want {
		t.Errorf("observed %s, want %s", got, want)
	}
}

func TestApprovals_IncompleteStoredPlanNeverCalls(t *testing.T) {
	r := newApvRig(t)
	a := &store.Approval{Team: apvTeam, Channel: apvChannel, Requester: apvRequester, Action: ActionDelete,
		Target: "shop-prod", Summary: "delete shop-prod", Params: json.RawMessage(`{"action":"paas.delete"}`)}
	id, err := r.db.CreateApproval(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	m := r.click(apvRequester, "approval.approve", id)
	if !strings.Contains(strings.ToLower(testutil.Text(m)), "failed: the stored request is incomplete") {
		t.Errorf("approve = %s", testutil.Text(m))
	}
	if got := r.approval(id); got.State != store.StateFailed {
		t.Errorf("state = %s, want failed", got.State)
	}
	if n := r.sim.Calls("paas.delete"); n != 0 {
		t.Errorf("paas.delete calls = %d", n)
	}
}

// TestApprovals_DryRunIgnoredRanWithoutApproval: a Gandi that ignores
// "--dry-run" creates the instance when asked for a create's dry run. That
// cannot be undone: paasbot says so to the requester and in the channel,
// audits it as run without approval, sends the password the instance got,
// and follows its operations; nothing is left pending to approve.
func TestApprovals_DryRunIgnoredRanWithoutApproval(t *testing.T) {
	r := newApvRig(t, apvApprover)
	r.ignoringDryRun()
	_, err := r.proposeRaw(createPlan("blog2"))
	if apperr.CodeOf(err) != apperr.ECONFLICT || !strings.Contains(err.Error(), "ran without approval") {
		t.Fatalf("propose = %v", err)
	}
	if n := r.sim.Calls("paas.create"); n != 1 {
		t.Fatalf("paas.create ran %d times, want the ignored dry run's one", n)
	}
	if pending, _ := r.db.PendingApprovals(context.Background(), apvTeam); len(pending) != 0 {
		t.Errorf("something is pending approval: %+v", pending)
	}
	a := r.waitFollowed(1)
	if a.State != store.StateDone || a.DecidedBy != systemActor {
		t.Errorf("request = %s decided by %q", a.State, a.DecidedBy)
	}
	if au := r.audit(); !strings.Contains(au, "paasbot|unapproved paas.create #1|create blog2|ran WITHOUT approval") {
		t.Errorf("audit:\n%s", au)
	}
	posts, _, privates := r.note.Snapshot()
	if len(posts) != 1 || !strings.Contains(testutil.Text(posts[0].Msg), "Ran WITHOUT approval #1") {
		t.Errorf("channel posts = %+v", posts)
	}
	final := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	if !strings.Contains(final.Text, "Gandi ignored the flag and ran it") || !strings.Contains(final.Text, "Done at") {
		t.Errorf("final message = %q", final.Text)
	}
	if len(privates) != 1 || privates[0].User != apvRequester || !strings.Contains(privates[0].Msg.Title, "Password of blog2") {
		t.Errorf("private notes = %+v", privates)
	}
	if !strings.Contains(r.logs.String(), "level=ERROR") {
		t.Error("no error logged for an ignored dry run")
	}
}

func createPlan(name string, vhosts ...string) Plan {
	p := gandi.PaasCreateParams{Name: name, Size: gandi.SizeS, Type: "phpmysql", DatacenterID: 1, Duration: "1m", Vhosts: vhosts}
	return Plan{Action: ActionCreate, Target: name, Create: &p, GeneratePassword: true,
		Summary: []reply.Field{{Label: "Name", Value: name}, {Label: "Size", Value: "s"}, {Label: "Duration", Value: "1m"}}}
}

func TestFollow_RenewReachesDone(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	if m := r.click(apvApprover, "approval.approve", id); m.Tone != reply.Success || m.Visibility != reply.Private {
		t.Fatalf("approve = %+v", m)
	}
	a := r.waitFollowed(id)
	pr, err := decodeProgress(a.Progress)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != store.StateDone || pr.Outcome != outcomeDone || len(pr.Ops) != 2 {
		t.Fatalf("after following: state %s, progress %+v", a.State, pr)
	}
	for _, op := range pr.Ops {
		if op.Step != "DONE" || op.Trail[len(op.Trail)-1] != "DONE" || len(op.Trail) < 2 {
			t.Errorf("operation %+v did not end in DONE through its steps", op)
		}
	}
	final := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	text := testutil.Text(final)
	for _, want := range []string{"Done at 2026-11-22", "Approved by {@USAM}", "paas_vm_renew", "→ DONE", "Requested by: {@UDANA}"} {
		if !strings.Contains(text, want) {
			t.Errorf("final message lacks %q:\n%s", want, text)
		}
	}
	if final.Tone != reply.Success || len(final.Buttons) != 0 {
		t.Errorf("final message tone %v, buttons %v", final.Tone, final.Buttons)
	}
	// Every update of the message in order: approved, running, steps, done.
	_, updates, _ := r.note.Snapshot()
	if len(updates) < 4 || !strings.Contains(updates[0].Msg.Text, "running it with {@UDANA}'s API key") {
		t.Errorf("first update = %q (of %d)", updates[0].Msg.Text, len(updates))
	}
	au := r.audit()
	for _, want := range []string{"USAM|approve paas.renew #1", "USAM|execute paas.renew #1|renew shop-prod", "done: 2 operations started", "paasbot|result paas.renew #1|renew shop-prod (#" + apvItoa(r.ids["shop-prod"]) + ")|done"} {
		if !strings.Contains(au, want) {
			t.Errorf("audit lacks %q:\n%s", want, au)
		}
	}
}

func TestFollow_OperationError(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	r.sim.FailNextOperations("paas.renew", "not enough disk space on the filer")
	if m := r.click(apvApprover, "approval.approve", id); m.Tone != reply.Success {
		t.Fatalf("approve = %+v", m)
	}
	a := r.waitFollowed(id)
	pr, _ := decodeProgress(a.Progress)
	if pr == nil || pr.Outcome != outcomeFailed || !strings.Contains(pr.Error, "ended in ERROR: not enough disk space on the filer") {
		t.Fatalf("progress = %+v", pr)
	}
	if a = r.approval(id); a.State != store.StateFailed || !strings.Contains(a.Error, "not enough disk space on the filer") {
		t.Errorf("approval state %s, error %q; want failed with the operation's last_error", a.State, a.Error)
	}
	final := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	if final.Tone != reply.Error || !strings.Contains(final.Text, "Failed: operation") || !strings.Contains(testutil.Text(final), "not enough disk space on the filer") {
		t.Errorf("final message = %s", testutil.Text(final))
	}
	if !strings.Contains(r.audit(), "paasbot|result paas.renew #1|renew shop-prod (#"+apvItoa(r.ids["shop-prod"])+")|failed: operation") {
		t.Errorf("audit:\n%s", r.audit())
	}
	if m := r.click(apvApprover, "approval.approve", id); !strings.Contains(m.Text, "ran once, but failed: operation") {
		t.Errorf("approve after the failure = %q", m.Text)
	}
	if got := r.sim.Calls("paas.renew"); got != 1 {
		t.Errorf("paas.renew calls = %d", got)
	}
}

func TestFollow_GandiRefusesTheCall(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	if !r.sim.SetCredit(apvKey, 0) {
		t.Fatal("SetCredit")
	}
	m := r.click(apvApprover, "approval.approve", id)
	if m.Tone != reply.Error || !strings.Contains(m.Text, "#1 failed: Not enough prepaid credit") {
		t.Fatalf("approve = %+v", m)
	}
	a := r.approval(id)
	if a.State != store.StateFailed || !strings.Contains(a.Error, "prepaid credit") {
		t.Errorf("approval = %+v", a)
	}
	final := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	if !strings.Contains(final.Text, "Failed: Not enough prepaid credit") || !strings.Contains(final.Text, "nothing changed") {
		t.Errorf("final message = %q", final.Text)
	}
}

func TestFollow_CreateShowsServersAndPasswordStaysPrivate(t *testing.T) {
	r := newApvRig(t) // no approvers: Dana confirms her own request
	r.sim.ProveDomain("newsite.example")
	id, _ := r.propose(createPlan("blog2", "www.newsite.example"))
	if got := r.sim.DryRuns("paas.create"); got != 1 {
		t.Fatalf("dry runs = %d", got)
	}
	if m := r.click(apvRequester, "approval.approve", id); m.Tone != reply.Success || !strings.Contains(strings.Join(m.Notes, " "), "sent privately to {@UDANA}") {
		t.Fatalf("approve = %+v", m)
	}
	a := r.waitFollowed(id)
	final := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	text := testutil.Text(final)
	info, err := r.gandi().PaaS.List(context.Background(), &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{Name: gandi.Strings{"blog2"}}})
	if err != nil || len(info) != 1 {
		t.Fatalf("created instance: %v, %v", info, err)
	}
	full, err := r.gandi().PaaS.Info(context.Background(), info[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Instance: blog2 (#" + apvItoa(full.ID) + ")", "SFTP: " + full.FTPServer, "Git: " + full.GitServer,
		"Vhosts: www.newsite.example", "paas_vm_create", "rproxy_create", "Done at"} {
		if !strings.Contains(text, want) {
			t.Errorf("final message lacks %q:\n%s", want, text)
		}
	}
	if full.FTPServer == "" || full.GitServer == "" {
		t.Errorf("the simulator gave no servers: %+v", full)
	}

	// The password: delivered once, privately, to the requester only.
	_, _, privates := r.note.Snapshot()
	var pw string
	re := regexp.MustCompile("```([^`]+)```")
	for _, p := range privates {
		if strings.HasPrefix(p.Msg.Title, "Password of") {
			if pw != "" {
				t.Fatal("password delivered twice")
			}
			if p.User != apvRequester || p.Channel != apvChannel || p.Msg.Visibility != reply.Private {
				t.Errorf("password sent to %s in %s (%v)", p.User, p.Channel, p.Msg.Visibility)
			}
			mm := re.FindStringSubmatch(p.Msg.Text)
			if mm == nil {
				t.Fatalf("no password in %q", p.Msg.Text)
			}
			pw = mm[1]
		}
	}
	if len(pw) != PasswordLength {
		t.Fatalf("password %d characters, want %d", len(pw), PasswordLength)
	}
	assertSecretNowhere(t, r, pw)
}

func TestFollow_UpdateResetPasswordDeliveredOnce(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id := r.ids["blog"]
	target := InstanceLabel(id, "blog")
	p := Plan{Action: ActionUpdate, InstanceID: id, Target: target, Update: &gandi.PaasUpdateParams{}, GeneratePassword: true,
		Summary: []reply.Field{{Label: "Password", Value: "a new one, sent to you privately"}}}
	aid, _ := r.propose(p)
	if m := r.click(apvApprover, "approval.approve", aid); m.Tone != reply.Success {
		t.Fatalf("approve = %+v", m)
	}
	r.waitFollowed(aid)
	_, _, privates := r.note.Snapshot()
	n := 0
	var pw string
	for _, pm := range privates {
		if strings.HasPrefix(pm.Msg.Title, "Password of") {
			n++
			pw = strings.Trim(pm.Msg.Text, "`")
			if pm.User != apvRequester {
				t.Errorf("password sent to %s, want the requester", pm.User)
			}
		}
	}
	if n != 1 || len(pw) != PasswordLength {
		t.Fatalf("%d password messages (%q)", n, pw)
	}
	assertSecretNowhere(t, r, pw)
}

// assertSecretNowhere checks that secret is in no file of the database
// directory, no log line, no shared message and no audit line.
func assertSecretNowhere(t *testing.T, r *apvRig, secret string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(r.path), "*"))
	if len(files) == 0 {
		t.Fatal("no database files to check")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("the password is in %s", filepath.Base(f))
		}
	}
	if strings.Contains(r.logs.String(), secret) {
		t.Error("the password is in the logs")
	}
	if !strings.Contains(r.logs.String(), "level=") {
		t.Error("the log capture is empty: the check above proves nothing")
	}
	posts, updates, privates := r.note.Snapshot()
	for _, p := range append(posts, updates...) {
		if strings.Contains(testutil.Text(p.Msg), secret) {
			t.Errorf("the password is in a shared message: %s", p.Msg.Title)
		}
	}
	for _, p := range privates {
		if strings.Contains(testutil.Text(p.Msg), secret) && !strings.HasPrefix(p.Msg.Title, "Password of") {
			t.Errorf("the password is in another private message: %s", p.Msg.Title)
		}
	}
	if au := r.audit(); strings.Contains(au, secret) {
		t.Error("the password is in the audit log")
	}
	es, _ := r.db.RecentAudit(context.Background(), "", 1000)
	raw, _ := json.Marshal(es)
	if strings.Contains(string(raw), secret) {
		t.Error("the password is in an audit entry")
	}
}

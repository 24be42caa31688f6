package approvals

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
	for _, want := range []string{"Approval #1: Renew shop-prod", "{@UDANA} asks to", "Duration: 12m", "Size: m", "Price: about",
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
	if got := r.sim.DryRuns("paas.renew"); got != 1 {
		t.Errorf("dry runs = %d, want 1", got)
	}
	if got := r.sim.Calls("paas.renew"); got != 0 {
		t.Errorf("paas.renew ran %d times before any approval", got)
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
	if !strings.Contains(r.audit(), "USAM|approve paas.renew #1|renew shop-prod (#") || !strings.Contains(r.audit(), "refused: expired") {
		t.Errorf("audit:\n%s", r.audit())
	}
}

func TestApprovals_ExpirySweepUpdatesMessages(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	r.clock.Advance(25 * time.Hour)
	if err := r.engine.sweepExpired(context.Background()); err != nil {
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

func TestApprovals_CrashBetweenClaimAndCall(t *testing.T) {
	ctx := context.Background()
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	// The process won both compare-and-sets, then died before the call.
	if err := r.db.Approve(ctx, id, apvApprover); err != nil {
		t.Fatal(err)
	}
	if err := r.db.Claim(ctx, id); err != nil {
		t.Fatal(err)
	}
	r.engine.Close()
	restarted := r.newEngine(apvApprover)
	if err := restarted.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r.engine = restarted
	a := r.approval(id)
	if a.State != store.StateInterrupted {
		t.Fatalf("state after restart = %s, want interrupted", a.State)
	}
	upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID})
	want := "⚠ Interrupted by a restart: check in Gandi whether it ran (`/paas info " + apvItoa(r.ids["shop-prod"]) + "`) before asking again."
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

func TestApprovals_ApprovedNeverClaimedIsInterrupted(t *testing.T) {
	ctx := context.Background()
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	if err := r.db.Approve(ctx, id, apvApprover); err != nil {
		t.Fatal(err)
	}
	restarted := r.newEngine(apvApprover)
	if err := restarted.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if a := r.approval(id); a.State != store.StateInterrupted {
		t.Errorf("state = %s, want interrupted", a.State)
	}
	if got := r.sim.Calls("paas.renew"); got != 0 {
		t.Errorf("paas.renew ran %d times", got)
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
	r.engine.Wait()
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
	r.engine.Wait()
	a := r.approval(id)
	if a.State != store.StateExpired {
		t.Fatalf("the sweep did not expire the request: %s", a.State)
	}
	if upd := r.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: a.MessageID}); !strings.Contains(upd.Text, "Expired at") {
		t.Errorf("message after the sweep = %q", upd.Text)
	}
}

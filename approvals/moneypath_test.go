package approvals

import (
	"context"
	"encoding/json"
	"errors"
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

// The money path against Gandi as it may really be: a server that runs
// what it is asked to dry-run, a click cancelled mid-call, an instance
// that changed since the request, and a second process on the database.

// updatePlan is what the update handler hands to Propose.
func (r *apvRig) updatePlan(name string, u gandi.PaasUpdateParams, generate bool) Plan {
	id := r.ids[name]
	target := InstanceLabel(id, name)
	var summary []reply.Field
	if u.Size != "" {
		summary = append(summary, reply.Field{Label: "Size", Value: string(u.Size)})
	}
	return Plan{Action: ActionUpdate, InstanceID: id, Target: target, Update: &u, Summary: summary, GeneratePassword: generate}
}

// orderNotifier records, for each private message, how many paas.update
// calls the simulator had run when it was posted.
type orderNotifier struct {
	*testutil.Notifier
	sim *gandisim.Server
	mu  sync.Mutex
	at  map[string]int // title → paas.update calls then
}

func (n *orderNotifier) PostPrivate(ctx context.Context, channel, user string, m reply.Message) error {
	n.mu.Lock()
	n.at[m.Title] = n.sim.Calls("paas.update")
	n.mu.Unlock()
	return n.Notifier.PostPrivate(ctx, channel, user, m)
}

func TestMoneyPath_NoPaidCallBeforeApproval(t *testing.T) {
	r := newApvRig(t, apvApprover)
	r.ignoringDryRun()
	on := &orderNotifier{Notifier: r.note, sim: r.sim, at: map[string]int{}}
	r.engine = r.newEngineWith(func(c *Config) { c.Approvers, c.Notifier = []string{apvApprover}, on })
	plans := []Plan{
		r.renewPlan("shop-prod"),
		r.updatePlan("shop-prod", gandi.PaasUpdateParams{Size: gandi.SizeL}, false),
		r.updatePlan("shop-staging", gandi.PaasUpdateParams{}, true),
	}
	var ids []int64
	for _, p := range plans {
		id, _ := r.propose(p)
		ids = append(ids, id)
	}
	for _, m := range []string{"paas.renew", "paas.update"} {
		if n := r.sim.Calls(m); n != 0 {
			t.Fatalf("%s was sent %d times before any approval", m, n)
		}
	}
	posts, _, privates := r.note.Snapshot()
	if len(posts) != 3 || len(privates) != 0 {
		t.Fatalf("%d posts, %d private messages; want the 3 requests, and no password yet", len(posts), len(privates))
	}
	for _, want := range []string{"Gandi offers no dry run for paas.update", "Size: m → l", "Price: price unknown"} {
		if text := testutil.Text(posts[1].Msg); !strings.Contains(text, want) {
			t.Errorf("the update request lacks %q:\n%s", want, text)
		}
	}
	for _, id := range ids {
		if m := r.click(apvApprover, "approval.approve", id); m.Tone != reply.Success {
			t.Fatalf("approve #%d = %s", id, testutil.Text(m))
		}
		r.waitFollowed(id)
	}
	if n, u := r.sim.Calls("paas.renew"), r.sim.Calls("paas.update"); n != 1 || u != 2 {
		t.Errorf("after the approvals: %d renewals and %d updates, want 1 and 2", n, u)
	}
	title := "Password of " + plans[2].Target
	if n, ok := on.at[title]; !ok || n != 1 {
		t.Errorf("the password reached the requester after %d updates (sent: %v); want before the reset's", n, ok)
	}
}

func TestMoneyPath_UpdateChecks(t *testing.T) {
	tests := []struct {
		name string
		u    gandi.PaasUpdateParams
		code apperr.Code
		want string
	}{
		{"same size", gandi.PaasUpdateParams{Size: gandi.SizeM}, apperr.EINVALID, "its size is already m"},
		{"same disk", gandi.PaasUpdateParams{Quantity: intPtr(20)}, apperr.EINVALID, "its additional disk is already 20 GB"},
		{"smaller disk", gandi.PaasUpdateParams{Quantity: intPtr(10)}, apperr.EINVALID, "Gandi does not shrink disks"},
		{"same name", gandi.PaasUpdateParams{Name: "shop-prod"}, apperr.EINVALID, "already named shop-prod"},
		{"bad size", gandi.PaasUpdateParams{Size: "huge"}, apperr.EINVALID, "size must be one of s, s+, m, l, xl, xxl"},
		{"nothing", gandi.PaasUpdateParams{}, apperr.EINVALID, "Say what to change"},
		{"negative disk", gandi.PaasUpdateParams{Quantity: intPtr(-1)}, apperr.EINVALID, "0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newApvRig(t, apvApprover)
			_, err := r.proposeRaw(r.updatePlan("shop-prod", tt.u, false))
			if apperr.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("propose = %v, want %s %q", err, tt.code, tt.want)
			}
			if posts, _, _ := r.note.Snapshot(); len(posts) != 0 {
				t.Errorf("a refused update was posted: %+v", posts)
			}
			if pending, _ := r.db.PendingApprovals(context.Background(), apvTeam); len(pending) != 0 {
				t.Errorf("a refused update is pending: %+v", pending)
			}
			if n := r.sim.Calls("paas.update") + r.sim.DryRuns("paas.update"); n != 0 {
				t.Errorf("paas.update sent %d times", n)
			}
			if !strings.Contains(r.audit(), "UDANA|request|update shop-prod (#") || !strings.Contains(r.audit(), "|refused: ") {
				t.Errorf("audit:\n%s", r.audit())
			}
		})
	}
}

func intPtr(n int) *int { return &n }

func TestCheckPlanAndInstance(t *testing.T) {
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	running := &gandi.InstanceInfo{Name: "a", Size: gandi.SizeS, State: gandi.StateRunning, DateEnd: &end,
		ConsoleInfo: &gandi.ConsoleInfo{Enabled: true}, SnapshotProfile: &gandi.SnapshotProfile{ID: 7}}
	renew := func(d string) Plan {
		return Plan{Action: ActionRenew, InstanceID: 1, Target: "a (#1)", Renew: &gandi.RenewOptions{Duration: d}}
	}
	update := func(u gandi.PaasUpdateParams) Plan {
		return Plan{Action: ActionUpdate, InstanceID: 1, Target: "a (#1)", Update: &u}
	}
	on, off := true, false
	tests := []struct {
		name string
		p    Plan
		info *gandi.InstanceInfo
		want string // "" passes
	}{
		{"renew 12m", renew("12m"), running, ""},
		{"renew 1y", renew("1y"), running, ""},
		{"renew without duration", renew(""), running, "duration must be"},
		{"renew 11y", renew("11y"), running, "at most 120 months"},
		{"renew without params", Plan{Action: ActionRenew, InstanceID: 1, Target: "a"}, running, "needs a duration"},
		{"renew without instance", Plan{Action: ActionRenew, Renew: &gandi.RenewOptions{Duration: "1m"}}, running, "Name the instance"},
		{"renew paused", renew("1m"), &gandi.InstanceInfo{State: gandi.StatePaused}, ""},
		{"renew being deleted", renew("1m"), &gandi.InstanceInfo{State: "being_deleted"}, "is being_deleted"},
		{"update paused", update(gandi.PaasUpdateParams{Size: gandi.SizeL}), &gandi.InstanceInfo{State: gandi.StatePaused}, "running only"},
		{"update with a password", update(gandi.PaasUpdateParams{Password: "x"}), running, "must not carry a password"},
		{"console already on", update(gandi.PaasUpdateParams{Console: &on}), running, "console is already on"},
		{"console off", update(gandi.PaasUpdateParams{Console: &off}), running, ""},
		{"same profile", update(gandi.PaasUpdateParams{SnapshotProfile: gandi.IntValue(7)}), running, "snapshot profile is already #7"},
		{"profile removed", update(gandi.PaasUpdateParams{SnapshotProfile: gandi.StringValue("")}), running, ""},
		{"upgrade not needed", update(gandi.PaasUpdateParams{Upgrade: true}), running, "latest system image"},
		{"bad key id", update(gandi.PaasUpdateParams{Keys: []int{0}}), running, "ids of SSH keys"},
		{"ssh key added", update(gandi.PaasUpdateParams{SSHKey: gandi.Strings{"ssh-ed25519 AAAA"}}), running, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPlan(tt.p)
			if err == nil {
				err = checkInstance(tt.p, tt.info)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestMoneyPath_ClickCancelledMidCall: the click's context ends while
// Gandi runs the renewal; the outcome is recorded all the same, and the
// operations followed to the end.
func TestMoneyPath_ClickCancelledMidCall(t *testing.T) {
	r := newApvRig(t, apvApprover)
	gate := r.gated()
	id, _ := r.propose(r.renewPlan("shop-prod"))
	hold := gate.Hold("paas.renew", 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-hold.Arrived()
		cancel() // the envelope is gone while Gandi works
		hold.Release()
	}()
	if _, err := r.engine.Approve(ctx, r.req(apvApprover), id); err != nil {
		t.Fatalf("approve: %v", err)
	}
	a := r.waitFollowed(id)
	if a.State != store.StateDone || a.SentAt == nil || len(a.Result) == 0 {
		t.Errorf("after a cancelled click: %s, sent %v, result %s", a.State, a.SentAt, a.Result)
	}
	if !strings.Contains(r.audit(), "USAM|execute paas.renew #1|renew shop-prod (#") || !strings.Contains(r.audit(), "paasbot|result paas.renew #1") {
		t.Errorf("audit:\n%s", r.audit())
	}
	if n := r.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times", n)
	}
}

// TestMoneyPath_RecheckBeforeSending: between the request and its
// approval somebody renewed the instance; the approval sends nothing
// rather than a second renewal.
func TestMoneyPath_RecheckBeforeSending(t *testing.T) {
	r := newApvRig(t, apvApprover)
	id, _ := r.propose(r.renewPlan("shop-prod"))
	ops, err := r.gandi().PaaS.Renew(context.Background(), r.ids["shop-prod"], gandi.RenewOptions{Duration: "1m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.gandi().Operations.Wait(context.Background(), ops[len(ops)-1].ID, gandi.WaitOptions{Sleep: r.clock.Sleep}); err != nil {
		t.Fatal(err)
	}
	m := r.click(apvApprover, "approval.approve", id)
	if m.Tone != reply.Error || !strings.Contains(m.Text, "expiry date of shop-prod") || !strings.Contains(m.Text, "Nothing was sent to Gandi") {
		t.Errorf("approve = %s", testutil.Text(m))
	}
	if a := r.approval(id); a.State != store.StateFailed || a.SentAt != nil {
		t.Errorf("request = %s, sent %v", a.State, a.SentAt)
	}
	if n := r.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times, want only the other renewal", n)
	}
}

// TestMoneyPath_SecondProcessInterruptsNothingAlive: a second process
// opening the database while the first runs a paid call (its lease
// alive, renewed by its heartbeat) leaves it alone; the first records
// the outcome and follows it to the end.
func TestMoneyPath_SecondProcessInterruptsNothingAlive(t *testing.T) {
	r := newApvRig(t, apvApprover)
	gate := r.gated()
	id, _ := r.propose(r.renewPlan("shop-prod"))
	first := r.engine
	hold := gate.Hold("paas.renew", 1)
	done := make(chan reply.Message, 1)
	go func() { done <- r.click(apvApprover, "approval.approve", id) }()
	<-hold.Arrived()
	// Time passes, the first process's heartbeat keeps its lease.
	for range 3 {
		r.clock.Advance(store.HeartbeatEvery)
		if err := first.heartbeat(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	second, err := New(Config{Store: r.openProcess(), Gandi: r.client, Notifier: r.note, Now: r.clock.Now, Sleep: r.clock.Sleep, Approvers: []string{apvApprover}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if a := r.approval(id); a.State != store.StateExecuting || a.SentAt == nil {
		t.Fatalf("the second process changed a live request: %s", a.State)
	}
	hold.Release()
	if m := <-done; m.Tone != reply.Success {
		t.Fatalf("approve = %s", testutil.Text(m))
	}
	if a := r.waitFollowed(id); a.State != store.StateDone {
		t.Errorf("request = %s, want done", a.State)
	}
	if n := r.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times", n)
	}
}

// TestMoneyPath_FollowUpTakenOver: the process following a renewal's
// operations dies; once its lease lapses another process takes the
// follow-up over and ends it, and the dead one's late steps change
// nothing.
func TestMoneyPath_FollowUpTakenOver(t *testing.T) {
	r := newApvRig(t, apvApprover)
	gate := r.gated()
	id, _ := r.propose(r.renewPlan("shop-prod"))
	dead := r.db
	hold := gate.Hold("operation.info", 1)
	if m := r.click(apvApprover, "approval.approve", id); m.Tone != reply.Success {
		t.Fatalf("approve = %s", testutil.Text(m))
	}
	<-hold.Arrived() // following; now the process is gone
	r.restart(apvApprover)
	a := r.waitFollowed(id)
	if a.State != store.StateDone || !a.FollowDone || a.Holder != "" {
		t.Errorf("after the take-over: %s, follow done %v, holder %q", a.State, a.FollowDone, a.Holder)
	}
	hold.Release()
	err := dead.ProgressHeld(context.Background(), id, json.RawMessage(`{"late":true}`), false)
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("the dead process's late step = %v, want ErrLeaseLost", err)
	}
	if n := r.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times", n)
	}
}

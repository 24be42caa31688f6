package approvals

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
		t.Errorf("a confirmation was posted in the channel: %+v", posts)
	}
	if got := r.click(apvApprover, "approval.approve", aid); got.Tone != reply.Error || !strings.Contains(got.Text, "only {@UDANA}, who asked for it, can confirm it") {
		t.Errorf("approver's click on a confirmation = %+v", got)
	}
	got := r.click(apvRequester, "approval.approve", aid)
	if got.Tone == reply.Error || !got.ReplaceOriginal || !strings.Contains(got.Text, "Confirmed by {@UDANA}") {
		t.Fatalf("requester's confirmation = %+v", got)
	}
	r.waitFollowed(aid)
	if n := r.sim.Calls("paas.restart"); n != 1 {
		t.Errorf("paas.restart calls = %d", n)
	}
	_, _, privates := r.note.Snapshot()
	if len(privates) != 1 || privates[0].User != apvRequester || !strings.Contains(privates[0].Msg.Text, "Done at") {
		t.Errorf("end of the restart told as %+v", privates)
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
			if err := r.db.Approve(ctx, id, apvApprover); err != nil {
				t.Fatal(err)
			}
			if err := r.db.Claim(ctx, id); err != nil {
				t.Fatal(err)
			}
			ops, err := r.gandi().PaaS.Renew(ctx, r.ids["shop-prod"], gandi.RenewOptions{Duration: "12m"})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.db.Finish(ctx, id, nil); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(newProgress(ops, r.clock.Now()))
			if err := r.db.SetProgress(ctx, id, raw, false); err != nil {
				t.Fatal(err)
			}
			r.clock.Advance(tt.advance)
			restarted := r.newEngine(apvApprover)
			sctx, cancel := context.WithCancel(ctx)
			if err := restarted.Start(sctx); err != nil {
				t.Fatal(err)
			}
			ref := reply.Ref{Channel: apvChannel, ID: r.approval(id).MessageID}
			wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
			defer wcancel()
			if err := restarted.WaitFollowUps(wctx); err != nil {
				t.Fatalf("WaitFollowUps: %v", err)
			}
			cancel()
			restarted.Wait()
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
	if !strings.Contains(testutil.Text(m), "Failed: the stored request is incomplete") {
		t.Errorf("approve = %s", testutil.Text(m))
	}
	if got := r.approval(id); got.State != store.StateFailed {
		t.Errorf("state = %s, want failed", got.State)
	}
	if n := r.sim.Calls("paas.delete"); n != 0 {
		t.Errorf("paas.delete calls = %d", n)
	}
}

// TestApprovals_DryRunIgnoredIsNotARefusal: a server that ignores
// "--dry-run" answers operations; paasbot says the call may have run and
// requests nothing.
func TestApprovals_DryRunIgnoredIsNotARefusal(t *testing.T) {
	const ops = `<?xml version="1.0"?><methodResponse><params><param><value><array><data>` +
		`<value><struct><member><name>id</name><value><int>77</int></value></member>` +
		`<member><name>type</name><value><string>paas_vm_renew</string></value></member>` +
		`<member><name>step</name><value><string>BILL</string></value></member></struct></value>` +
		`</data></array></value></param></params></methodResponse>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(ops))
	}))
	defer srv.Close()
	r := newApvRig(t, apvApprover)
	c := gandi.NewClient(apvKey, gandi.WithEndpoint(srv.URL+"/xmlrpc/"))
	gc := Client{PaaS: c.PaaS, Vhosts: c.Vhosts, Operations: c.Operations, Catalog: c.Catalog}
	refusal, err := r.engine.dryRun(context.Background(), gc, r.renewPlan("shop-prod"))
	if refusal != nil || apperr.CodeOf(err) != apperr.ECONFLICT || !strings.Contains(err.Error(), "it may have run already") {
		t.Errorf("dry run answered with operations: refusal %+v, err %v", refusal, err)
	}
	if !strings.Contains(r.logs.String(), "level=ERROR") {
		t.Error("no error logged for an ignored dry run")
	}
}

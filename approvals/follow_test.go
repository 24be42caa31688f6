package approvals

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

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
	files, _ := filepath.Glob(filepath.Join(r.dir, "*"))
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

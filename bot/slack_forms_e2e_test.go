package bot

import (
	"strings"
	"testing"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi/gandisim"
)

// waitForm waits for the modal of a command form opened for user.
func (e *e2e) waitForm(t *testing.T, user, callback string) slacktest.View {
	t.Helper()
	return e.fake.WaitForView(t, func(v slacktest.View) bool {
		return v.UserID == user && v.CallbackID == callback && !v.Closed
	}, wait)
}

// TestE2E_CreateFormProposesLikeTheTypedLine: /paas create alone opens a
// form whose selects come from Gandi (no id to look up); its submission
// runs the typed command's path, so the approval request is posted in
// the channel the form was opened from.
func TestE2E_CreateFormProposesLikeTheTypedLine(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	e.sim.ProveDomain("example.net")
	id := e.slash(dana, devChan, "create")
	v := e.waitForm(t, dana, "cmd:create")
	env, _ := e.fake.Envelope(id)
	if v.TriggerID != env.TriggerID || v.PrivateMetadata != devChan {
		t.Errorf("form opened with trigger %q metadata %q, want the command's %q and %s", v.TriggerID, v.PrivateMetadata, env.TriggerID, devChan)
	}
	for _, want := range []string{"FR-SD2", "phpmysql", "12m"} {
		if !strings.Contains(string(v.JSON), want) {
			t.Errorf("create form lacks %q", want)
		}
	}
	if n := e.sim.Calls("paas.create") + e.sim.DryRuns("paas.create"); n != 0 {
		t.Fatalf("opening the form called paas.create %d times", n)
	}
	sub := e.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID, Values: map[string]map[string]string{
		"f_name": {"name": "blog2"}, "f_size": {"size": "s"}, "f_type": {"type": "phpmysql"},
		"f_datacenter": {"datacenter": "1"}, "f_duration": {"duration": "1m"}, "f_vhosts": {"vhosts": "blog2.example.net"},
	}})
	if ack := e.fake.WaitForAck(t, sub, wait); ack.Payload != nil {
		t.Fatalf("a valid create form acked with %s, want the modal closed", ack.Payload)
	}
	req := e.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		return m.Channel == devChan && !m.Ephemeral && strings.Contains(m.AllText(), "blog2")
	}, wait)
	if _, ok := req.Button("approval.approve"); !ok {
		t.Errorf("the form's request has no Approve: %q", req.AllText())
	}
	if n := e.sim.Calls("paas.create"); n != 0 {
		t.Errorf("paas.create ran %d times before approval", n)
	}
	if e.sim.DryRuns("paas.create") != 1 {
		t.Errorf("dry runs %d, want the typed path's one", e.sim.DryRuns("paas.create"))
	}
}

// TestE2E_RenewFormFromAButtonWithPicker: a report's Renew button opens
// the renew form for that instance; the picker lists the clicker's own
// instances; a field Slack cannot check is refused on it, in the ack.
func TestE2E_RenewFormFromAButtonWithPicker(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	click := e.fake.ClickButton(t.Context(), slacktest.Click{UserID: dana, ChannelID: devChan, ActionID: "cmd", Value: "renew 126002", Text: "Renew shop-staging"})
	v := e.waitForm(t, dana, "cmd:renew")
	env, _ := e.fake.Envelope(click)
	if v.TriggerID != env.TriggerID || !strings.Contains(string(v.JSON), `"126002"`) {
		t.Errorf("renew form: trigger %q (click's %q), want the click's, starting on 126002", v.TriggerID, env.TriggerID)
	}
	sg := e.fake.Suggest(t.Context(), slacktest.Suggestion{ViewID: v.ID, BlockID: "f_instance", ActionID: "instance", Value: "shop"})
	opts := e.fake.WaitForOptions(t, sg, wait)
	if opts.Refused != "" || len(opts.Options) < 2 || !strings.HasPrefix(opts.Options[0].Text, "shop-") {
		t.Errorf("picker for shop: %+v (refused %q), want dana's shop instances", opts.Options, opts.Refused)
	}
	sub := e.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID, Values: map[string]map[string]string{
		"f_instance": {"instance": opts.Options[0].Value}, "f_duration": {"duration": "12m"}, "f_switches": {"switches": "fixed"},
	}})
	if ack := e.fake.WaitForAck(t, sub, wait); ack.Payload != nil {
		t.Fatalf("renew form acked with %s, want it closed", ack.Payload)
	}
	e.fake.WaitForMessage(t, func(m slacktest.Message) bool {
		return m.Channel == devChan && !m.Ephemeral && strings.Contains(m.AllText(), "Renew") && strings.Contains(m.AllText(), "annual commitment")
	}, wait)
	if n := e.sim.Calls("paas.renew"); n != 0 {
		t.Errorf("paas.renew ran %d times before approval", n)
	}

	// update without options: an empty submission is refused on a field.
	e.slash(dana, devChan, "update shop-prod")
	u := e.waitForm(t, dana, "cmd:update")
	bad := e.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: u.ID, Values: map[string]map[string]string{
		"f_instance": {"instance": "126001"}, "f_quantity": {"quantity": "lots"},
	}})
	resp, err := e.fake.WaitForAck(t, bad, wait).ViewResponse()
	if err != nil || resp.Action != "errors" || !strings.Contains(resp.Errors["f_quantity"], "whole number") {
		t.Errorf("bad quantity: %+v, %v; want an error on f_quantity", resp, err)
	}
	for _, got := range e.fake.Views() {
		if got.ID == u.ID && got.Closed {
			t.Error("a refused form was closed")
		}
	}
}

// TestE2E_PickerAnswersWhenGandiFails: Gandi failing, the picker still
// answers in its ack, with what was typed.
func TestE2E_PickerAnswersWhenGandiFails(t *testing.T) {
	e := newE2E(t)
	e.login(t, dana)
	e.slash(dana, devChan, "renew")
	v := e.waitForm(t, dana, commands.FormPrefix+"renew")
	e.sim.SetFault(gandisim.FaultRule{Method: "paas.list", HTTPStatus: 503, RetryAfter: "-"})
	opts := e.fake.WaitForOptions(t, e.fake.Suggest(t.Context(), slacktest.Suggestion{ViewID: v.ID, BlockID: "f_instance", ActionID: "instance", Value: "126001"}), wait)
	if len(opts.Options) != 1 || opts.Options[0].Value != "126001" {
		t.Errorf("options %+v, want the typed id", opts.Options)
	}
}

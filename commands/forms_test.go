package commands

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/reply"
)

func fieldNamed(f *reply.Form, name string) *reply.FormField {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// TestForms_OpenWhenTheLineLeavesThemToFill: create alone, renew without a
// duration and update without options answer with their form, filled from
// Gandi (types, datacenters, profiles), and nothing is proposed.
func TestForms_OpenWhenTheLineLeavesThemToFill(t *testing.T) {
	e := setup(t, 3)
	for _, tc := range []struct {
		line, id string
		fields   []string
	}{
		{"create", "cmd:create", []string{"name", "size", "type", "datacenter", "duration", "vhosts", "snapshot-profile"}},
		{"renew shop-prod", "cmd:renew", []string{"instance", "duration", FieldSwitchesName}},
		{"renew", "cmd:renew", []string{"instance", "duration", FieldSwitchesName}},
		{"update shop-prod", "cmd:update", []string{"instance", "size", "quantity", "name", "console", "snapshot-profile", FieldSwitchesName}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			m := e.run(t, tc.line)
			if m.Tone == reply.Error || m.Form == nil || m.Form.ID != tc.id {
				t.Fatalf("%q answered %+v, want form %s", tc.line, m, tc.id)
			}
			var names []string
			for _, f := range m.Form.Fields {
				names = append(names, f.Name)
			}
			if !slices.Equal(names, tc.fields) {
				t.Errorf("fields %v, want %v", names, tc.fields)
			}
			if m.Form.Usage == "" {
				t.Error("no usage line for transports without forms")
			}
		})
	}
	m := e.run(t, "create")
	if f := fieldNamed(m.Form, "type"); f.Kind != reply.FieldSelect || !slices.ContainsFunc(f.Options, func(o reply.Option) bool { return o.Value == "phpmysql" }) {
		t.Errorf("type field %+v, want a select of paas.type.list", f)
	}
	if f := fieldNamed(m.Form, "datacenter"); f.Kind != reply.FieldSelect || len(f.Options) != 4 || f.Options[0].Value != "1" || !strings.Contains(f.Options[0].Label, "FR-SD2") {
		t.Errorf("datacenter field %+v, want hosting.datacenter.list", f)
	}
	if f := fieldNamed(e.run(t, "renew shop-prod").Form, "instance"); f.Kind != reply.FieldInstance || f.Initial != "shop-prod" {
		t.Errorf("renew's instance field %+v, want the picker starting on shop-prod", f)
	}
	if p, _ := e.db.PendingApprovals(t.Context(), testTeam); len(p) != 0 {
		t.Errorf("opening forms proposed %d requests", len(p))
	}
	// Anything typed beyond the form's start goes the typed way.
	wantErr(t, e.run(t, "renew shop-prod duration=forever"), "number of months")
}

// TestForms_SubmissionIsTheTypedLine: a submitted form becomes exactly the
// line a person would type, and handling it proposes what the typed line
// proposes.
func TestForms_SubmissionIsTheTypedLine(t *testing.T) {
	e := setup(t, 3)
	sub := func(form string, values map[string]string) (Request, error) {
		return e.core.FormCommand(t.Context(), Submission{Team: testTeam, User: alice, Channel: "C1", FormID: form, Values: values})
	}
	for _, tc := range []struct {
		form   string
		values map[string]string
		line   string
	}{
		{"cmd:renew", map[string]string{"instance": "126001", "duration": "12m", FieldSwitchesName: "fixed"}, "renew 126001 duration=12m fixed"},
		{"cmd:update", map[string]string{"instance": "shop-prod", "size": "l", "name": "", FieldSwitchesName: "upgrade,reset-password"}, "update shop-prod size=l upgrade reset-password"},
		{"cmd:create", map[string]string{"name": "new blog", "size": "s", "type": "phpmysql", "datacenter": "1", "duration": "1m", "vhosts": "blog.example.net"},
			`create datacenter=1 duration=1m name="new blog" size=s type=phpmysql vhosts=blog.example.net`},
	} {
		t.Run(tc.form, func(t *testing.T) {
			req, err := sub(tc.form, tc.values)
			if err != nil || req.Text != tc.line || req.Channel != "C1" || req.User != alice {
				t.Fatalf("FormCommand = %+v, %v; want %q", req, err, tc.line)
			}
		})
	}
	req, err := sub("cmd:renew", map[string]string{"instance": "126001", "duration": "12m"})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, e.core.Handle(t.Context(), req), "Approval request #1 posted")
	wantOK(t, e.run(t, "renew 126002 duration=12m"), "Approval request #2 posted")
	p, _ := e.db.PendingApprovals(t.Context(), testTeam)
	if len(p) != 2 || p[0].Action != p[1].Action || p[0].Requester != p[1].Requester {
		t.Errorf("pending %+v, want the form's request and the typed one alike", p)
	}
}

// TestForms_ErrorsComeBackOnTheirFields: what the typed line's checks
// refuse names the field, without a call to Gandi.
func TestForms_ErrorsComeBackOnTheirFields(t *testing.T) {
	e := setup(t, 3)
	e.sim.ResetCalls()
	for _, tc := range []struct {
		form   string
		values map[string]string
		field  string
		want   string
	}{
		{"cmd:renew", map[string]string{"instance": "126001", "duration": "200m"}, "duration", "1 to 120 months"},
		{"cmd:renew", map[string]string{"duration": "12m"}, "instance", "Choose an instance"},
		{"cmd:update", map[string]string{"instance": "126001", "quantity": "lots"}, "quantity", "whole number"},
		{"cmd:update", map[string]string{"instance": "126001"}, "size", "at least one change"},
		{"cmd:update", map[string]string{"instance": "126001", FieldSwitchesName: "explode"}, FieldSwitchesName, "not an option"},
		{"cmd:create", map[string]string{"name": "x", "size": "s", "type": "phpmysql", "duration": "1m"}, "", "needs datacenter="},
		{"cmd:create", map[string]string{"name": "x", "size": "huge", "type": "phpmysql", "datacenter": "1", "duration": "1m"}, "size", `"huge" is not a valid size`},
	} {
		t.Run(tc.field+" "+tc.want, func(t *testing.T) {
			_, err := e.core.FormCommand(t.Context(), Submission{Team: testTeam, User: alice, FormID: tc.form, Values: tc.values})
			var fe FieldErrors
			if !errors.As(err, &fe) || !strings.Contains(fe[tc.field], tc.want) {
				t.Errorf("errors %v, want %q on %q", err, tc.want, tc.field)
			}
		})
	}
	if n := e.sim.Calls("paas.list") + e.sim.Calls("paas.info"); n != 0 {
		t.Errorf("checking forms called Gandi %d times", n)
	}
	if _, err := e.core.FormCommand(t.Context(), Submission{Team: testTeam, User: alice, FormID: "cmd:delete"}); err == nil {
		t.Error("a form of a command without one was accepted")
	}
}

// TestSuggestInstances: the picker lists the person's own instances
// containing what they typed; a Gandi that fails still gets an answer.
func TestSuggestInstances(t *testing.T) {
	e := setup(t, 12)
	opts := e.core.SuggestInstances(t.Context(), testTeam, alice, "shop")
	var labels []string
	for _, o := range opts {
		labels = append(labels, o.Label)
	}
	if len(opts) < 2 || !strings.HasPrefix(labels[0], "shop-") || strings.Contains(strings.Join(labels, ","), "blog") {
		t.Errorf("options for shop: %v", labels)
	}
	if all := e.core.SuggestInstances(t.Context(), testTeam, alice, ""); len(all) != 12 {
		t.Errorf("empty query: %d options, want the 12 instances", len(all))
	}
	if none := e.core.SuggestInstances(t.Context(), testTeam, "UNOKEY", "shop"); len(none) != 1 || none[0].Value != "shop" {
		t.Errorf("no key: %+v, want the typed text", none)
	}
	e.sim.SetFault(gandisim.FaultRule{Method: "paas.list", HTTPStatus: 503, RetryAfter: "-"})
	defer e.sim.ClearFaults()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if got := e.core.SuggestInstances(ctx, testTeam, alice, "42"); len(got) != 1 || got[0].Value != "42" {
		t.Errorf("failing Gandi: %+v, want the typed id", got)
	}
}

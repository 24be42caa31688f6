package commands

import (
	"sort"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
)

// TestHandle_ForgivingInput: each slip a newcomer makes gets the line they
// meant, or the bounds, and never a wall of values.
func TestHandle_ForgivingInput(t *testing.T) {
	e := setup(t, 3)
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"list state running", []string{"Did you mean `state=running`?"}},
		{"renew shop-prod 12m", []string{"Did you mean `duration=12m`?"}},
		{"renew shop-prod duration=200m", []string{"1 to 120 months"}},
		{"list type=phpmysq", []string{"Did you mean `phpmysql`?", "(57 in all)"}},
		{"info " + strings.Repeat("x", 300), []string{"…\" (300 characters)"}},
	} {
		t.Run(tc.line[:min(len(tc.line), 30)], func(t *testing.T) {
			m := e.run(t, tc.line)
			wantErr(t, m, tc.want...)
			if strings.Count(m.Text, ",") > 12 {
				t.Errorf("error lists too much: %s", m.Text)
			}
		})
	}
	// sort=expires is date_end: the page comes back sorted by expiry.
	got := column(e.run(t, "list sort=expires"), "expires")
	if len(got) != 3 || !sort.StringsAreSorted(got) {
		t.Errorf("list sort=expires: expiries %v, want 3 in order", got)
	}
}

// TestHandle_CreateSameNameAsks: a create naming an existing instance asks
// first (nothing proposed), and its button proposes it.
func TestHandle_CreateSameNameAsks(t *testing.T) {
	e := setup(t, 3)
	m := e.run(t, "create name=shop-prod size=s type=phpmysql datacenter=1 duration=1m")
	if m.Tone != reply.Warning || len(m.Buttons) != 1 || !strings.HasSuffix(m.Buttons[0].Value, " same-name") {
		t.Fatalf("create of an existing name: %+v", m)
	}
	if p, _ := e.db.PendingApprovals(t.Context(), testTeam); len(p) != 0 {
		t.Fatalf("%d requests proposed before the confirmation", len(p))
	}
	wantOK(t, e.core.Click(t.Context(), Click{Team: testTeam, User: alice, Channel: "C1", Action: "cmd", Value: m.Buttons[0].Value}))
	if p, _ := e.db.PendingApprovals(t.Context(), testTeam); len(p) != 1 {
		t.Fatalf("%d requests proposed after the confirmation, want 1", len(p))
	}
}

func TestSubmitForm_KeyLength(t *testing.T) {
	e := setup(t, 1)
	_, err := e.core.SubmitForm(t.Context(), Submission{Team: testTeam, User: "UNEW", FormID: FormLogin, Value: "abc123"})
	if err == nil || !strings.Contains(err.Error(), "Gandi API keys are 24 characters; this one has 6") {
		t.Fatalf("short key: %v", err)
	}
	if n := e.sim.Calls("version.info"); n != 0 {
		t.Errorf("a key of the wrong length was sent to Gandi (%d calls)", n)
	}
}

// TestHelp_SpeaksOfWhereItIsRead: the shell's help names commands as they
// are typed there and speaks of typing, Slack's of buttons and forms; both
// are grouped by family and free of generator artefacts.
func TestHelp_SpeaksOfWhereItIsRead(t *testing.T) {
	e := setup(t, 1)
	slack := testutil.Text(e.run(t, "help"))
	term := testutil.Text(e.core.Handle(t.Context(), Request{Team: testTeam, User: alice, Channel: "shell", Text: "help", Terminal: true}))
	for _, family := range []string{"*Instances*", "*Virtual hosts*", "*Snapshots*", "*Approvals*", "*Alerts*"} {
		if !strings.Contains(slack, family) {
			t.Errorf("help lacks the family %s", family)
		}
	}
	if !strings.Contains(slack, "--share") || !strings.Contains(slack, "open a form") {
		t.Errorf("Slack's help does not speak of sharing and forms:\n%s", slack)
	}
	if strings.Contains(term, "--share") || strings.Contains(term, "form") || !strings.Contains(term, "[approve 7]") {
		t.Errorf("the shell's help speaks of Slack:\n%s", term)
	}
	renew := testutil.Text(e.core.Handle(t.Context(), Request{Team: testTeam, User: alice, Text: "help renew", Terminal: true}))
	if strings.Contains(renew, "/paas") {
		t.Errorf("the shell's help names /paas:\n%s", renew)
	}
	for _, line := range []string{"help login", "help renew", "help update"} {
		text := testutil.Text(e.run(t, line))
		for _, artefact := range []string{"(nothing", "text (<", "<instance>)", "switch: on or off"} {
			if strings.Contains(text, artefact) {
				t.Errorf("%s shows the artefact %q:\n%s", line, artefact, text)
			}
		}
	}
	if fixed := testutil.Text(e.run(t, "help renew")); !strings.Contains(fixed, "annual commitment") || strings.Contains(fixed, "fixed: on or off") {
		t.Errorf("help renew's switch:\n%s", fixed)
	}
}

// TestCreate_MistypedTypeSuggestsCurrentFirst: a type the reference does
// not know is refused before any dry run, naming at most ten types, the
// account's current ones before the deprecated.
func TestCreate_MistypedTypeSuggestsCurrentFirst(t *testing.T) {
	e := setup(t, 1)
	m := e.run(t, "create name=x size=s type=phpmysq datacenter=1 duration=1m")
	wantErr(t, m, `"phpmysq" is not a valid type`, "Did you mean `phpmysql`?", "Closest you can create: phpmysql")
	listed := strings.SplitN(strings.SplitN(m.Text, "Closest you can create: ", 2)[1], ". `types`", 2)[0]
	if n := len(strings.Split(listed, ", ")); n > 10 || n < 2 {
		t.Errorf("%d types listed (%s), want 2 to 10", n, listed)
	}
	if e.sim.DryRuns("paas.create") != 0 {
		t.Error("a mistyped type was dry-run")
	}
}

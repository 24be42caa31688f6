package commands

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

func TestHandle_List(t *testing.T) {
	e := setup(t, 40)
	m := e.run(t, "list")
	wantOK(t, m, "shop-prod", "shop-staging", "showing 1–25 of 40", "in ")
	if len(m.Table.Rows) != 25 {
		t.Fatalf("rows = %d, want 25", len(m.Table.Rows))
	}
	if m.Visibility != reply.Private {
		t.Errorf("a list about one's own account must be private")
	}
	if len(m.Buttons) != 1 || m.Buttons[0].Label != "Next" || m.Buttons[0].Action != ActionPage ||
		m.Buttons[0].Value != alice+"|p|list page=2" || m.Buttons[0].Command != "list page=2" {
		t.Fatalf("buttons = %+v, want one Next to page 2", m.Buttons)
	}
	// The button shows the next page in place of this one.
	m2 := e.core.Click(context.Background(), Click{Team: testTeam, User: alice, Channel: "C1", Action: ActionPage, Value: m.Buttons[0].Value})
	wantOK(t, m2, "showing 26–40 of 40")
	if !m2.ReplaceOriginal || m2.Visibility != reply.Private {
		t.Errorf("page 2 replace=%v visibility=%v, want it in place, private", m2.ReplaceOriginal, m2.Visibility)
	}
	if len(m2.Buttons) != 1 || m2.Buttons[0].Label != "Previous" || m2.Buttons[0].Value != alice+"|p|list page=1" {
		t.Errorf("last page buttons %+v, want Previous alone", m2.Buttons)
	}
}

func TestHandle_ListFilters(t *testing.T) {
	e := setup(t, 40)
	tests := []struct {
		text   string
		column string
		check  func(string) bool
	}{
		{"list state=paused per-page=100", "state", func(v string) bool { return v == "paused" }},
		{"list ~name=shop", "name", func(v string) bool { return strings.Contains(v, "shop") }},
		{"list name~=shop", "name", func(v string) bool { return strings.Contains(v, "shop") }},
		{"list size=s,s+ per-page=100", "size", func(v string) bool { return v == "s" || v == "s+" }},
		{"list datacenter_id=1,2 per-page=100", "dc", func(v string) bool { return v == "1" || v == "2" }},
		{"list expires-within=30d per-page=100", "", nil},
		{"list <date_end=2026-12-31 sort_by=date_end per-page=100", "expires", func(v string) bool { return v < "2026-12-31" }},
		{"list &gt;date_end=2027-01-01 sort=-date_end", "expires", func(v string) bool { return v > "2027-01-01" }},
		{"list type=phpmysql", "type", func(v string) bool { return v == "phpmysql" }},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			m := e.run(t, tt.text)
			wantOK(t, m)
			if m.Table == nil || len(m.Table.Rows) == 0 {
				t.Fatalf("no rows:\n%s", testutil.Text(m))
			}
			if tt.check == nil {
				for _, f := range column(m, "flags") {
					if !strings.Contains(f, "⚠") {
						t.Errorf("expires-within=30d row without ⚠: %q", f)
					}
				}
				return
			}
			for _, v := range column(m, tt.column) {
				if !tt.check(v) {
					t.Errorf("%s: row with %s=%q", tt.text, tt.column, v)
				}
			}
		})
	}
	// Sorting descending puts the latest expiry first.
	m := e.run(t, "list sort=date_end desc per-page=100")
	wantErr(t, m) // "desc" alone is a stray word: sort needs quotes
	m = e.run(t, `list sort="date_end desc" per-page=100`)
	wantOK(t, m)
	exp := column(m, "expires")
	for i := 1; i < len(exp); i++ {
		if exp[i] > exp[i-1] {
			t.Fatalf("not sorted descending: %v", exp)
		}
	}
}

func TestHandle_Errors(t *testing.T) {
	e := setup(t, 12)
	tests := []struct {
		text string
		want []string
	}{
		{"lsit", []string{`Unknown command "lsit"`, "Did you mean `list`?"}},
		{"list stat=running", []string{`no key "stat"`, "Did you mean `state`?", "Valid keys:"}},
		{"list state=runing", []string{`"runing" is not a valid state`, "Did you mean `running`?", "being_created"}},
		{"list size=huge", []string{"Valid: s, s+, m, l, xl, xxl"}},
		{"list sort=colour", []string{`Cannot sort by "colour"`, "date_end"}},
		{"list page=0", []string{"page counts from 1"}},
		{"list per-page=501", []string{"per-page must be between 1 and 500"}},
		{"list <date_end=tomorrow", []string{"must be a date"}},
		{"list --bogus", []string{`no flag "--bogus"`}},
		{`info "shop`, []string{"quote", "never closed"}},
		{"info", []string{"`info` needs <instance>"}},
		{"info shop-prd", []string{`No instance named "shop-prd"`, "shop-prod"}},
		{"info 999999", []string{"No instance 999999 in your account."}},
		{"info shop-prod extra", []string{`does not take "extra"`}},
		{"vhost bogus", []string{`"vhost bogus" is not a command`, "list"}},
		{"vhost info nowhere.example.org", []string{`No virtual host "nowhere.example.org" in your account.`}},
		{"snapshot info 1", []string{"No snapshot 1 in your account."}},
		{"renew shop-prod duration=forever", []string{"number of months"}},
		{"create name=x size=s type=phpmysql datacenter=1", []string{"needs duration="}},
		{"create name=x size=s type=cobol datacenter=1 duration=1m", []string{`"cobol" is not a valid type`}},
		{"approve 999", []string{"There is no approval #999"}},
		{"help nothing", []string{`No help on "nothing"`}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			wantErr(t, e.run(t, tt.text), tt.want...)
		})
	}
}

func TestHandle_NoKeyAndBadKey(t *testing.T) {
	e := setup(t, 3)
	wantErr(t, e.runAs(t, "UNOBODY", "list"), "You have no Gandi API key here yet: run `/paas login`.")
	// help works without a key.
	wantOK(t, e.runAs(t, "UNOBODY", "help"), "list")
	if _, err := e.db.PutAPIKey(context.Background(), store.Identity{Team: testTeam, User: "UBOB"}, "revoked0000000000000000x"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.runAs(t, "UBOB", "list"), "Your API key was refused: run `/paas login` again.")
}

// TestHandle_GandiFaults: the simulator's injected faults, as people see
// them (faults_test.go covers every kind of answer over raw HTTP).
func TestHandle_GandiFaults(t *testing.T) {
	e := setup(t, 3)
	// A read is retried past one slow-down answer…
	e.sim.SetFault(gandisim.FaultRule{Method: "paas.count", HTTPStatus: 503, RetryAfter: "0", Times: 1})
	wantOK(t, e.run(t, "count"), "3 instances.")
	// …and says how long to wait once Gandi insists.
	e.sim.SetFault(gandisim.FaultRule{Method: "paas.count", HTTPStatus: 429, RetryAfter: "45", Times: 1})
	wantErr(t, e.run(t, "count"), "Gandi asks to slow down; try again in 45 s.")
	// Gandi's own internal error is Gandi's, not paasbot's.
	e.sim.SetFault(gandisim.FaultRule{Method: "paas.info", Code: gandisim.CodeInternal, Times: 1})
	m := e.run(t, "info 126001")
	wantErr(t, m, "Gandi says: ", "(fault 150000)")
	if strings.Contains(m.Text, "internal error (ref") {
		t.Errorf("Gandi's fault shown as paasbot's bug: %s", m.Text)
	}
	wantOK(t, e.run(t, "count"), "3 instances.")
}

func TestHandle_PanicIsInternalError(t *testing.T) {
	e := setup(t, 3)
	if _, err := e.db.PutAPIKey(context.Background(), store.Identity{Team: testTeam, User: "UPANIC"}, "panic-key-0000000000000"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.runAs(t, "UPANIC", "list"), "internal error (ref ")
}

func TestHandle_AmbiguousName(t *testing.T) {
	e := setup(t, 3)
	gc := gandi.NewClient(testKey, gandi.WithEndpoint(e.url))
	_, err := gc.PaaS.Create(context.Background(), gandi.PaasCreateParams{Name: "blog", Size: "s", Type: "phpmysql", DatacenterID: 1, Duration: "1m", Password: "Sw0rdfish-Sw0rdfish"})
	if err != nil {
		t.Fatalf("create a second blog: %v", err)
	}
	wantErr(t, e.run(t, "info blog"), `Several instances are named "blog"`, "#126003", "Use the id")
}

func TestHandle_InfoCountVhostSnapshotTypes(t *testing.T) {
	e := setup(t, 12)
	wantOK(t, e.run(t, "info shop-prod"), "shop-prod (#126001)", "SFTP", "Git", "Datacenter", "Disk", "Console",
		"Snapshots", "shop.example.com", "Expires")
	wantOK(t, e.run(t, "info 126002"), "shop-staging", "no snapshot profile")
	wantOK(t, e.run(t, "count state=running"), "instances matching state=running.")
	wantOK(t, e.run(t, "vhost list shop-prod"), "shop.example.com", "www.shop.example.com", "showing 1–2 of 2")
	wantOK(t, e.run(t, "vhost"), "shop.example.com")
	wantOK(t, e.run(t, "vhost count shop-prod"), "2 virtual hosts of shop-prod.")
	wantOK(t, e.run(t, "vhost info shop.example.com"), "shop.example.com", "#126001")
	wantOK(t, e.run(t, "vhost info <http://shop.example.com|shop.example.com>"), "#126001")
	wantOK(t, e.run(t, "vhost dns new.example.com datacenter=1"), "new.example.com")
	snaps := e.run(t, "snapshot list blog")
	wantOK(t, snaps, "Snapshots of blog", "126003")
	wantOK(t, e.run(t, "snapshot count blog"), "snapshot")
	wantOK(t, e.run(t, "snapshot info "+snaps.Table.Rows[0][0]), "Snapshot #"+snaps.Table.Rows[0][0], "#126003")
	wantOK(t, e.run(t, "types"), "phpmysql", "showing 1–")
	wantOK(t, e.run(t, "types name=phpmysql"), "phpmysql")
	wantOK(t, e.run(t, "types count"), "types.")
	wantOK(t, e.run(t, "help list"), "state", "expires-within", "sort_by", "running")
	wantOK(t, e.run(t, "help vhost create"), "zone-alter")
	wantOK(t, e.run(t, "whoami"), "fingerprint", "key accepted")
	wantOK(t, e.run(t, ""), "paasbot")
}

func TestHandle_PaidCommandsNeedConfirmation(t *testing.T) {
	e := setup(t, 12)
	e.sim.ProveDomain("example.net")
	texts := []string{
		"renew shop-prod duration=12m", "restart shop-staging", "delete blog", "update blog upgrade",
		"create name=new size=s type=phpmysql datacenter=1 duration=1m vhosts=new.example.net",
		"vhost create shop-prod shop.example.net", "vhost delete www.shop.example.com",
	}
	for _, text := range texts {
		wantOK(t, e.run(t, text))
	}
	for _, method := range []string{"paas.renew", "paas.restart", "paas.delete", "paas.update", "paas.create", "paas.vhost.create", "paas.vhost.delete"} {
		if n := e.sim.Calls(method); n != 0 {
			t.Errorf("%s called %d times before any confirmation", method, n)
		}
	}
	pending, err := e.db.PendingApprovals(context.Background(), testTeam)
	if err != nil || len(pending) != len(texts) {
		t.Fatalf("%d pending approvals (%v), want %d", len(pending), err, len(texts))
	}
	for _, a := range pending {
		if strings.Contains(strings.ToLower(string(a.Params)), `"password":`) {
			t.Errorf("approval %d params hold a password key: %s", a.ID, a.Params)
		}
	}
	wantOK(t, e.run(t, "approvals"), "shop-prod (#126001)", "blog (#126003)")
}

// TestApprove_ExactlyOnce checks, whatever the messages say, that two
// concurrent approvals of one request call Gandi once.
func TestApprove_ExactlyOnce(t *testing.T) {
	e := setup(t, 12)
	wantOK(t, e.run(t, "renew shop-prod duration=12m"))
	pending, err := e.db.PendingApprovals(context.Background(), testTeam)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
	id := strconv.FormatInt(pending[0].ID, 10)
	var wg sync.WaitGroup
	results := make([]reply.Message, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.core.Click(context.Background(), Click{Team: testTeam, User: alice, Channel: "C1", Action: "approval.approve", Value: id})
		}()
	}
	wg.Wait()
	errorsSeen := 0
	for _, r := range results {
		if r.Tone == reply.Error {
			errorsSeen++
		}
	}
	if errorsSeen != 1 {
		t.Errorf("%d of 2 concurrent approvals were refused, want exactly 1: %+v", errorsSeen, results)
	}
	if n := e.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew called %d times, want exactly 1", n)
	}
	wantErr(t, e.run(t, "approve "+id), "#"+id)
	if n := e.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("a third approval called paas.renew again (%d calls)", n)
	}
}

func TestSubmitForm_Login(t *testing.T) {
	e := setup(t, 3)
	m := e.runAs(t, "UNEW", "login")
	if m.Form == nil || m.Form.ID != FormLogin {
		t.Fatalf("login reply has no login form: %+v", m)
	}
	ctx := context.Background()
	_, err := e.core.SubmitForm(ctx, Submission{Team: testTeam, User: "UNEW", FormID: FormLogin, Value: "wrong0000000000000000key"})
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.EINVALID || !strings.Contains(ae.Message, "Gandi refused this API key") {
		t.Fatalf("bad key: err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong0000000000000000key") {
		t.Errorf("the key leaked into the error: %v", err)
	}
	ok, err := e.core.SubmitForm(ctx, Submission{Team: testTeam, User: "UNEW", FormID: FormLogin, Value: " " + testKey + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, ok, "fingerprint")
	if strings.Contains(testutil.Text(ok), testKey) || ok.Visibility != reply.Private {
		t.Errorf("login reply shows the key or is not private: %s", testutil.Text(ok))
	}
	wantOK(t, e.runAs(t, "UNEW", "count"), "3 instances.")
	wantOK(t, e.runAs(t, "UNEW", "logout"), "deleted")
	wantErr(t, e.runAs(t, "UNEW", "count"), "run `/paas login`")
	entries, _ := e.db.RecentAudit(ctx, testTeam, 10)
	if len(entries) < 2 {
		t.Errorf("login and logout not audited: %+v", entries)
	}
}

func TestClick_Unknown(t *testing.T) {
	e := setup(t, 3)
	m := e.core.Click(context.Background(), Click{Team: testTeam, User: alice, Action: "nope"})
	wantErr(t, m, "not known")
	m = e.core.Click(context.Background(), Click{Team: testTeam, User: alice, Action: "approval.approve", Value: "x"})
	wantErr(t, m, "broken")
}

func TestHandle_LoginRefusesTypedKey(t *testing.T) {
	e := setup(t, 1)
	for _, text := range []string{"sEcReT0000000000000000k", "login sEcReT0000000000000000k", "login apikey=sEcReT0000000000000000k", "login key=sEcReT0000000000000000k"} {
		m := e.runAs(t, "UNEW", text)
		wantErr(t, m, "API key")
		if strings.Contains(testutil.Text(m), "sEcReT") {
			t.Errorf("%s: the key was repeated: %s", text, testutil.Text(m))
		}
	}
	if _, _, err := e.db.APIKey(context.Background(), store.Identity{Team: testTeam, User: "UNEW"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a typed key was stored: %v", err)
	}
}

// TestClick_MoreOnSharedListStaysPrivate: anyone in the channel may click
// the "More" of a list shared there, and the click runs with the clicker's
// own key, so it must never post the clicker's account in the channel.
func TestClick_MoreOnSharedListStaysPrivate(t *testing.T) {
	e := setup(t, 6)
	const bobKey = "test0000key0000000000002"
	e.sim.SeedDemo(bobKey, 6)
	if _, err := e.db.PutAPIKey(context.Background(), store.Identity{Team: testTeam, User: "UBOB"}, bobKey); err != nil {
		t.Fatal(err)
	}
	shared := e.run(t, "list per-page=2 --share")
	if shared.Visibility != reply.Shared {
		t.Fatalf("list --share is not shared")
	}
	if len(shared.Buttons) != 1 || shared.Buttons[0].Value != alice+"|s|list per-page=2 page=2" {
		t.Fatalf("Next value = %+v, want the next page without --share", shared.Buttons)
	}
	next := shared.Buttons[0].Value
	if !strings.Contains(testutil.Text(shared), "shared by {@UALICE}") {
		t.Errorf("a shared list does not say who shared it:\n%s", testutil.Text(shared))
	}
	for _, tc := range []struct {
		name, user, action, value string
		wantShared, wantReplace   bool
	}{
		// The sharer pages the channel's message in place; anyone else
		// gets their own page privately, nothing replaced.
		{"OwnNext", alice, ActionPage, next, true, true},
		{"OthersNext", "UBOB", ActionPage, next, false, false},
		{"OldButtonWithShare", "UBOB", "cmd", "list per-page=2 --share page=2", false, false},
		{"CountWithShare", "UBOB", "cmd", "count --share", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := e.core.Click(context.Background(), Click{Team: testTeam, User: tc.user, Channel: "C1", Action: tc.action, Value: tc.value})
			if m.Tone == reply.Error {
				t.Fatalf("%s clicking %q: %s", tc.user, tc.value, m.Text)
			}
			if (m.Visibility == reply.Shared) != tc.wantShared || m.ReplaceOriginal != tc.wantReplace {
				t.Errorf("%s clicking %q: shared %v replace %v, want %v %v", tc.user, tc.value, m.Visibility == reply.Shared, m.ReplaceOriginal, tc.wantShared, tc.wantReplace)
			}
		})
	}
}

// TestClick_RenewButtonStillPostsApproval: a report's Renew button runs
// `renew` as the clicker; its private reply does not hide the approval
// request, which is stored and posted through the Notifier.
func TestClick_RenewButtonStillPostsApproval(t *testing.T) {
	e := setup(t, 3)
	m := e.core.Click(context.Background(), Click{Team: testTeam, User: alice, Channel: "C1", Action: "cmd", Value: "renew 126001 duration=12m"})
	wantOK(t, m, "Approval request #1 posted")
	if m.Visibility != reply.Private {
		t.Errorf("the clicker's answer is not private")
	}
	pending, err := e.db.PendingApprovals(context.Background(), testTeam)
	if err != nil || len(pending) != 1 || pending[0].Action != approvals.ActionRenew || pending[0].MessageID == "" {
		t.Errorf("pending approvals = %+v, %v; want the renew request, posted", pending, err)
	}
}

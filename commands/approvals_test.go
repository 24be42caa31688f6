package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// The end-to-end tests of the paid and destructive commands through the
// core: typed and clicked, on the simulator and a real store, with the
// real approvals engine (whose own tests are in package approvals).

func TestApprovals_DryRunRefusalStoresNothing(t *testing.T) {
	e := setupClock(t, 3, "USAM")
	m := e.run(t, "create name=blog2 size=s type=phpmysql datacenter=1 duration=1m vhosts=blog.newsite.example")
	dns, err := gandi.NewClient(testKey, gandi.WithEndpoint(e.url)).Vhosts.DNSEntries(t.Context(),
		gandi.DNSEntriesParams{Datacenter: 1, Vhost: "blog.newsite.example"})
	if err != nil {
		t.Fatal(err)
	}
	zone := gandi.TXTRecord{Vhost: "blog.newsite.example", Value: dns.TXT}.ZoneLine()
	text := testutil.Text(m)
	for _, want := range []string{"Gandi would refuse this create of blog2", zone, "blog.newsite.example. 10800 IN CNAME " + dns.CNAME,
		"Nothing was requested, stored or billed"} {
		if !strings.Contains(text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, text)
		}
	}
	if m.Visibility != reply.Private || len(m.Buttons) != 0 {
		t.Errorf("refusal visibility %v, buttons %v", m.Visibility, m.Buttons)
	}
	if _, err := e.db.Approval(t.Context(), 1); err == nil {
		t.Error("a refused dry run stored an approval")
	}
	if posts, _, _ := e.notes.Snapshot(); len(posts) != 0 {
		t.Errorf("a refused dry run posted %d messages", len(posts))
	}
	if e.sim.Calls("paas.create") != 0 || e.sim.DryRuns("paas.create") != 1 {
		t.Errorf("paas.create calls %d, dry runs %d; want 0 and 1", e.sim.Calls("paas.create"), e.sim.DryRuns("paas.create"))
	}
	if au := testutil.Text(e.run(t, "audit")); !strings.Contains(au, "{@UALICE} | request | create blog2 | refused by dry run: missing TXT record for blog.newsite.example") {
		t.Errorf("audit:\n%s", au)
	}
}

// TestApprovals_ShellFlow is the sandbox session: people typed by name
// (not Slack ids), `approve ID` typed instead of a click.
func TestApprovals_ShellFlow(t *testing.T) {
	e := setupClock(t, 3, "sam")
	if _, err := e.db.PutAPIKey(t.Context(), store.Identity{Team: testTeam, User: "dana"}, testKey); err != nil {
		t.Fatal(err)
	}
	run := func(user, text string) reply.Message {
		return e.core.Handle(context.Background(), Request{Team: testTeam, User: user, Channel: "local", Text: text})
	}
	m := run("dana", "renew shop-prod duration=12m")
	if !strings.Contains(m.Text, "Approval request #1 posted") || !strings.Contains(m.Text, "waiting for an approver: sam") {
		t.Fatalf("renew = %s", testutil.Text(m))
	}
	posts, _, _ := e.notes.Snapshot()
	if len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "dana asks to *renew shop-prod") {
		t.Fatalf("posted = %+v", posts)
	}
	list := testutil.Text(run("sam", "approvals"))
	if !strings.Contains(list, "renew shop-prod (#") || !strings.Contains(list, "approve 1]") {
		t.Errorf("approvals for sam:\n%s", list)
	}
	if own := testutil.Text(run("dana", "approvals")); strings.Contains(own, "approve 1]") || !strings.Contains(own, "cancel 1]") {
		t.Errorf("approvals for dana (may cancel, not approve):\n%s", own)
	}
	if m := run("dana", "approve 1"); m.Tone != reply.Error || !strings.Contains(m.Text, "sam") {
		t.Errorf("dana approving her own = %+v", m)
	}
	if m := run("eve", "approve 1"); !strings.Contains(m.Text, "not allowed") || !strings.Contains(m.Text, "Nothing changed") {
		t.Errorf("typed approve by a stranger = %+v", m)
	}
	if m := run("sam", "approve 1"); m.Tone != reply.Success {
		t.Fatalf("sam approves = %+v", m)
	}
	if err := e.engine.WaitFollowUps(t.Context()); err != nil {
		t.Fatal(err)
	}
	if a, err := e.db.Approval(t.Context(), 1); err != nil || !a.FollowDone {
		t.Fatalf("approval 1 still followed: %+v, %v", a, err)
	}
	if m := run("sam", "approve 1"); !strings.Contains(m.Text, "already") {
		t.Errorf("typed twice = %+v", m)
	}
	if n := e.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew calls = %d", n)
	}
	audit := testutil.Text(run("eve", "audit"))
	for _, want := range []string{"request paas.renew #1", "approve paas.renew #1", "execute paas.renew #1", "result paas.renew #1"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
}

// TestApprovals_ListButtonsMatchRequest checks that the `approvals` list
// offers the same buttons as each request's own message: a pending delete
// keeps its danger style and the confirm dialog naming the instance, so
// it never runs from the list without that second question.
func TestApprovals_ListButtonsMatchRequest(t *testing.T) {
	e := setup(t, 3)
	own := e.run(t, "delete 126003")
	var want *reply.Button
	for i := range own.Buttons {
		if own.Buttons[i].Action == "approval.approve" {
			want = &own.Buttons[i]
		}
	}
	if want == nil || want.Confirm == nil || !strings.Contains(want.Confirm.Text, "#126003") {
		t.Fatalf("the delete confirm has no dialog naming the instance: %+v", own.Buttons)
	}
	list := e.run(t, "approvals")
	var got []string
	for _, b := range list.Buttons {
		got = append(got, b.Action)
		if b.Action != "approval.approve" {
			continue
		}
		if b.Confirm == nil || *b.Confirm != *want.Confirm || b.Style != want.Style || b.Value != want.Value {
			t.Errorf("approvals offers %q (style %v, confirm %+v); the request itself has style %v, confirm %+v",
				b.Label, b.Style, b.Confirm, want.Style, want.Confirm)
		}
		if !strings.HasSuffix(b.Label, " #"+b.Value) {
			t.Errorf("list button label %q does not name request #%s", b.Label, b.Value)
		}
	}
	if strings.Join(got, " ") != "approval.approve approval.cancel" {
		t.Errorf("list buttons for the requester = %v, want confirm and cancel", got)
	}
}

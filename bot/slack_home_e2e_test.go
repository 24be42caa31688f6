package bot

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/bot/slacktest"
)

// TestE2E_AppHome: opening the Home tab publishes the person's Home
// (views.publish): key status, instances expiring within 30 days with a
// Renew button each, requests and alerts; a request they make moves it,
// and the Home is published again without their opening it.
func TestE2E_AppHome(t *testing.T) {
	// As cmd/paasbot does: a request's move refreshes its requester's
	// Home, through the adapter built after the engine.
	var adapter atomic.Pointer[Slack]
	e := newE2EWith(t, e2eOptions{engine: func(c *approvals.Config) {
		c.OnChange = func(ctx context.Context, ch approvals.Change) {
			if s := adapter.Load(); s != nil {
				s.RefreshHome(ctx, ch.Team, ch.Requester)
			}
		}
	}})
	adapter.Store(e.slack)
	// Sam has no key: his Home says how to get one.
	e.fake.OpenAppHome(t.Context(), slacktest.AppHomeOpened{UserID: sam})
	home := e.fake.WaitForHomeView(t, sam, func(v slacktest.View) bool { return strings.Contains(v.AllText(), "login") }, wait)
	if !strings.Contains(string(home.JSON), `"value":"login"`) {
		t.Errorf("Sam's Home has no Log in button: %s", home.AllText())
	}

	e.login(t, dana)
	e.fake.OpenAppHome(t.Context(), slacktest.AppHomeOpened{UserID: dana})
	home = e.fake.WaitForHomeView(t, dana, func(v slacktest.View) bool { return strings.Contains(v.AllText(), "fingerprint") }, wait)
	text := home.AllText()
	for _, want := range []string{"Expiring within 30 days", "shop-staging", "Waiting for your approval", "Your pending requests", "You have no pending request", "Your alerts"} {
		if !strings.Contains(text, want) {
			t.Errorf("Dana's Home lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(string(home.JSON), `"value":"renew `) {
		t.Errorf("expiring instances have no Renew button")
	}
	// The Messages tab publishes nothing.
	before := home.Updates
	e.fake.OpenAppHome(t.Context(), slacktest.AppHomeOpened{UserID: dana, Tab: "messages"})

	// Dana asks for a renewal: her Home shows it without her reopening it.
	e.postFor(e.slash(dana, devChan, "renew shop-prod duration=12m"))
	home = e.fake.WaitForHomeView(t, dana, func(v slacktest.View) bool { return strings.Contains(v.AllText(), "renew shop-prod (#126001)") }, wait)
	if home.Updates <= before || !strings.Contains(string(home.JSON), `"action_id":"approval.approve`) {
		t.Errorf("after the request: %d updates, %s; want it listed with its buttons (no approvers: Dana confirms it)", home.Updates, home.AllText())
	}
	for _, v := range e.fake.Views() {
		if v.Type == "home" && v.UserID == sam && strings.Contains(v.AllText(), "shop-prod") {
			t.Error("Dana's request reached Sam's Home, who is no approver")
		}
	}
}

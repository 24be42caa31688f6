package commands

import (
	"sort"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
)

func homeText(ms []reply.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(testutil.Text(m))
	}
	return b.String()
}

// TestHome: the sections of a person's App Home, from the store, the
// engine and one paas.list with their key.
func TestHome(t *testing.T) {
	e := setup(t, 12, "UBOB")
	if got := e.core.Home(t.Context(), testTeam, ""); got != nil {
		t.Errorf("an anonymous Home: %+v", got)
	}
	text := homeText(e.core.Home(t.Context(), testTeam, "UNOKEY"))
	if !strings.Contains(text, "login") || strings.Contains(text, "shop-prod") {
		t.Errorf("Home without a key:\n%s", text)
	}
	wantOK(t, e.run(t, "renew shop-prod duration=12m"))
	home := e.core.Home(t.Context(), testTeam, alice)
	if len(home) != 5 {
		t.Fatalf("%d sections, want key, expiring, waiting, own, alerts", len(home))
	}
	key, expiring, waiting, own := home[0], home[1], home[2], home[3]
	if !strings.Contains(testutil.Text(key), "fingerprint") {
		t.Errorf("key section:\n%s", testutil.Text(key))
	}
	if expiring.Table == nil || !expiring.RowButtons || len(expiring.Buttons) != len(expiring.Table.Rows) ||
		!strings.HasPrefix(expiring.Buttons[0].Value, "renew 1260") || strings.Contains(expiring.Buttons[0].Value, "duration") {
		t.Fatalf("expiring section: %+v", expiring)
	}
	if dates := column(expiring, "expires"); !sort.StringsAreSorted(dates) {
		t.Errorf("expiring not most urgent first: %v", dates)
	}
	if !strings.Contains(own.Text, "#1") || len(own.Buttons) != 1 || own.Buttons[0].Action != "approval.cancel" {
		t.Errorf("alice's own requests: %+v", own)
	}
	if strings.Contains(waiting.Text, "#1") {
		t.Errorf("alice's own request waits for her approval, with an approver set: %+v", waiting)
	}
	bob := e.core.Home(t.Context(), testTeam, "UBOB")
	if w := bob[2]; !strings.Contains(w.Text, "#1") || len(w.Buttons) != 2 || w.Buttons[0].Action != "approval.approve" {
		t.Errorf("bob, the approver: %+v", w)
	}
}

package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paasbot/paasbot/alerts"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// viewsNow is the fixed clock of the view goldens.
var viewsNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

const viewsTeam, viewsUser = "T0VIEWS", "U0DANA"

// viewsRig is a real core and engine on the simulator and a real store,
// on a clock standing still, so that every reply renders the same way
// each run.
type viewsRig struct {
	core  *commands.Core
	sim   *gandisim.Server
	url   string
	hc    *http.Client
	notes *testutil.Notifier
	db    *store.DB
}

func newViewsRig(t *testing.T) *viewsRig {
	t.Helper()
	now := func() time.Time { return viewsNow }
	sim, url, hc := testutil.Sim(t, gandisim.Options{Seed: 1, Now: now})
	sim.SeedDemo(gandisim.DemoAPIKey, 30)
	db := testutil.OpenStore(t, now)
	if _, err := db.PutAPIKey(t.Context(), store.Identity{Team: viewsTeam, User: viewsUser}, gandisim.DemoAPIKey); err != nil {
		t.Fatal(err)
	}
	client := func(key secret.Value) *gandi.Client {
		return gandi.NewClient(key, gandi.WithEndpoint(url), gandi.WithHTTPClient(hc))
	}
	notes := &testutil.Notifier{}
	engine, err := approvals.New(approvals.Config{Store: db, Notifier: notes, Now: now,
		Gandi: func(key secret.Value, _ time.Duration) approvals.Client {
			c := client(key)
			return approvals.Client{PaaS: c.PaaS, Vhosts: c.Vhosts, Operations: c.Operations, Catalog: c.Catalog}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)
	core, err := commands.New(commands.Config{Store: db, Approvals: engine, Notifier: notes, Now: now,
		Gandi: func(key secret.Value) commands.Gandi { return commands.FromClient(client(key)) }})
	if err != nil {
		t.Fatal(err)
	}
	return &viewsRig{core: core, sim: sim, url: url, hc: hc, notes: notes, db: db}
}

func (r *viewsRig) run(t *testing.T, text string) reply.Message {
	t.Helper()
	return r.core.Handle(context.Background(), commands.Request{Team: viewsTeam, User: viewsUser, Channel: "C0DEV", Text: text})
}

// TestViews_Golden renders what people see, from the real core against
// the simulator, into testdata/view_*.golden.json: every command's reply,
// the approval request it posts, and the reports. TestGoldens_FitAPhone
// checks them all.
func TestViews_Golden(t *testing.T) {
	r := newViewsRig(t)
	for _, line := range []string{
		"help", "help renew", "help vhost", "list", "list per-page=5 page=2", "count state=running", "info shop-prod",
		"vhost list", "vhost info shop.example.com", "vhost dns shop.example.com datacenter=1",
		"snapshot list shop-prod", "snapshot profiles", "datacenters", "types", "operations", "help login",
		"list state running", "list type=phpmysq", "info nosuch", "list --share",
	} {
		t.Run(line, func(t *testing.T) {
			golden(t, "view_"+goldenName(line), render(t, r.run(t, line)))
		})
	}
	for _, line := range []string{"create", "renew shop-prod", "update shop-prod"} {
		t.Run("form "+line, func(t *testing.T) {
			m := r.run(t, line)
			if m.Form == nil || len(m.Form.Fields) == 0 {
				t.Fatalf("%q opened no form: %s", line, testutil.Text(m))
			}
			golden(t, "view_form_"+goldenName(line), RenderFormModal(*m.Form, "C0DEV"))
		})
	}
	t.Run("approval request", func(t *testing.T) {
		answer := r.run(t, "renew shop-prod duration=12m")
		posts, _, _ := r.notes.Snapshot()
		if len(posts) == 0 {
			t.Fatalf("renew posted no approval request: %s", testutil.Text(answer))
		}
		golden(t, "view_renew_answer", render(t, answer))
		golden(t, "view_renew_request", render(t, posts[len(posts)-1].Msg))
		golden(t, "view_approvals", render(t, r.run(t, "approvals")))
		golden(t, "view_audit", render(t, r.run(t, "audit")))
	})
	t.Run("app home", func(t *testing.T) {
		nokey, err := RenderHome(r.core.Home(t.Context(), viewsTeam, "U0NOKEY"))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "view_home_without_key", nokey)
		// The key's fingerprint changes with each store's secret: the
		// golden holds the sections after it.
		home, err := RenderHome(r.core.Home(t.Context(), viewsTeam, viewsUser)[1:])
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "view_home", home)
	})
	t.Run("expiry report", func(t *testing.T) {
		ins, err := gandi.NewClient(gandisim.DemoAPIKey, gandi.WithEndpoint(r.url), gandi.WithHTTPClient(r.hc)).PaaS.List(t.Context(), &gandi.PaasListOptions{Page: gandi.Page{ItemsPerPage: 100}})
		if err != nil {
			t.Fatal(err)
		}
		rep := alerts.BuildExpiry(ins, viewsNow, gandi.Paris(), alerts.ExpiryParams{Days: 30})
		p := rep.Posting()
		golden(t, "view_expiry_report", render(t, p.Head))
	})
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

func goldenName(line string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(line), "_"), "_")
}

// TestGoldens_FitAPhone reads every golden file of testdata (messages,
// modals, App Home) and checks DESIGN §9's rules on each: no line of a
// preformatted block over MaxPreLine as displayed (entities read as the
// character they show), and no action_id twice in one message or view.
func TestGoldens_FitAPhone(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			for _, p := range checkPhone(v) {
				t.Error(p)
			}
		})
	}
}

var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// checkPhone walks a decoded golden: each "blocks" array is one message
// or view, whose action_ids must differ; each mrkdwn text is checked for
// long preformatted lines.
func checkPhone(v any) []string {
	var problems []string
	var walk func(v any, ids map[string]bool)
	walk = func(v any, ids map[string]bool) {
		switch x := v.(type) {
		case map[string]any:
			if blocks, ok := x["blocks"]; ok {
				own := map[string]bool{}
				walk(blocks, own)
			}
			if id, ok := x["action_id"].(string); ok && ids != nil {
				if ids[id] {
					problems = append(problems, fmt.Sprintf("action_id %q twice in one message", id))
				}
				ids[id] = true
			}
			if x["type"] == "mrkdwn" {
				if s, ok := x["text"].(string); ok {
					problems = append(problems, longPreLines(s)...)
				}
			}
			for k, e := range x {
				if k != "blocks" {
					walk(e, ids)
				}
			}
		case []any:
			for _, e := range x {
				walk(e, ids)
			}
		}
	}
	walk(v, nil)
	return problems
}

// longPreLines lists the lines of s's ``` blocks longer than MaxPreLine.
func longPreLines(s string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(s, "\n") {
		fences := strings.Count(line, codeFence)
		if in || fences >= 2 {
			shown := strings.ReplaceAll(line, codeFence, "")
			if n := utf8.RuneCountInString(entities.Replace(shown)); n > MaxPreLine {
				out = append(out, fmt.Sprintf("preformatted line of %d characters: %q", n, shown))
			}
		}
		if fences%2 == 1 {
			in = !in
		}
	}
	return out
}

// TestCheckPhone_FindsWhatItChecks: the rules' checker sees a long
// preformatted line (entities counted as one character) and a repeated
// action_id, and passes a message that has neither.
func TestCheckPhone_FindsWhatItChecks(t *testing.T) {
	long := strings.Repeat("x", MaxPreLine-3) + "&amp;&lt;&gt;"
	tests := []struct {
		name string
		v    string
		bad  int
	}{
		{"fits", `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"` + "```\\n" + long + "\\n```" + `"}}]}`, 0},
		{"long code line", `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"` + "```\\n" + long + "x\\n```" + `"}}]}`, 1},
		{"long line outside code", `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"` + strings.Repeat("y", 200) + `"}}]}`, 0},
		{"repeated action_id", `{"blocks":[{"type":"actions","elements":[{"action_id":"cmd"},{"action_id":"cmd"}]}]}`, 1},
		{"same id in two messages", `[{"blocks":[{"action_id":"cmd"}]},{"blocks":[{"action_id":"cmd"}]}]`, 0},
	}
	for _, tt := range tests {
		var v any
		if err := json.Unmarshal([]byte(tt.v), &v); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := checkPhone(v); len(got) != tt.bad {
			t.Errorf("%s: %d problems %v, want %d", tt.name, len(got), got, tt.bad)
		}
	}
}

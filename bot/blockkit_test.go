package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/reply"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current rendering")

// golden compares v, as indented JSON, with testdata/name.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	// Unescaped HTML characters keep the files readable: "&lt;" rather
	// than "\u0026lt;".
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	// slack-go marshals some nested elements itself, with HTML escaping:
	// undo it the same way (the JSON means the same).
	got := strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(buf.String())
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("rendering differs from %s (rerun with -update if the change is intended):\n%s", path, got)
	}
}

func render(t *testing.T, m reply.Message) []SlackMessage {
	t.Helper()
	msgs, err := RenderBlocks(m)
	if err != nil {
		t.Fatal(err)
	}
	checkLimits(t, msgs)
	return msgs
}

func TestRenderBlocks_Golden(t *testing.T) {
	tests := []struct {
		name string
		msg  reply.Message
	}{
		{"text_only", reply.Message{Text: "You are logged in as *dana* (key ending `…f00d`)."}},
		{"escaping", reply.Message{
			Tone: reply.Error, Title: "Bad <input> & co",
			Text:   "Unknown instance `<shop&prod>`: did you mean *shop-prod*? <@U123> <!channel>",
			Fields: []reply.Field{{Label: "R&D", Value: "a<b>c"}},
			Notes:  []string{"x > y & z"},
		}},
		{"instance_info", reply.Message{
			Tone: reply.Success, Title: "shop-prod",
			Text: "Instance *shop-prod* is _running_.",
			Fields: []reply.Field{
				{Label: "Size", Value: "s+"}, {Label: "Type", Value: "phpmysql"},
				{Label: "Datacenter", Value: "FR-SD3"}, {Label: "Expires", Value: "2026-12-31 (39 days)"},
			},
			Notes: []string{"Data disk 10 GB", "Snapshot profile: daily"},
		}},
		{"table", reply.Message{
			Title: "Instances",
			Table: &reply.Table{
				Columns: []string{"ID", "NAME", "STATE", "DISK GB"},
				Rows: [][]string{
					{"7", "shop-prod", "running", "10"},
					{"42", "blog", "halted", "2.5"},
					{"1337", "shop-staging", "running", "100"},
				},
				Align: []bool{true, false, false, true},
			},
			Notes: []string{"page 1 of 1"},
		}},
		{"approval", reply.Message{
			Visibility: reply.Shared, Tone: reply.Warning, Title: "Approval needed: renew shop-prod for 12 months",
			Text: "<@U1> asks to run `paas.renew` on *shop-prod*.\nPrice: 120.00 EUR",
			Buttons: []reply.Button{
				{Label: "Approve", Action: "approval.approve", Value: "7", Style: reply.Primary, Command: "approve 7"},
				{Label: "Deny", Action: "approval.deny", Value: "7", Style: reply.Danger, Command: "deny 7",
					Confirm: &reply.Confirm{Title: "Deny renewal?", Text: "The request will be closed.", Confirm: "Deny", Deny: "Keep"}},
			},
			Notes: []string{"Expires in 24 h"},
		}},
		{"code_block", reply.Message{Text: "Add this record to the zone:\n```\n@ 10800 IN TXT \"gandi-paas=abc&def\"\n```"}},
		{"empty", reply.Message{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "render_"+tt.name, render(t, tt.msg))
		})
	}
}

func TestRenderLoginModal_Golden(t *testing.T) {
	v := RenderLoginModal(reply.Form{
		ID: "login", Title: "Connect your Gandi account please", Label: "Gandi API key",
		Hint: "Find it in your Gandi account settings.", Placeholder: "24 characters", Submit: "Check & save",
	}, `{"channel":"C1","user":"U1"}`)
	if n := utf8.RuneCountInString(v.Title.Text); n > MaxModalTitle {
		t.Errorf("title has %d characters", n)
	}
	if !slack.ValidateUniqueBlockID(v) {
		t.Error("block ids not unique")
	}
	golden(t, "login_modal", v)
}

func TestFormValueReadsTheSubmission(t *testing.T) {
	// A view_submission's view as Slack sends it back.
	payload := `{"id":"V1","type":"modal","callback_id":"login","private_metadata":"m",
		"state":{"values":{"paasbot_secret":{"secret":{"type":"plain_text_input","value":"k-123"}}}}}`
	var view slack.View
	if err := json.Unmarshal([]byte(payload), &view); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		view   slack.View
		want   string
		wantOK bool
	}{
		{"login modal", view, "k-123", true},
		{"no state", slack.View{}, "", false},
		{"other modal", slack.View{State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{"x": {"y": {Value: "z"}}}}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FormValue(tt.view)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("FormValue = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	resp, _ := json.Marshal(FormError("Gandi refused this key"))
	if string(resp) != `{"response_action":"errors","errors":{"paasbot_secret":"Gandi refused this key"}}` {
		t.Errorf("FormError = %s", resp)
	}
}

func TestRenderBlocks_ButtonValuesAreNeverCut(t *testing.T) {
	tests := []struct {
		name string
		b    reply.Button
		what string
	}{
		{"value", reply.Button{Label: "x", Action: "a", Value: strings.Repeat("v", MaxButtonValue+1)}, "button value"},
		{"action", reply.Button{Label: "x", Action: strings.Repeat("a", MaxActionID+1)}, "button action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RenderBlocks(reply.Message{Text: "x", Buttons: []reply.Button{tt.b}})
			var le *LimitError
			if !errors.As(err, &le) || le.What != tt.what {
				t.Errorf("err = %v, want a LimitError on %s", err, tt.what)
			}
		})
	}
	// At the limit it renders whole.
	msgs := render(t, reply.Message{Buttons: []reply.Button{{Label: "x", Action: strings.Repeat("a", MaxActionID), Value: strings.Repeat("v", MaxButtonValue)}}})
	btn := msgs[0].Blocks[0].(*slack.ActionBlock).Elements.ElementSet[0].(*slack.ButtonBlockElement)
	if len(btn.Value) != MaxButtonValue || len(btn.ActionID) != MaxActionID {
		t.Errorf("value %d, action %d characters", len(btn.Value), len(btn.ActionID))
	}
}

// asJSON renders msgs the way they go over the wire, for assertions on text.
func asJSON(t *testing.T, msgs []SlackMessage) string {
	t.Helper()
	b, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	var v any
	_ = json.Unmarshal(b, &v)
	_ = enc.Encode(v)
	return buf.String()
}

func TestRenderBlocks_Escaping(t *testing.T) {
	msgs := render(t, reply.Message{
		Title: "A & B", Text: "if a < b && b > c: <http://evil|click>",
		Fields: []reply.Field{{Label: "<x>", Value: "&"}},
		Table:  &reply.Table{Columns: []string{"<col>"}, Rows: [][]string{{"a&b"}}},
		Notes:  []string{"<!here>"},
	})
	out := asJSON(t, msgs)
	for _, bad := range []string{"<http", "<!here>", "<x>", "a&b", "&&", "<col>", "< b"} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in %s", bad, out)
		}
	}
	for _, good := range []string{"if a &lt; b &amp;&amp; b &gt; c: &lt;http://evil|click&gt;", "&lt;!here&gt;", "*&lt;x&gt;*\\n&amp;", "a&amp;b"} {
		if !strings.Contains(out, good) {
			t.Errorf("missing %q in %s", good, out)
		}
	}
	// plain_text (the header) is shown literally by Slack: not escaped.
	if h := msgs[0].Blocks[0].(*slack.HeaderBlock); h.Text.Text != "A & B" {
		t.Errorf("header = %q", h.Text.Text)
	}
	if msgs[0].Text != "A &amp; B" {
		t.Errorf("fallback text = %q", msgs[0].Text)
	}
}

func TestRenderBlocks_Tone(t *testing.T) {
	tests := []struct {
		tone  reply.Tone
		title string
		want  string
	}{
		{reply.Info, "t", "t"},
		{reply.Success, "t", ":white_check_mark: t"},
		{reply.Warning, "t", ":warning: t"},
		{reply.Error, "t", ":x: t"},
		{reply.Error, "", ":x: body"}, // no title: the text carries it
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.tone, tt.title), func(t *testing.T) {
			msgs := render(t, reply.Message{Tone: tt.tone, Title: tt.title, Text: "body"})
			var got string
			switch b := msgs[0].Blocks[0].(type) {
			case *slack.HeaderBlock:
				got = b.Text.Text
			case *slack.SectionBlock:
				got = b.Text.Text
			}
			if got != tt.want {
				t.Errorf("first block text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRenderBlocks_CommandIsNotShown(t *testing.T) {
	msgs := render(t, reply.Message{Text: "x", Buttons: []reply.Button{{Label: "More", Action: "page", Value: "p2", Command: "list page=2 --secret-looking"}}})
	if out := asJSON(t, msgs); strings.Contains(out, "secret-looking") {
		t.Errorf("Button.Command leaked into Slack: %s", out)
	}
}

func TestRenderBlocks_MentionsBecomeSlackMentions(t *testing.T) {
	msgs := render(t, reply.Message{
		Text:   "asked by " + reply.Mention("U123ABC") + ", not by <@U999>",
		Fields: []reply.Field{{Label: "Approver", Value: reply.Mention("W42")}},
	})
	out := asJSON(t, msgs)
	for _, good := range []string{"asked by <@U123ABC>", "not by &lt;@U999&gt;", "<@W42>"} {
		if !strings.Contains(out, good) {
			t.Errorf("missing %q in %s", good, out)
		}
	}
}

package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/reply"
)

// checkLimits fails the test on any Block Kit limit a rendering exceeds.
func checkLimits(t *testing.T, msgs []SlackMessage) {
	t.Helper()
	runes := utf8.RuneCountInString
	over := func(where string, got, limit int) {
		t.Helper()
		if got > limit {
			t.Errorf("%s: %d > %d", where, got, limit)
		}
	}
	text := func(where string, obj *slack.TextBlockObject, limit int) {
		t.Helper()
		if obj == nil || obj.Text == "" {
			t.Errorf("%s: empty text", where)
			return
		}
		over(where, runes(obj.Text), limit)
		if obj.Type == slack.MarkdownType {
			checkEntities(t, where, obj.Text)
		}
	}
	for mi, m := range msgs {
		at := fmt.Sprintf("message %d", mi)
		over(at+" blocks", len(m.Blocks), MaxBlocksPerMessage)
		over(at+" fallback text", runes(m.Text), MaxFallbackText)
		if m.Text == "" || len(m.Blocks) == 0 {
			t.Errorf("%s: empty text or no blocks", at)
		}
		chars := 0
		for bi, b := range m.Blocks {
			at := fmt.Sprintf("message %d block %d (%s)", mi, bi, b.BlockType())
			chars += blockChars(b)
			switch x := b.(type) {
			case *slack.HeaderBlock:
				text(at, x.Text, MaxHeaderText)
			case *slack.SectionBlock:
				if x.Text == nil && len(x.Fields) == 0 {
					t.Errorf("%s: empty section", at)
				}
				if x.Text != nil {
					text(at, x.Text, MaxSectionText)
				}
				over(at+" fields", len(x.Fields), MaxFieldsPerSection)
				for _, f := range x.Fields {
					text(at+" field", f, MaxFieldText)
				}
			case *slack.ContextBlock:
				over(at+" elements", len(x.ContextElements.Elements), MaxContextElements)
				for _, e := range x.ContextElements.Elements {
					text(at, e.(*slack.TextBlockObject), MaxFieldText)
				}
			case *slack.ActionBlock:
				els := x.Elements.ElementSet
				over(at+" elements", len(els), MaxActionsPerBlock)
				seen := map[string]bool{}
				for _, e := range els {
					btn := e.(*slack.ButtonBlockElement)
					text(at+" button", btn.Text, MaxButtonText)
					over(at+" value", runes(btn.Value), MaxButtonValue)
					over(at+" action_id", runes(btn.ActionID), MaxActionID)
					if seen[btn.ActionID] {
						t.Errorf("%s: action_id %q repeated in one block", at, btn.ActionID)
					}
					seen[btn.ActionID] = true
					if c := btn.Confirm; c != nil {
						text(at+" confirm title", c.Title, MaxConfirmTitle)
						text(at+" confirm text", c.Text, MaxConfirmText)
						text(at+" confirm button", c.Confirm, MaxConfirmButtonLabel)
						text(at+" deny button", c.Deny, MaxConfirmButtonLabel)
					}
				}
			default:
				t.Errorf("%s: unexpected block type %T", at, b)
			}
		}
		over(at+" characters", chars, MaxMessageChars)
	}
}

// slackMention is the only markup with < and > the renderer may emit: a
// mention made from a reply.Mention token.
var slackMention = regexp.MustCompile(`<@[UW][A-Z0-9]+>`)

// checkEntities fails on a raw <, > or an & that starts no entity: mrkdwn
// text must be escaped, and a split must never cut "&amp;" in two.
func checkEntities(t *testing.T, where, s string) {
	t.Helper()
	if strings.ContainsAny(slackMention.ReplaceAllString(s, ""), "<>") {
		t.Errorf("%s: unescaped < or > in %q", where, s[:min(len(s), 60)])
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			continue
		}
		rest := s[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			t.Errorf("%s: broken entity at %d: %q", where, i, rest[:min(len(rest), 8)])
			return
		}
	}
}

// sections returns the text of every section, in order, across messages.
func sections(msgs []SlackMessage) []string {
	var out []string
	for _, m := range msgs {
		for _, b := range m.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
				out = append(out, s.Text.Text)
			}
		}
	}
	return out
}

func TestRenderBlocks_ThousandRowTable(t *testing.T) {
	tbl := &reply.Table{Columns: []string{"ID", "NAME", "STATE", "EXPIRES"}, Align: []bool{true}}
	for i := range 1000 {
		tbl.Rows = append(tbl.Rows, []string{fmt.Sprint(i), fmt.Sprintf("site-%04d<&>", i), "running", "2026-12-31"})
	}
	msgs := render(t, reply.Message{Title: "Instances", Table: tbl, Notes: []string{"1000 instances"}})
	if len(msgs) < 2 {
		t.Fatalf("%d messages for a 1000-row table, want a split", len(msgs))
	}
	var rows []string
	for _, s := range sections(msgs) {
		lines := strings.Split(s, "\n")
		if lines[0] != "```" || lines[len(lines)-1] != "```" {
			t.Fatalf("section is not one code block: %q…", s[:40])
		}
		if !strings.HasPrefix(lines[1], " ID  NAME") || lines[2] != "---  ------------  -------  ----------" {
			t.Errorf("header row not repeated: %q / %q", lines[1], lines[2])
		}
		rows = append(rows, lines[3:len(lines)-1]...)
	}
	if len(rows) != 1000 {
		t.Fatalf("%d rows rendered, want 1000", len(rows))
	}
	for i, r := range rows {
		want := fmt.Sprintf("%3d  site-%04d&lt;&amp;&gt;  running  2026-12-31", i, i)
		if r != want {
			t.Fatalf("row %d = %q, want %q", i, r, want)
		}
	}
	if msgs[0].Text != "Instances (1/"+fmt.Sprint(len(msgs))+")" {
		t.Errorf("fallback = %q", msgs[0].Text)
	}
	last := msgs[len(msgs)-1].Blocks
	if _, ok := last[len(last)-1].(*slack.ContextBlock); !ok {
		t.Errorf("notes are not last: %T", last[len(last)-1])
	}
}

func TestRenderBlocks_SixtyButtons(t *testing.T) {
	var buttons []reply.Button
	for i := range 60 {
		buttons = append(buttons, reply.Button{
			Label: strings.Repeat("L", 100), Action: fmt.Sprint("act-", i), Value: fmt.Sprint(i),
			Confirm: &reply.Confirm{Title: strings.Repeat("T", 150), Text: strings.Repeat("x", 500), Confirm: strings.Repeat("c", 40)},
		})
	}
	msgs := render(t, reply.Message{Text: "pick", Buttons: buttons})
	if n := len(msgs[len(msgs)-1].Blocks); len(msgs) != 1 || n != 1+3 {
		t.Errorf("%d messages, last with %d blocks; want 1 message: text + 3 actions blocks (25+25+10)", len(msgs), n)
	}
	var values []string
	for _, m := range msgs {
		for _, b := range m.Blocks {
			if a, ok := b.(*slack.ActionBlock); ok {
				for _, e := range a.Elements.ElementSet {
					btn := e.(*slack.ButtonBlockElement)
					values = append(values, btn.Value)
					if !strings.HasSuffix(btn.Text.Text, "…") || !strings.HasSuffix(btn.Confirm.Title.Text, "…") {
						t.Errorf("shortened labels lack an ellipsis: %q", btn.Text.Text)
					}
				}
			}
		}
	}
	if got := strings.Join(values, ","); got != strings.Join(func() []string {
		var w []string
		for i := range 60 {
			w = append(w, fmt.Sprint(i))
		}
		return w
	}(), ",") {
		t.Errorf("button values = %s", got)
	}
}

func TestRenderBlocks_RelatedButtonsShareARow(t *testing.T) {
	msgs := render(t, reply.Message{Buttons: []reply.Button{
		{Label: "Page 2", Action: "page", Value: "2"}, {Label: "Page 3", Action: "page", Value: "3"}, {Label: "Close", Action: "close"},
	}})
	if n := len(msgs[0].Blocks); n != 1 {
		t.Fatalf("%d actions blocks, want 1 (one row)", n)
	}
	var ids []string
	for _, e := range msgs[0].Blocks[0].(*slack.ActionBlock).Elements.ElementSet {
		ids = append(ids, e.(*slack.ButtonBlockElement).ActionID)
	}
	if strings.Join(ids, " ") != "page page~2 close" {
		t.Errorf("action_ids %v, want each its own", ids)
	}
	for _, id := range ids {
		if a := ActionOf(id); a != "page" && a != "close" {
			t.Errorf("ActionOf(%q) = %q", id, a)
		}
	}
}

func TestRenderBlocks_LongTextIsSplitNotCut(t *testing.T) {
	var sb strings.Builder
	for i := 0; sb.Len() < 10000; i++ {
		fmt.Fprintf(&sb, "line %d says a<b & c>d. ", i)
		if i%7 == 6 {
			sb.WriteString("\n")
		}
	}
	long := sb.String()
	tests := []struct {
		name string
		text string
	}{
		{"lines", long},
		{"one line", strings.ReplaceAll(long, "\n", " ")},
		{"no spaces", strings.Repeat("&x", 5000)},
		{"multibyte", strings.Repeat("é€😀 ", 3000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := render(t, reply.Message{Text: tt.text})
			secs := sections(msgs)
			if len(secs) < 4 {
				t.Errorf("%d sections for %d characters", len(secs), utf8.RuneCountInString(tt.text))
			}
			got := strings.ReplaceAll(strings.Join(secs, ""), "\n", "")
			want := strings.ReplaceAll(escapeMrkdwn(tt.text), "\n", "")
			if got != want {
				t.Errorf("text changed by the split (%d vs %d characters)", len(got), len(want))
			}
		})
	}
}

func TestRenderBlocks_SplitKeepsCodeBlocksBalanced(t *testing.T) {
	code := "```\n" + strings.Repeat("0123456789 abcdefghij\n", 400) + "```"
	msgs := render(t, reply.Message{Text: "Output:\n" + code + "\nDone."})
	secs := sections(msgs)
	if len(secs) < 3 {
		t.Fatalf("%d sections", len(secs))
	}
	for i, s := range secs {
		if strings.Count(s, "```")%2 != 0 {
			t.Errorf("section %d has unbalanced fences: …%q", i, s[max(0, len(s)-30):])
		}
	}
	if !strings.HasSuffix(secs[len(secs)-1], "```\nDone.") {
		t.Errorf("last section = …%q", secs[len(secs)-1][max(0, len(secs[len(secs)-1])-30):])
	}
}

func TestRenderBlocks_FieldsAndNotesLimits(t *testing.T) {
	var fields []reply.Field
	for i := range 25 {
		fields = append(fields, reply.Field{Label: fmt.Sprint("F", i), Value: "v"})
	}
	fields = append(fields, reply.Field{Label: "Huge", Value: strings.Repeat("y", 5000)})
	var notes []string
	for i := range 12 {
		notes = append(notes, fmt.Sprint("note ", i))
	}
	msgs := render(t, reply.Message{Title: strings.Repeat("Title ", 40), Fields: fields, Notes: notes})
	out := asJSON(t, msgs)
	for i := range 25 {
		if !strings.Contains(out, fmt.Sprintf(`"*F%d*\nv"`, i)) {
			t.Errorf("field %d missing", i)
		}
	}
	if strings.Count(out, "y") < 5000 {
		t.Error("the huge field lost characters")
	}
	for i := range 12 {
		if !strings.Contains(out, fmt.Sprintf(`"note %d"`, i)) {
			t.Errorf("note %d missing", i)
		}
	}
	h := msgs[0].Blocks[0].(*slack.HeaderBlock).Text.Text
	if utf8.RuneCountInString(h) != MaxHeaderText || !strings.HasSuffix(h, "…") {
		t.Errorf("header = %q (%d)", h, utf8.RuneCountInString(h))
	}
}

func TestRenderBlocks_TableEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		tbl  reply.Table
		want []string // substrings of the sections, joined
	}{
		{"no rows", reply.Table{Columns: []string{"NAME"}}, []string{"```\nNAME\n----\n```"}},
		{"ragged rows", reply.Table{Columns: []string{"A"}, Rows: [][]string{{"1", "extra"}, {}}}, []string{"```\nA\n-  -----\n1  extra\n\n```"}},
		{"newline in a cell", reply.Table{Columns: []string{"A"}, Rows: [][]string{{"x\ny"}}}, []string{"x y"}},
		{"too wide for a code block", reply.Table{Columns: []string{"K", "V"}, Rows: [][]string{{"k", strings.Repeat("w", 3500)}}},
			[]string{"*k* · www"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secs := sections(render(t, reply.Message{Table: &tt.tbl}))
			if len(secs) == 0 {
				t.Fatal("no section")
			}
			all := strings.Join(secs, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("sections %q lack %q", all[:min(len(all), 80)], w)
				}
			}
			if tt.name == "too wide for a code block" && strings.Count(strings.Join(secs, ""), "w") != 3500 {
				t.Error("wide cell lost characters")
			}
		})
	}
}

func BenchmarkRenderBlocks_ThousandRowTable(b *testing.B) {
	tbl := &reply.Table{Columns: []string{"ID", "NAME", "STATE", "EXPIRES"}, Align: []bool{true}}
	for i := range 1000 {
		tbl.Rows = append(tbl.Rows, []string{fmt.Sprint(i), fmt.Sprintf("site-%04d", i), "running", "2026-12-31"})
	}
	m := reply.Message{Title: "Instances", Table: tbl}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderBlocks(m); err != nil {
			b.Fatal(err)
		}
	}
}

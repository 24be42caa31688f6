package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
)

// shellFakeCore answers canned replies and records what it was given.
type shellFakeCore struct {
	mu      sync.Mutex
	texts   []string
	submits []commands.Submission
}

func (f *shellFakeCore) Handle(_ context.Context, req commands.Request) reply.Message {
	f.mu.Lock()
	f.texts = append(f.texts, req.Text)
	f.mu.Unlock()
	switch {
	case req.Text == "login":
		return reply.Message{Text: "Paste your key.", Form: &reply.Form{ID: commands.FormLogin, Label: "API key"}}
	case strings.HasPrefix(req.Text, "bad"):
		return reply.Message{Tone: reply.Error, Text: "Unknown command \"bad\"."}
	}
	return reply.Message{Title: "ran " + req.Text + " as " + req.User}
}

func (f *shellFakeCore) SubmitForm(_ context.Context, s commands.Submission) (reply.Message, error) {
	f.mu.Lock()
	f.submits = append(f.submits, s)
	f.mu.Unlock()
	if s.Value == "refused" {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Gandi refused this API key.")
	}
	if s.Value == "broken" {
		return reply.Message{}, errors.New("disk on fire")
	}
	return reply.Message{Tone: reply.Success, Text: "stored, fingerprint abcd1234"}, nil
}

func runTestShell(t *testing.T, input string, interactive bool) (string, *shellFakeCore) {
	t.Helper()
	var out strings.Builder
	core := &shellFakeCore{}
	sh := &Shell{In: strings.NewReader(input), Out: &out, Team: "local", User: "dana", Channel: "shell", Interactive: interactive}
	if err := sh.Run(context.Background(), core); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String(), core
}

func TestShell_Pipe(t *testing.T) {
	out, core := runTestShell(t, "list\n\n/paas info shop-prod\nbad line\nlist again\n", false)
	if strings.Contains(out, Prompt) {
		t.Errorf("a pipe got a prompt:\n%s", out)
	}
	for _, want := range []string{"ran list as dana", "ran info shop-prod as dana", "error: Unknown command \"bad\".", "ran list again"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(core.texts) != 4 {
		t.Errorf("core got %q, want 4 commands (blank lines skipped, /paas stripped)", core.texts)
	}
}

func TestShell_QuitAndPrompt(t *testing.T) {
	out, core := runTestShell(t, "list\nquit\nlist\n", true)
	if len(core.texts) != 1 {
		t.Errorf("commands after quit ran: %q", core.texts)
	}
	if strings.Count(out, Prompt) != 2 {
		t.Errorf("want 2 prompts:\n%s", out)
	}
}

func TestShell_Login(t *testing.T) {
	tests := []struct {
		name, input, want string
		wantValue         string
	}{
		// Piped, login never reads the next line as a key: it may be the
		// next command, and a key must not wait in a script's input.
		{"piped login alone", "login\nkey0000000000000000000001\n", "login --apikey", ""},
		{"--apikey", "login --apikey key0000000000000000000002\n", "fingerprint abcd1234", "key0000000000000000000002"},
		{"--apikey=", "login --apikey=key0000000000000000000003\n", "fingerprint abcd1234", "key0000000000000000000003"},
		{"refused", "login --apikey refused\n", "error: Gandi refused this API key.", "refused"},
		{"internal", "login --apikey broken\n", "error: internal error (ref ", "broken"},
		{"--apikey without key", "login --apikey\n", "error: --apikey needs the key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, core := runTestShell(t, tt.input, false)
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
			if tt.wantValue == "" && len(core.submits) != 0 {
				t.Errorf("a form was submitted: %+v", core.submits)
			}
			if tt.wantValue != "" {
				if len(core.submits) != 1 || core.submits[0].Value != tt.wantValue || core.submits[0].FormID != commands.FormLogin || core.submits[0].User != "dana" {
					t.Errorf("submits = %+v", core.submits)
				}
				if strings.Contains(out, tt.wantValue) && tt.wantValue != "refused" && tt.wantValue != "broken" {
					t.Errorf("the key was echoed:\n%s", out)
				}
			}
		})
	}
}

func TestShell_Notifier(t *testing.T) {
	var out strings.Builder
	sh := &Shell{Out: &out}
	ctx := context.Background()
	ref, err := sh.Post(ctx, "shell", reply.Message{Title: "Approval #7"})
	if err != nil || ref.Channel != "shell" || ref.ID == "" {
		t.Fatalf("Post = %+v, %v", ref, err)
	}
	if err := sh.Update(ctx, ref, reply.Message{Title: "Approval #7 done"}); err != nil {
		t.Fatal(err)
	}
	if err := sh.PostPrivate(ctx, "shell", "dana", reply.Message{Text: "secret-ish"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#shell:\nApproval #7", "  ↻ Approval #7 done\n", "(private to you)\nsecret-ish"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRenderPlain(t *testing.T) {
	m := reply.Message{
		Tone: reply.Warning, Title: "Approval #7: renew shop-prod",
		Fields: []reply.Field{{Label: "Instance", Value: "shop-prod"}, {Label: "Duration", Value: "12m"}},
		Table:  &reply.Table{Columns: []string{"id", "name"}, Rows: [][]string{{"1", "a"}, {"12345", "bb"}}, Align: []bool{true, false}},
		Notes:  []string{"showing 1–2 of 2"},
		Buttons: []reply.Button{
			{Label: "Approve", Action: "approval.approve", Value: "7", Command: "approve 7"},
			{Label: "Deny", Action: "approval.deny", Value: "7"},
		},
	}
	want := "! Approval #7: renew shop-prod\n" +
		"  Instance: shop-prod\n" +
		"  Duration: 12m\n" +
		"     id  name\n" +
		"      1  a\n" +
		"  12345  bb\n" +
		"  showing 1–2 of 2\n" +
		"  type: [approve 7]  [Deny]\n"
	if got := RenderPlain(m); got != want {
		t.Errorf("RenderPlain =\n%s\nwant\n%s", got, want)
	}
	if got := RenderPlain(reply.Message{}); got != "" {
		t.Errorf("empty message rendered %q", got)
	}
	if got := RenderPlain(reply.Message{Tone: reply.Error, Text: "bad"}); got != "error: bad\n" {
		t.Errorf("error rendered %q", got)
	}
}

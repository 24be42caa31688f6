package commands

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/secret"
)

// logRecorder is a slog.Handler that keeps every record, at every level,
// as one line of text holding its message and attributes.
type logRecorder struct {
	mu    *sync.Mutex
	lines *[]string
	attrs []slog.Attr
}

func newLogRecorder() *logRecorder { return &logRecorder{mu: &sync.Mutex{}, lines: &[]string{}} }

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	for _, a := range h.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.lines = append(*h.lines, b.String())
	return nil
}

func (h *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{mu: h.mu, lines: h.lines, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *logRecorder) WithGroup(string) slog.Handler { return h }

func (h *logRecorder) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := *h.lines
	*h.lines = nil
	return out
}

// TestHandle_PastedKeyNeverEchoed: a key pasted on the command line, in
// any of the slips people make around `login`, is refused without being
// repeated in the reply or in any log line (debug included).
func TestHandle_PastedKeyNeverEchoed(t *testing.T) {
	e := setup(t, 3)
	logs := newLogRecorder()
	e.core.log = slog.New(logs)
	const key = "Zq8kR2mN4pX7vB1cD9fG3hJ5"
	tests := []struct{ name, line string }{
		{"UnclosedQuote", `login "` + key},
		{"UnclosedQuoteInPair", `login apikey="` + key},
		{"UnclosedSmartQuote", "login ‘" + key},
		{"UnclosedSmartDoubleQuote", "login “" + key + " and more"},
		{"Whoami", "whoami " + key},
		{"Logout", "logout " + key},
		{"LoginThenWord", "login " + key + " extra"},
		{"BareKey", key},
		{"KeyAsPair", "apikey=" + key},
		{"KeyAsFlag", "list --" + key},
		{"KeyAsKeyName", "list " + key + "=1"},
		{"KeyAsSubcommand", "vhost " + key},
		{"KeyAsHelpTopic", "help " + key},
		{"KeyAsPage", "list page=" + key},
		{"KeyAsSort", "list sort=" + key},
		{"KeyAsInstance", "info " + key},
		{"KeyAsVhost", "vhost info " + key},
		{"KeyAsAlertID", "alerts remove " + key},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := e.run(t, tc.line)
			if m.Text == "" {
				t.Fatalf("%q: empty reply", tc.line)
			}
			if strings.Contains(testutil.Text(m), key) {
				t.Errorf("%q: the reply repeats the key: %q", tc.line, m.Text)
			}
			lines := logs.take()
			for _, l := range lines {
				if strings.Contains(l, key) {
					t.Errorf("%q: a log line holds the key: %s", tc.line, l)
				}
			}
		})
	}
}

func TestQuoteWord(t *testing.T) {
	const key = "Zq8kR2mN4pX7vB1cD9fG3hJ5"
	tests := []struct{ in, want string }{
		{"shop-prod", `"shop-prod"`},
		{`say "hi"`, `"say \"hi\""`},
		{"", `""`},
		{"abcdefghijklmnopqrstuvwxyz", `"abcdefghijklmnopqrstuvwxyz"`}, // no digit: a word
		{"2026-12-31", `"2026-12-31"`},
		{key, secret.KeyWord},
		{`"` + key, secret.KeyWord},
		{"‘" + key, secret.KeyWord},
		{"“" + key + "”", secret.KeyWord},
		{`apikey="` + key, secret.KeyWord},
		{"--key=" + key, secret.KeyWord},
		{`"` + key + ` and more words`, secret.KeyWord},
		{"list --" + key, secret.KeyWord},
	}
	for _, tc := range tests {
		if got := quoteWord(tc.in); got != tc.want {
			t.Errorf("quoteWord(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

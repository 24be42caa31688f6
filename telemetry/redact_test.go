package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/secret"
)

func TestLooksSecret(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"apikey", true},
		{"api_key", true},
		{"APIKey", true},
		{"api-key", true},
		{"password", true},
		{"mysql_password", true},
		{"Passwd", true},
		{"token", true},
		{"slack_bot_token", true},
		{"secret", true},
		{"client_secret", true},
		{"Authorization", true},
		{"cookie", true},
		{"credentials", true},
		{"private_key", true},
		{"user", false},
		{"instance", false},
		{"method", false},
		{"request_id", false},
		{"key", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := looksSecret(tt.key); got != tt.want {
			t.Errorf("looksSecret(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestScrubTokens(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no token", "paas.list answered 3 instances", "paas.list answered 3 instances"},
		{"bot token", "auth failed for xoxb-1234-5678-abcdEFGH", "auth failed for xoxb-[redacted]"},
		{"app token in a URL", "GET /?token=xapp-1-A0B1-99-ff00 failed", "GET /?token=xapp-[redacted] failed"},
		{"two tokens", "xoxp-aaaa1111 and xoxb-bbbb2222.", "xoxp-[redacted] and xoxb-[redacted]"},
		{"advice is not a token", "expected a token starting with xoxb-", "expected a token starting with xoxb-"},
		{"short tail kept", "xapp-12 is too short to be one", "xapp-12 is too short to be one"},
		{"inside a word is not a prefix", "fooxoxb-12345678", "fooxoxb-12345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ScrubTokens(tt.in); got != tt.want {
				t.Errorf("ScrubTokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// decodeJSONLines parses one JSON object per line.
func decodeJSONLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("bad JSON line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestRedactingHandler_NestedGroups(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(NewRedactingHandler(slog.NewJSONHandler(&buf, nil)))
	l.Info("call",
		"apikey", "K1-raw-api-key",
		slog.Group("gandi",
			"method", "paas.list",
			"api_key", "K2-raw-api-key",
			slog.Group("params", "password", "P3-raw-password", "name", "blog"),
		),
		slog.Group("credentials", "user", "dana", "value", "V4-raw"),
		"Authorization", "Bearer B5-raw",
	)
	recs := decodeJSONLines(t, buf.Bytes())
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	r := recs[0]
	for _, raw := range []string{"K1-raw", "K2-raw", "P3-raw", "V4-raw", "B5-raw"} {
		if strings.Contains(buf.String(), raw) {
			t.Errorf("output leaks %s: %s", raw, buf.String())
		}
	}
	gandi := r["gandi"].(map[string]any)
	params := gandi["params"].(map[string]any)
	checks := []struct {
		name      string
		got, want any
	}{
		{"apikey", r["apikey"], secret.Redacted},
		{"gandi.method kept", gandi["method"], "paas.list"},
		{"gandi.api_key", gandi["api_key"], secret.Redacted},
		{"gandi.params.password", params["password"], secret.Redacted},
		{"gandi.params.name kept", params["name"], "blog"},
		{"credentials group masked whole", r["credentials"], secret.Redacted},
		{"Authorization", r["Authorization"], secret.Redacted},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRedactingHandler_WithAttrsAndGroups(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(NewRedactingHandler(slog.NewTextHandler(&buf, nil)))
	l.With("token", "T1-raw").Info("with attrs")
	l.WithGroup("secrets").Info("under a secret group", "anything", "A2-raw")
	l.WithGroup("req").With("password", "P3-raw").Info("group then attrs", "ok", "kept")
	out := buf.String()
	for _, raw := range []string{"T1-raw", "A2-raw", "P3-raw"} {
		if strings.Contains(out, raw) {
			t.Errorf("output leaks %s:\n%s", raw, out)
		}
	}
	for _, want := range []string{"token=" + secret.Redacted, "secrets.anything=" + secret.Redacted, "req.password=" + secret.Redacted, "req.ok=kept"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRedactingHandler_TokensInValues(t *testing.T) {
	const tok = "xoxb-111-222-SECRETPART"
	var buf bytes.Buffer
	l := slog.New(NewRedactingHandler(slog.NewJSONHandler(&buf, nil)))
	l.Error("posting failed with "+tok,
		"err", fmt.Errorf("post: %w", errors.New("invalid_auth for "+tok)),
		"detail", "body was token="+tok,
		slog.Group("g", "url", "https://slack.com/api/x?t="+tok))
	out := buf.String()
	if strings.Contains(out, "SECRETPART") {
		t.Fatalf("output leaks the token:\n%s", out)
	}
	if n := strings.Count(out, "xoxb-"+secret.Redacted); n != 4 {
		t.Errorf("scrubbed token appears %d times, want 4:\n%s", n, out)
	}
}

// A LogValuer that resolves to a group is redacted after resolution.
type loginForm struct{ user, password string }

func (f loginForm) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", f.user), slog.String("password", f.password))
}

func TestRedactingHandler_ResolvesLogValuers(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(NewRedactingHandler(slog.NewTextHandler(&buf, nil)))
	l.Info("form", "form", loginForm{"dana", "P1-raw"})
	out := buf.String()
	if strings.Contains(out, "P1-raw") || !strings.Contains(out, "form.user=dana") {
		t.Errorf("output:\n%s", out)
	}
}

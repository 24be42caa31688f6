package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/secret"
)

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    slog.Level
		wantErr string
	}{
		{"", slog.LevelInfo, ""},
		{"debug", slog.LevelDebug, ""},
		{"INFO", slog.LevelInfo, ""},
		{" warn ", slog.LevelWarn, ""},
		{"warning", slog.LevelWarn, ""},
		{"error", slog.LevelError, ""},
		{"verbose", 0, `log level "verbose" not recognised; expected debug, info, warn or error`},
		{"3", 0, `"3"`},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseLevel(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"", FormatAuto, ""},
		{"auto", FormatAuto, ""},
		{"JSON", FormatJSON, ""},
		{"text", FormatText, ""},
		{"logfmt", "", `log format "logfmt" not recognised; expected auto, json or text`},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseFormat(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNewLogger_FormatAndLevel(t *testing.T) {
	tests := []struct {
		name, format, level string
		wantJSON            bool
		wantDebug, wantInfo bool
	}{
		{"auto on a buffer is JSON", "", "", true, false, true},
		{"explicit json debug", "json", "debug", true, true, true},
		{"text warn", "text", "warn", false, false, false},
		{"text info", "text", "info", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := NewLogger(&buf, tt.format, tt.level)
			if err != nil {
				t.Fatal(err)
			}
			l.Debug("debug-line")
			l.Info("info-line")
			l.Error("error-line")
			out := buf.String()
			if got := strings.Contains(out, "debug-line"); got != tt.wantDebug {
				t.Errorf("debug logged = %v, want %v:\n%s", got, tt.wantDebug, out)
			}
			if got := strings.Contains(out, "info-line"); got != tt.wantInfo {
				t.Errorf("info logged = %v, want %v:\n%s", got, tt.wantInfo, out)
			}
			first := strings.SplitN(out, "\n", 2)[0]
			if got := json.Valid([]byte(first)); got != tt.wantJSON {
				t.Errorf("JSON = %v, want %v: %s", got, tt.wantJSON, first)
			}
		})
	}
}

func TestNewLogger_BadSettings(t *testing.T) {
	if _, err := NewLogger(&bytes.Buffer{}, "json", "loud"); err == nil || !strings.Contains(err.Error(), `"loud"`) {
		t.Errorf("bad level: err = %v", err)
	}
	if _, err := NewLogger(&bytes.Buffer{}, "xml", "info"); err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("bad format: err = %v", err)
	}
}

// The promise: an API key, the Slack tokens and a generated
// password never reach the log, whichever way they are logged.
func TestNewLogger_SecretsNeverReachTheLog(t *testing.T) {
	const (
		apiKey   = "aBcD3fGh1jKlMn0pQrStUvWx" // Gandi keys are 24 alphanumerics
		botToken = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
		appToken = "xapp-1-A0123456789-1234567890123-0123456789abcdef"
		password = "Gen3rated!Passw0rd"
	)
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := NewLogger(&buf, format, "debug")
			if err != nil {
				t.Fatal(err)
			}
			ctx := WithRequestID(context.Background(), "req1")
			// As Secret values, under any key.
			l.InfoContext(ctx, "login", "key", secret.Value(apiKey), "bot", secret.Value(botToken), "app", secret.Value(appToken), "pw", secret.Value(password))
			// As plain strings under secret-looking keys (the mistake).
			l.DebugContext(ctx, "call", "apikey", apiKey, "generated_password", password,
				slog.Group("slack", "bot_token", botToken, "app_token", appToken))
			// Tokens pasted into messages and arbitrary values.
			l.Warn("connect failed: invalid_auth with "+botToken, "url", "wss://x/?ticket="+appToken)
			// A struct holding them, logged whole.
			type cfg struct {
				APIKey, Bot secret.Value
				Password    secret.Value
			}
			l.With("cfg", cfg{secret.Value(apiKey), secret.Value(botToken), secret.Value(password)}).Info("config")
			out := buf.String()
			for name, raw := range map[string]string{"API key": apiKey, "bot token": botToken, "app token": appToken, "password": password} {
				if strings.Contains(out, raw) {
					t.Errorf("the %s reached the log:\n%s", name, out)
				}
			}
			if !strings.Contains(out, "req1") || !strings.Contains(out, "connect failed") {
				t.Errorf("the log lost its ordinary content:\n%s", out)
			}
		})
	}
}

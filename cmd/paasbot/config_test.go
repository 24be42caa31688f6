package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/telemetry"
)

// Token-shaped values for tests; not real credentials.
const (
	testAppToken = "xapp-1-A0TEST-1111-deadbeefcafe"
	testBotToken = "xoxb-1111-2222-TESTtestTEST"
	testSecret   = "dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQtdGVzdC0xMjM="
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func TestLoadConfig_Defaults(t *testing.T) {
	c, err := loadConfig(envFrom(nil), newFlagSet(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &config{
		DB:          "paasbot.db",
		GandiURL:    "https://rpc.gandi.net/xmlrpc/",
		SlackAPIURL: "https://slack.com/api/",
		TZ:          time.UTC,
		LogLevel:    "info",
		LogFormat:   "auto",
		ApprovalTTL: 24 * time.Hour,
		Workers:     64,
		LeaseTTL:    30 * time.Second,
		setBy:       map[string]string{},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

// Each case sets one setting through the environment, a flag, or both, and
// checks the stored value or the one-line error.
func TestLoadConfig_Settings(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(*config) any // extracts the value under test
		want    any
		wantErr string // exact error text when non-empty
	}{
		// PAASBOT_DB
		{"db from env", map[string]string{"PAASBOT_DB": "/data/p.db"}, nil, func(c *config) any { return c.DB }, "/data/p.db", ""},
		{"db flag wins", map[string]string{"PAASBOT_DB": "/data/p.db"}, []string{"--db", "/tmp/x.db"}, func(c *config) any { return c.DB }, "/tmp/x.db", ""},
		{"db blank env is default", map[string]string{"PAASBOT_DB": "  "}, nil, func(c *config) any { return c.DB }, "paasbot.db", ""},

		// PAASBOT_GANDI_URL
		{"gandi url OT&E", map[string]string{"PAASBOT_GANDI_URL": "https://rpc.ote.gandi.net/xmlrpc/"}, nil, func(c *config) any { return c.GandiURL }, "https://rpc.ote.gandi.net/xmlrpc/", ""},
		{"gandi url flag wins", map[string]string{"PAASBOT_GANDI_URL": "https://rpc.ote.gandi.net/xmlrpc/"}, []string{"--gandi-url=http://127.0.0.1:8080/xmlrpc/"}, func(c *config) any { return c.GandiURL }, "http://127.0.0.1:8080/xmlrpc/", ""},
		{"gandi url malformed", map[string]string{"PAASBOT_GANDI_URL": "rpc.gandi.net"}, nil, nil, nil,
			`PAASBOT_GANDI_URL: "rpc.gandi.net" is not an http(s) URL; expected e.g. https://host/path/`},
		{"gandi url bad flag names the flag", nil, []string{"--gandi-url", "ftp://x/"}, nil, nil,
			`--gandi-url: "ftp://x/" is not an http(s) URL; expected e.g. https://host/path/`},

		// PAASBOT_SLACK_API_URL
		{"slack url gets its slash", map[string]string{"PAASBOT_SLACK_API_URL": "http://127.0.0.1:9999/api"}, nil, func(c *config) any { return c.SlackAPIURL }, "http://127.0.0.1:9999/api/", ""},
		{"slack url flag wins", map[string]string{"PAASBOT_SLACK_API_URL": "http://a/api/"}, []string{"--slack-api-url", "http://b/api/"}, func(c *config) any { return c.SlackAPIURL }, "http://b/api/", ""},
		{"slack url malformed", map[string]string{"PAASBOT_SLACK_API_URL": "slack.com/api"}, nil, nil, nil,
			`PAASBOT_SLACK_API_URL: "slack.com/api" is not an http(s) URL; expected e.g. https://host/path/`},

		// PAASBOT_APPROVERS
		{"approvers none", nil, nil, func(c *config) any { return c.Approvers }, []string(nil), ""},
		{"approvers list", map[string]string{"PAASBOT_APPROVERS": "U012AB3CD, W0456EF, U012AB3CD"}, nil, func(c *config) any { return c.Approvers }, []string{"U012AB3CD", "W0456EF"}, ""},
		{"approvers naming nobody refused", map[string]string{"PAASBOT_APPROVERS": " , "}, nil, nil, nil,
			`PAASBOT_APPROVERS: " , " names nobody; expected Slack user ids like U012AB3CD, comma-separated, or leave it unset so that requesters confirm their own requests`},
		{"approvers with a user group", map[string]string{"PAASBOT_APPROVERS": "S0OPS1, U012AB3CD"}, nil, func(c *config) any { return c.Approvers }, []string{"S0OPS1", "U012AB3CD"}, ""},
		{"approvals channel", map[string]string{"PAASBOT_APPROVALS_CHANNEL": " C0APPR "}, nil, func(c *config) any { return c.ApprovalsChannel }, "C0APPR", ""},
		{"approvals channel unset", nil, nil, func(c *config) any { return c.ApprovalsChannel }, "", ""},
		{"approvals channel name refused", map[string]string{"PAASBOT_APPROVALS_CHANNEL": "#ops"}, nil, nil, nil,
			`PAASBOT_APPROVALS_CHANNEL: "#ops" is not a Slack channel id; expected an id like C012AB3CD (the channel's name → About → Channel ID)`},
		{"audit channel flag wins", map[string]string{"PAASBOT_AUDIT_CHANNEL": "C0AUD"}, []string{"--audit-channel=G0PRIV"}, func(c *config) any { return c.AuditChannel }, "G0PRIV", ""},
		{"audit channel user id refused", map[string]string{"PAASBOT_AUDIT_CHANNEL": "U012AB3CD"}, nil, nil, nil,
			`PAASBOT_AUDIT_CHANNEL: "U012AB3CD" is not a Slack channel id; expected an id like C012AB3CD (the channel's name → About → Channel ID)`},
		{"approvers flag wins", map[string]string{"PAASBOT_APPROVERS": "U012AB3CD"}, []string{"--approvers=U999"}, func(c *config) any { return c.Approvers }, []string{"U999"}, ""},
		{"approvers name refused", map[string]string{"PAASBOT_APPROVERS": "U012AB3CD,@sam"}, nil, nil, nil,
			`PAASBOT_APPROVERS: "@sam" is not a Slack user id or user-group id; expected ids like U012AB3CD (profile → ⋮ → Copy member ID) or S012AB3CD (the group's ⋮ → Copy group ID), comma-separated`},
		{"approvers lower case refused", map[string]string{"PAASBOT_APPROVERS": "u012ab3cd"}, nil, nil, nil,
			`PAASBOT_APPROVERS: "u012ab3cd" is not a Slack user id or user-group id; expected ids like U012AB3CD (profile → ⋮ → Copy member ID) or S012AB3CD (the group's ⋮ → Copy group ID), comma-separated`},
		{"approvers channel id refused", map[string]string{"PAASBOT_APPROVERS": "C0123"}, nil, nil, nil,
			`PAASBOT_APPROVERS: "C0123" is not a Slack user id or user-group id; expected ids like U012AB3CD (profile → ⋮ → Copy member ID) or S012AB3CD (the group's ⋮ → Copy group ID), comma-separated`},

		// PAASBOT_TZ
		{"tz from env", map[string]string{"PAASBOT_TZ": "Europe/Paris"}, nil, func(c *config) any { return c.TZ.String() }, "Europe/Paris", ""},
		{"tz flag wins", map[string]string{"PAASBOT_TZ": "Europe/Paris"}, []string{"--tz", "Asia/Tokyo"}, func(c *config) any { return c.TZ.String() }, "Asia/Tokyo", ""},
		{"tz has its rules (embedded tzdata)", map[string]string{"PAASBOT_TZ": "Europe/Paris"}, nil, func(c *config) any {
			_, off := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC).In(c.TZ).Zone()
			return off
		}, 3600, ""},
		{"tz unknown", map[string]string{"PAASBOT_TZ": "Mars/Olympus"}, nil, nil, nil,
			`PAASBOT_TZ: unknown time zone "Mars/Olympus"; expected an IANA name such as UTC or Europe/Paris`},

		// PAASBOT_HTTP_ADDR
		{"http addr off by default", nil, nil, func(c *config) any { return c.HTTPAddr }, "", ""},
		{"http addr port only", map[string]string{"PAASBOT_HTTP_ADDR": ":8081"}, nil, func(c *config) any { return c.HTTPAddr }, ":8081", ""},
		{"http addr flag wins", map[string]string{"PAASBOT_HTTP_ADDR": ":8081"}, []string{"--http-addr", "127.0.0.1:9090"}, func(c *config) any { return c.HTTPAddr }, "127.0.0.1:9090", ""},
		{"http addr no port", map[string]string{"PAASBOT_HTTP_ADDR": "8081"}, nil, nil, nil,
			`PAASBOT_HTTP_ADDR: "8081" is not host:port; expected e.g. :8081 or 127.0.0.1:8081, or empty to turn the server off`},
		{"http addr port out of range", map[string]string{"PAASBOT_HTTP_ADDR": ":70000"}, nil, nil, nil,
			`PAASBOT_HTTP_ADDR: ":70000" is not host:port; expected e.g. :8081 or 127.0.0.1:8081, or empty to turn the server off`},

		// PAASBOT_LOG_LEVEL
		{"log level from env", map[string]string{"PAASBOT_LOG_LEVEL": "DEBUG"}, nil, func(c *config) any { return c.LogLevel }, "debug", ""},
		{"log level flag wins", map[string]string{"PAASBOT_LOG_LEVEL": "debug"}, []string{"--log-level=error"}, func(c *config) any { return c.LogLevel }, "error", ""},
		{"log level malformed", map[string]string{"PAASBOT_LOG_LEVEL": "chatty"}, nil, nil, nil,
			`PAASBOT_LOG_LEVEL: "chatty" is not a log level; expected debug, info, warn or error`},

		// PAASBOT_LOG_FORMAT
		{"log format from env", map[string]string{"PAASBOT_LOG_FORMAT": "json"}, nil, func(c *config) any { return c.LogFormat }, "json", ""},
		{"log format flag wins", map[string]string{"PAASBOT_LOG_FORMAT": "json"}, []string{"--log-format", "text"}, func(c *config) any { return c.LogFormat }, "text", ""},
		{"log format malformed", map[string]string{"PAASBOT_LOG_FORMAT": "xml"}, nil, nil, nil,
			`PAASBOT_LOG_FORMAT: "xml" is not a log format; expected auto, json or text`},

		// PAASBOT_APPROVAL_TTL
		{"ttl hours", map[string]string{"PAASBOT_APPROVAL_TTL": "2h"}, nil, func(c *config) any { return c.ApprovalTTL }, 2 * time.Hour, ""},
		{"ttl days", map[string]string{"PAASBOT_APPROVAL_TTL": "3d"}, nil, func(c *config) any { return c.ApprovalTTL }, 72 * time.Hour, ""},
		{"ttl flag wins", map[string]string{"PAASBOT_APPROVAL_TTL": "3d"}, []string{"--approval-ttl=30m"}, func(c *config) any { return c.ApprovalTTL }, 30 * time.Minute, ""},
		{"ttl malformed", map[string]string{"PAASBOT_APPROVAL_TTL": "tomorrow"}, nil, nil, nil,
			`PAASBOT_APPROVAL_TTL: "tomorrow" is not a valid duration; expected between 1m and 30d, e.g. 24h or 2d`},
		{"ttl too short", map[string]string{"PAASBOT_APPROVAL_TTL": "10s"}, nil, nil, nil,
			`PAASBOT_APPROVAL_TTL: "10s" is not a valid duration; expected between 1m and 30d, e.g. 24h or 2d`},
		{"ttl too long", map[string]string{"PAASBOT_APPROVAL_TTL": "31d"}, nil, nil, nil,
			`PAASBOT_APPROVAL_TTL: "31d" is not a valid duration; expected between 1m and 30d, e.g. 24h or 2d`},

		// PAASBOT_DB as a PostgreSQL URL, and PAASBOT_LEASE_TTL
		{"db postgres url", map[string]string{"PAASBOT_DB": " postgres://paasbot:pw@db:5432/paasbot "}, nil, func(c *config) any { return c.DB }, "postgres://paasbot:pw@db:5432/paasbot", ""},
		{"db name hides the password", map[string]string{"PAASBOT_DB": "postgres://paasbot:pw@db:5432/paasbot"}, nil, func(c *config) any { return c.DBName() }, "postgres://paasbot@db:5432/paasbot", ""},
		{"lease ttl from env", map[string]string{"PAASBOT_LEASE_TTL": "5s"}, nil, func(c *config) any { return c.LeaseTTL }, 5 * time.Second, ""},
		{"lease ttl flag wins", map[string]string{"PAASBOT_LEASE_TTL": "5s"}, []string{"--lease-ttl=2s"}, func(c *config) any { return c.LeaseTTL }, 2 * time.Second, ""},
		{"lease ttl above 30s", map[string]string{"PAASBOT_LEASE_TTL": "1m"}, nil, nil, nil,
			`PAASBOT_LEASE_TTL: "1m" is not a lease duration; expected from 1s to 30s, e.g. 30s`},
		{"lease ttl below 1s", map[string]string{"PAASBOT_LEASE_TTL": "500ms"}, nil, nil, nil,
			`PAASBOT_LEASE_TTL: "500ms" is not a lease duration; expected from 1s to 30s, e.g. 30s`},

		// PAASBOT_WORKERS
		{"workers from env", map[string]string{"PAASBOT_WORKERS": "16"}, nil, func(c *config) any { return c.Workers }, 16, ""},
		{"workers flag wins", map[string]string{"PAASBOT_WORKERS": "16"}, []string{"--workers", "2"}, func(c *config) any { return c.Workers }, 2, ""},
		{"workers zero", map[string]string{"PAASBOT_WORKERS": "0"}, nil, nil, nil,
			`PAASBOT_WORKERS: "0" is not a worker count; expected a whole number from 1 to 256`},
		{"workers not a number", nil, []string{"--workers", "many"}, nil, nil,
			`--workers: "many" is not a worker count; expected a whole number from 1 to 256`},

		// Secrets: kept raw, no flags.
		{"tokens trimmed", map[string]string{"PAASBOT_SLACK_APP_TOKEN": testAppToken + "\n", "PAASBOT_SLACK_BOT_TOKEN": " " + testBotToken},
			nil, func(c *config) any { return c.SlackAppToken.Reveal() + "|" + c.SlackBotToken.Reveal() }, testAppToken + "|" + testBotToken, ""},
		{"secret key raw", map[string]string{"PAASBOT_SECRET_KEY": testSecret}, nil, func(c *config) any { return c.SecretKey.Reveal() }, testSecret, ""},
		{"secret key file", map[string]string{"PAASBOT_SECRET_KEY_FILE": "/run/secrets/key"}, nil, func(c *config) any { return c.SecretKeyFile }, "/run/secrets/key", ""},
		{"secret key and file both", map[string]string{"PAASBOT_SECRET_KEY": testSecret, "PAASBOT_SECRET_KEY_FILE": "/run/secrets/key"}, nil, nil, nil,
			`PAASBOT_SECRET_KEY_FILE: set together with PAASBOT_SECRET_KEY; expected only one of them`},

		// Arguments.
		{"stray argument", nil, []string{"extra"}, nil, nil, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(envFrom(tt.env), newFlagSet(), tt.args)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error, want %q", tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error:\n got %q\nwant %q", err.Error(), tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans several lines: %q", err.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := tt.check(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestLoadConfig_ErrorIsTyped(t *testing.T) {
	_, err := loadConfig(envFrom(map[string]string{"PAASBOT_WORKERS": "x"}), newFlagSet(), nil)
	var ce *configError
	if !errors.As(err, &ce) || ce.Setting != "PAASBOT_WORKERS" {
		t.Errorf("err = %#v, want a *configError for PAASBOT_WORKERS", err)
	}
}

func TestLoadConfig_FlagsAndCallerFlags(t *testing.T) {
	fs := newFlagSet()
	check := fs.Bool("check", false, "validate and exit")
	if _, err := loadConfig(envFrom(nil), fs, []string{"--check", "--workers=3"}); err != nil {
		t.Fatal(err)
	}
	if !*check {
		t.Error("the caller's --check flag was not parsed")
	}
	for _, name := range []string{"db", "gandi-url", "slack-api-url", "approvers", "tz", "http-addr", "log-level", "log-format", "approval-ttl", "workers", "lease-ttl"} {
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("flag --%s missing", name)
			continue
		}
		if !strings.Contains(f.Usage, "PAASBOT_") {
			t.Errorf("flag --%s usage %q does not name its variable", name, f.Usage)
		}
	}
	for _, secret := range []string{"slack-app-token", "slack-bot-token", "secret-key"} {
		if fs.Lookup(secret) != nil {
			t.Errorf("flag --%s exists; secrets must not be flags (they show in ps)", secret)
		}
	}
	if _, err := loadConfig(envFrom(nil), newFlagSet(), []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err = %v, want flag.ErrHelp", err)
	}
	if _, err := loadConfig(envFrom(nil), newFlagSet(), []string{"--nope"}); err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestConfig_ValidateForRun(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(keyFile, []byte(testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"PAASBOT_SLACK_APP_TOKEN": testAppToken,
		"PAASBOT_SLACK_BOT_TOKEN": testBotToken,
		"PAASBOT_SECRET_KEY":      testSecret,
	}
	with := func(changes map[string]string) map[string]string {
		m := make(map[string]string)
		for k, v := range good {
			m[k] = v
		}
		for k, v := range changes {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"all good", good, ""},
		{"secret from a file", with(map[string]string{"PAASBOT_SECRET_KEY": "", "PAASBOT_SECRET_KEY_FILE": keyFile}), ""},
		{"app token missing", with(map[string]string{"PAASBOT_SLACK_APP_TOKEN": ""}),
			"PAASBOT_SLACK_APP_TOKEN: missing; expected an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)"},
		{"app token is a bot token", with(map[string]string{"PAASBOT_SLACK_APP_TOKEN": testBotToken}),
			"PAASBOT_SLACK_APP_TOKEN: holds a bot token (xoxb-…); expected an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)"},
		{"app token garbage", with(map[string]string{"PAASBOT_SLACK_APP_TOKEN": "hunter2-garbage"}),
			"PAASBOT_SLACK_APP_TOKEN: malformed; expected an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)"},
		{"bot token missing", with(map[string]string{"PAASBOT_SLACK_BOT_TOKEN": ""}),
			"PAASBOT_SLACK_BOT_TOKEN: missing; expected a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)"},
		{"bot token is a user token", with(map[string]string{"PAASBOT_SLACK_BOT_TOKEN": "xoxp-9999-8888-USERtoken"}),
			"PAASBOT_SLACK_BOT_TOKEN: holds a user token (xoxp-…); expected a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)"},
		{"bot token is the app token", with(map[string]string{"PAASBOT_SLACK_BOT_TOKEN": testAppToken}),
			"PAASBOT_SLACK_BOT_TOKEN: holds an app-level token (xapp-…); expected a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)"},
		{"bot token with inner space", with(map[string]string{"PAASBOT_SLACK_BOT_TOKEN": "xoxb-12 34"}),
			"PAASBOT_SLACK_BOT_TOKEN: malformed; expected a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)"},
		{"secret missing", with(map[string]string{"PAASBOT_SECRET_KEY": ""}),
			"PAASBOT_SECRET_KEY: missing; expected base64 of 32 random bytes (generate with: openssl rand -base64 32), or set PAASBOT_SECRET_KEY_FILE to a file holding it"},
		{"secret file absent", with(map[string]string{"PAASBOT_SECRET_KEY": "", "PAASBOT_SECRET_KEY_FILE": "/nonexistent/key"}),
			`PAASBOT_SECRET_KEY_FILE: cannot read "/nonexistent/key"; expected a readable file holding the secret`},
		{"secret file is a directory", with(map[string]string{"PAASBOT_SECRET_KEY": "", "PAASBOT_SECRET_KEY_FILE": filepath.Dir(keyFile)}),
			`PAASBOT_SECRET_KEY_FILE: "` + filepath.Dir(keyFile) + `" is not a regular file; expected a file holding the secret`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(envFrom(tt.env), newFlagSet(), nil)
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			err = c.validateForRun()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("validateForRun: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("error:\n got %v\nwant %s", err, tt.wantErr)
			}
			for _, v := range tt.env {
				if len(v) > 8 && strings.Contains(err.Error(), v) && !strings.HasPrefix(v, "/") {
					t.Errorf("error quotes a secret value: %q", err.Error())
				}
			}
		})
	}
}

// The configuration logged or printed whole shows no secret.
func TestConfig_NeverShowsSecrets(t *testing.T) {
	env := map[string]string{
		"PAASBOT_SLACK_APP_TOKEN": testAppToken,
		"PAASBOT_SLACK_BOT_TOKEN": testBotToken,
		"PAASBOT_SECRET_KEY":      testSecret,
	}
	c, err := loadConfig(envFrom(env), newFlagSet(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "text"} {
		var b strings.Builder
		l, err := telemetry.NewLogger(&b, format, "info")
		if err != nil {
			t.Fatal(err)
		}
		l.Info("starting", "config", c)
		out := b.String()
		if !strings.Contains(out, "workers") || !strings.Contains(out, "set") {
			t.Errorf("%s: config not logged: %s", format, out)
		}
		for _, v := range env {
			if strings.Contains(out, v) {
				t.Errorf("%s: log shows a secret: %s", format, out)
			}
		}
	}
	for _, f := range []string{"%v", "%+v", "%#v"} {
		out := fmt.Sprintf(f, *c)
		for _, v := range env {
			if strings.Contains(out, v) {
				t.Errorf("Sprintf(%s) shows a secret: %s", f, out)
			}
		}
	}
}

// TestApprovers_OneSlackIDRule: an approver id the configuration accepts
// is one the replies render as a mention, whatever its length.
func TestApprovers_OneSlackIDRule(t *testing.T) {
	for n := 1; n <= 40; n++ {
		id := "U" + strings.Repeat("A", n-1)
		_, err := parseApprovers(id)
		mention := reply.ExpandMentions(reply.Mention(id), func(u string) string { return "<@" + u + ">" })
		if rendered := mention == "<@"+id+">"; (err == nil) != rendered {
			t.Errorf("%d-character id: accepted %v, rendered as a mention %v", n, err == nil, rendered)
		}
	}
}

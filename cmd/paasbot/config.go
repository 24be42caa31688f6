package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	// Embedded zone database: PAASBOT_TZ and alert time zones work in a
	// distroless image or on a host without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/telemetry"
)

// Defaults of the settings (DESIGN.md §3), also written in
// deploy/paasbot.env.example.
const (
	defaultDB          = "paasbot.db"
	defaultGandiURL    = "https://rpc.gandi.net/xmlrpc/"
	defaultSlackAPIURL = "https://slack.com/api/"
	defaultTZ          = "UTC"
	defaultLogLevel    = "info"
	defaultLogFormat   = telemetry.FormatAuto
	defaultApprovalTTL = 24 * time.Hour
	defaultWorkers     = 64 // commands wait on Gandi and Slack, not the CPU (bot.DefaultWorkers)
	defaultLeaseTTL    = store.LeaseTTL

	minApprovalTTL = time.Minute
	maxApprovalTTL = 30 * 24 * time.Hour
	maxWorkers     = 256
	// A lease shorter than a second would lapse on one slow database
	// round trip; DESIGN §11 keeps it at most 30 s (take-over within a
	// minute).
	minLeaseTTL = time.Second
	maxLeaseTTL = store.LeaseTTL
)

// config is every setting of paasbot, read from the environment and from
// flags that mirror it (flags win). Secrets are held as secret.Value so
// that logging or printing the config never shows them.
type config struct {
	SlackAppToken secret.Value // PAASBOT_SLACK_APP_TOKEN, xapp-…
	SlackBotToken secret.Value // PAASBOT_SLACK_BOT_TOKEN, xoxb-…
	// SecretKey and SecretKeyFile are kept raw; the store parses the key.
	SecretKey     secret.Value // PAASBOT_SECRET_KEY
	SecretKeyFile string       // PAASBOT_SECRET_KEY_FILE, a path

	DB          string         // PAASBOT_DB, SQLite file path or postgres:// URL (may hold a password: log DBName)
	GandiURL    string         // PAASBOT_GANDI_URL, XML-RPC endpoint
	SlackAPIURL string         // PAASBOT_SLACK_API_URL, always ends with "/"
	Approvers   []string       // PAASBOT_APPROVERS, Slack user ids and user-group ids (S…); empty: requesters confirm their own requests
	TZ          *time.Location // PAASBOT_TZ, default zone of schedules
	HTTPAddr    string         // PAASBOT_HTTP_ADDR, health and metrics; "" = off
	LogLevel    string         // PAASBOT_LOG_LEVEL: debug, info, warn, error
	LogFormat   string         // PAASBOT_LOG_FORMAT: auto, json, text
	ApprovalTTL time.Duration  // PAASBOT_APPROVAL_TTL, how long a request stays pending
	Workers     int            // PAASBOT_WORKERS, commands run concurrently
	LeaseTTL    time.Duration  // PAASBOT_LEASE_TTL, how long a replica's leases outlive its last heartbeat

	// ApprovalsChannel and AuditChannel are PAASBOT_APPROVALS_CHANNEL and
	// PAASBOT_AUDIT_CHANNEL: channel ids, "" when unset (DESIGN §9).
	ApprovalsChannel string
	AuditChannel     string

	// setBy names where each setting given came from, by variable: the
	// flag ("--db") or the variable itself; a default is absent.
	setBy map[string]string
}

// given reports whether the setting of variable env was given, by its
// variable or its flag, rather than defaulted.
func (c *config) given(env string) bool { return c.setBy[env] != "" }

// flagged reports whether the setting of variable env came from its flag.
func (c *config) flagged(env string) bool { return strings.HasPrefix(c.setBy[env], "--") }

// use is which subcommand reads the configuration. Every one reads and
// checks the same settings; the shell names people by --user, so its
// PAASBOT_APPROVERS holds names rather than Slack ids.
type use int

const (
	forRun use = iota // run, backup, rotate-secret
	forShell
)

// configError is a bad setting: Error() is one line naming the setting
// (the environment variable, or the flag when the value came from one)
// and what is expected. It never contains a secret value.
type configError struct {
	Setting string
	Problem string
}

func (e *configError) Error() string { return e.Setting + ": " + e.Problem }

// setting describes one configuration value: where it is read, its
// default, and how it is checked and stored.
type setting struct {
	env   string
	flag  string // "" when there is no flag (secrets: flags show in ps)
	def   string
	usage string
	// set checks v (already defaulted) and stores it; its error is the
	// problem part of a configError.
	set func(c *config, v string) error
}

func settings(u use) []setting {
	approvers := parseApprovers
	if u == forShell {
		approvers = shellApprovers
	}
	return []setting{
		{env: "PAASBOT_SLACK_APP_TOKEN", usage: "Slack app-level token (xapp-…)", set: func(c *config, v string) error {
			c.SlackAppToken = secret.Value(strings.TrimSpace(v))
			return nil
		}},
		{env: "PAASBOT_SLACK_BOT_TOKEN", usage: "Slack bot token (xoxb-…)", set: func(c *config, v string) error {
			c.SlackBotToken = secret.Value(strings.TrimSpace(v))
			return nil
		}},
		{env: "PAASBOT_SECRET_KEY", usage: "key encrypting stored API keys", set: func(c *config, v string) error {
			c.SecretKey = secret.Value(v)
			return nil
		}},
		{env: "PAASBOT_SECRET_KEY_FILE", usage: "file holding PAASBOT_SECRET_KEY", set: func(c *config, v string) error {
			if v != "" && !c.SecretKey.IsZero() {
				return errors.New("set together with PAASBOT_SECRET_KEY; expected only one of them")
			}
			c.SecretKeyFile = v
			return nil
		}},
		{env: "PAASBOT_DB", flag: "db", def: defaultDB, usage: "SQLite database file, or a postgres:// URL", set: func(c *config, v string) error {
			c.DB = strings.TrimSpace(v)
			return nil
		}},
		{env: "PAASBOT_GANDI_URL", flag: "gandi-url", def: defaultGandiURL, usage: "Gandi XML-RPC endpoint", set: func(c *config, v string) error {
			u, err := parseHTTPURL(v)
			c.GandiURL = u
			return err
		}},
		{env: "PAASBOT_SLACK_API_URL", flag: "slack-api-url", def: defaultSlackAPIURL, usage: "Slack Web API base URL", set: func(c *config, v string) error {
			u, err := parseHTTPURL(v)
			if !strings.HasSuffix(u, "/") {
				u += "/"
			}
			c.SlackAPIURL = u
			return err
		}},
		{env: "PAASBOT_APPROVERS", flag: "approvers", usage: "comma-separated Slack user ids and user-group ids (S…) allowed to approve paid operations", set: func(c *config, v string) error {
			ids, err := approvers(v)
			c.Approvers = ids
			return err
		}},
		{env: "PAASBOT_APPROVALS_CHANNEL", flag: "approvals-channel", usage: "channel id where paid requests are posted (empty: where asked)", set: func(c *config, v string) error {
			id, err := parseChannelID(v)
			c.ApprovalsChannel = id
			return err
		}},
		{env: "PAASBOT_AUDIT_CHANNEL", flag: "audit-channel", usage: "channel id getting one line per outcome of a paid, destructive or disruptive action (empty: none)", set: func(c *config, v string) error {
			id, err := parseChannelID(v)
			c.AuditChannel = id
			return err
		}},
		{env: "PAASBOT_TZ", flag: "tz", def: defaultTZ, usage: "default time zone of schedules (IANA name)", set: func(c *config, v string) error {
			loc, err := time.LoadLocation(v)
			if err != nil {
				return fmt.Errorf("unknown time zone %q; expected an IANA name such as UTC or Europe/Paris", v)
			}
			c.TZ = loc
			return nil
		}},
		{env: "PAASBOT_HTTP_ADDR", flag: "http-addr", usage: "host:port of /healthz, /readyz and /metrics (empty: off)", set: func(c *config, v string) error {
			c.HTTPAddr = v
			return checkListenAddr(v)
		}},
		{env: "PAASBOT_LOG_LEVEL", flag: "log-level", def: defaultLogLevel, usage: "debug, info, warn or error", set: func(c *config, v string) error {
			if _, err := telemetry.ParseLevel(v); err != nil {
				return fmt.Errorf("%q is not a log level; expected debug, info, warn or error", v)
			}
			c.LogLevel = strings.ToLower(strings.TrimSpace(v))
			return nil
		}},
		{env: "PAASBOT_LOG_FORMAT", flag: "log-format", def: defaultLogFormat, usage: "auto (text on a terminal, else JSON), json or text", set: func(c *config, v string) error {
			f, err := telemetry.ParseFormat(v)
			if err != nil {
				return fmt.Errorf("%q is not a log format; expected auto, json or text", v)
			}
			c.LogFormat = f
			return nil
		}},
		{env: "PAASBOT_APPROVAL_TTL", flag: "approval-ttl", def: defaultApprovalTTL.String(), usage: "how long an approval request stays pending (e.g. 24h, 2d)", set: func(c *config, v string) error {
			d, err := parseTTL(v)
			c.ApprovalTTL = d
			return err
		}},
		{env: "PAASBOT_WORKERS", flag: "workers", def: strconv.Itoa(defaultWorkers), usage: "commands run concurrently", set: func(c *config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > maxWorkers {
				return fmt.Errorf("%q is not a worker count; expected a whole number from 1 to %d", v, maxWorkers)
			}
			c.Workers = n
			return nil
		}},
		{env: "PAASBOT_LEASE_TTL", flag: "lease-ttl", def: defaultLeaseTTL.String(), usage: "how long a replica's work stays its own after its last heartbeat (1s to 30s)", set: func(c *config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < minLeaseTTL || d > maxLeaseTTL {
				return fmt.Errorf("%q is not a lease duration; expected from %v to %v, e.g. 30s", v, minLeaseTTL, maxLeaseTTL)
			}
			c.LeaseTTL = d
			return nil
		}},
	}
}

// DBName names the database for logs and messages: the SQLite path, or
// the PostgreSQL URL without its password.
func (c *config) DBName() string { return store.DisplayName(c.DB) }

// loadConfig reads every setting from getenv, registers the flags that
// mirror them on fs and parses args with it; a flag given on the command
// line wins over the environment. Callers register their own flags (run's
// --check) on fs before calling. The first bad setting is returned as a
// *configError; a flag parse error (including flag.ErrHelp) is returned as
// the flag package gives it, after fs has printed it; so is an argument
// that is not a flag.
func loadConfig(getenv func(string) string, fs *flag.FlagSet, args []string) (*config, error) {
	read := registerSettings(fs, forRun)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return read(getenv)
}

// registerSettings registers on fs the flags that mirror the settings and
// returns the function that reads the configuration once fs has parsed
// the command line: every subcommand's one path to its settings.
func registerSettings(fs *flag.FlagSet, u use) func(getenv func(string) string) (*config, error) {
	all := settings(u)
	flagVals := make(map[string]*string, len(all))
	for _, s := range all {
		if s.flag == "" {
			continue
		}
		usage := fmt.Sprintf("%s (env %s", s.usage, s.env)
		if s.def != "" {
			usage += fmt.Sprintf(", default %s", s.def)
		}
		flagVals[s.flag] = fs.String(s.flag, "", usage+")")
	}
	return func(getenv func(string) string) (*config, error) {
		given := make(map[string]bool)
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		c := &config{setBy: make(map[string]string)}
		for _, s := range all {
			name, v := s.env, getenv(s.env)
			if s.flag != "" && given[s.flag] {
				name, v = "--"+s.flag, *flagVals[s.flag]
			}
			if strings.TrimSpace(v) == "" {
				v = s.def
			} else {
				c.setBy[s.env] = name
			}
			if err := s.set(c, v); err != nil {
				return nil, &configError{Setting: name, Problem: err.Error()}
			}
		}
		return c, nil
	}
}

// validateForRun checks what `paasbot run` needs beyond loadConfig: both
// Slack tokens, of the right kinds, and the encryption secret. It does not
// call Slack (run --check does, with auth.test).
func (c *config) validateForRun() error {
	if err := checkToken("PAASBOT_SLACK_APP_TOKEN", c.SlackAppToken, "xapp-", "an app-level token",
		" (Basic Information → App-Level Tokens, scope connections:write)"); err != nil {
		return err
	}
	if err := checkToken("PAASBOT_SLACK_BOT_TOKEN", c.SlackBotToken, "xoxb-", "a bot token",
		" (OAuth & Permissions → Bot User OAuth Token)"); err != nil {
		return err
	}
	switch {
	case c.SecretKeyFile != "":
		fi, err := os.Stat(c.SecretKeyFile)
		if err != nil {
			return &configError{"PAASBOT_SECRET_KEY_FILE", fmt.Sprintf("cannot read %q; expected a readable file holding the secret", c.SecretKeyFile)}
		}
		if !fi.Mode().IsRegular() {
			return &configError{"PAASBOT_SECRET_KEY_FILE", fmt.Sprintf("%q is not a regular file; expected a file holding the secret", c.SecretKeyFile)}
		}
	case strings.TrimSpace(c.SecretKey.Reveal()) == "":
		return &configError{"PAASBOT_SECRET_KEY", "missing; expected base64 of 32 random bytes (generate with: openssl rand -base64 32), or set PAASBOT_SECRET_KEY_FILE to a file holding it"}
	}
	return nil
}

// checkToken says what is wrong with a Slack token without ever quoting it.
func checkToken(name string, tok secret.Value, prefix, kind, where string) error {
	v := tok.Reveal()
	if v == "" {
		return &configError{name, "missing; expected " + kind + " starting with " + prefix + where}
	}
	if strings.HasPrefix(v, prefix) && len(v) > len(prefix) && !strings.ContainsFunc(v, unicode.IsSpace) {
		return nil
	}
	problem := "malformed; expected " + kind + " starting with " + prefix + where
	for _, other := range []struct{ prefix, kind string }{
		{"xapp-", "an app-level token"}, {"xoxb-", "a bot token"}, {"xoxp-", "a user token"},
	} {
		if other.prefix != prefix && strings.HasPrefix(v, other.prefix) {
			problem = "holds " + other.kind + " (" + other.prefix + "…); expected " + kind + " starting with " + prefix + where
		}
	}
	return &configError{name, problem}
}

// parseHTTPURL accepts an absolute http or https URL.
func parseHTTPURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return v, fmt.Errorf("%q is not an http(s) URL; expected e.g. https://host/path/", v)
	}
	return v, nil
}

// parseApprovers splits a comma (or space) separated list of Slack user
// ids and user-group ids (S…), dropping duplicates. Names and @mentions
// are refused: approval is checked against the clicker's id.
func parseApprovers(v string) ([]string, error) {
	var ids []string
	seen := make(map[string]bool)
	for _, id := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if !reply.IsUserID(id) && !approvals.IsGroupID(id) {
			return nil, fmt.Errorf("%q is not a Slack user id or user-group id; expected ids like U012AB3CD (profile → ⋮ → Copy member ID) or S012AB3CD (the group's ⋮ → Copy group ID), comma-separated", id)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 && strings.TrimSpace(v) != "" {
		// "," would otherwise turn four eyes off without a word.
		return nil, fmt.Errorf("%q names nobody; expected Slack user ids like U012AB3CD, comma-separated, or leave it unset so that requesters confirm their own requests", v)
	}
	return ids, nil
}

// shellApprovers reads PAASBOT_APPROVERS for the shell, where people are
// named by --user rather than by Slack ids. A value that names nobody is
// refused: it would silently turn four eyes off.
func shellApprovers(v string) ([]string, error) {
	out := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	if len(out) == 0 && strings.TrimSpace(v) != "" {
		return nil, fmt.Errorf("%q names nobody; expected user names, comma-separated, or leave it unset", v)
	}
	return out, nil
}

// parseChannelID accepts "" (unset) or a Slack channel id: C or G, then
// capitals and digits. A name (#ops) is refused: Slack's Web API wants the
// id, and a renamed channel must not lose its requests.
func parseChannelID(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	ok := len(v) >= 3 && len(v) <= 32 && (v[0] == 'C' || v[0] == 'G')
	for _, r := range v[1:] {
		ok = ok && (r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}
	if !ok {
		return "", fmt.Errorf("%q is not a Slack channel id; expected an id like C012AB3CD (the channel's name → About → Channel ID)", v)
	}
	return v, nil
}

// checkListenAddr accepts "" (off) or host:port with a numeric port.
func checkListenAddr(v string) error {
	if v == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 {
			err = errors.New("bad port")
		}
	}
	if err != nil {
		return fmt.Errorf("%q is not host:port; expected e.g. :8081 or 127.0.0.1:8081, or empty to turn the server off", v)
	}
	return nil
}

// parseTTL accepts a Go duration (90m, 24h) or whole days (2d).
func parseTTL(v string) (time.Duration, error) {
	s := strings.TrimSpace(v)
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < minApprovalTTL || d > maxApprovalTTL {
		return 0, fmt.Errorf("%q is not a valid duration; expected between 1m and 30d, e.g. 24h or 2d", v)
	}
	return d, nil
}

// newLogger builds the process logger from the log settings.
func (c *config) newLogger(w io.Writer) (*slog.Logger, error) {
	return telemetry.NewLogger(w, c.LogFormat, c.LogLevel)
}

// LogValue lets the start-up log line show the configuration: every
// setting, and for secrets only whether they are set.
func (c *config) LogValue() slog.Value {
	isSet := func(b bool) string {
		if b {
			return "set"
		}
		return "unset"
	}
	return slog.GroupValue(
		slog.String("slack_app", isSet(!c.SlackAppToken.IsZero())),
		slog.String("slack_bot", isSet(!c.SlackBotToken.IsZero())),
		slog.String("encryption", isSet(!c.SecretKey.IsZero() || c.SecretKeyFile != "")),
		slog.String("db", c.DBName()),
		slog.String("gandi_url", c.GandiURL),
		slog.String("slack_api_url", c.SlackAPIURL),
		slog.Int("approvers", len(c.Approvers)),
		slog.String("approvals_channel", c.ApprovalsChannel),
		slog.String("audit_channel", c.AuditChannel),
		slog.String("tz", c.TZ.String()),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("log_level", c.LogLevel),
		slog.String("log_format", c.LogFormat),
		slog.Duration("approval_ttl", c.ApprovalTTL),
		slog.Int("workers", c.Workers),
		slog.Duration("lease_ttl", c.LeaseTTL),
	)
}

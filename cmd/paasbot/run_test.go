package main

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/store/storetest"
)

const (
	runBotToken = "xoxb-1111-2222-secretbotvalue"
	runAppToken = "xapp-1-A0-3333-secretappvalue"
)

// runEnv is the environment of one `paasbot run` under test: a fake Slack,
// a fresh secret and database path, JSON logs.
func runEnv(t *testing.T, fake *slacktest.Server) map[string]string {
	t.Helper()
	_, b64, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"PAASBOT_SLACK_BOT_TOKEN": fake.BotToken(),
		"PAASBOT_SLACK_APP_TOKEN": fake.AppToken(),
		"PAASBOT_SLACK_API_URL":   fake.APIURL(),
		"PAASBOT_SECRET_KEY":      b64,
		"PAASBOT_DB":              filepath.Join(t.TempDir(), "paasbot.db"),
		"PAASBOT_LOG_FORMAT":      "json",
		"PAASBOT_LOG_LEVEL":       "debug",
	}
}

func envOf(vars map[string]string, stdout, stderr io.Writer) *environment {
	return &environment{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		getenv: func(k string) string { return vars[k] }}
}

func TestRunCheck(t *testing.T) {
	fake := slacktest.New(t, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
	good := runEnv(t, fake)
	otherSecret := runEnv(t, fake)["PAASBOT_SECRET_KEY"]

	tests := []struct {
		name       string
		change     map[string]string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"good tokens", nil, 0, "configuration OK", ""},
		{"bad bot token", map[string]string{"PAASBOT_SLACK_BOT_TOKEN": "xoxb-9999-wrongsecretbot"}, 1, "", "PAASBOT_SLACK_BOT_TOKEN: Slack refused the bot token"},
		{"bad app token", map[string]string{"PAASBOT_SLACK_APP_TOKEN": "xapp-1-A0-wrongsecretapp"}, 1, "", "PAASBOT_SLACK_APP_TOKEN: Slack refused the app-level token"},
		{"bot token in the app slot", map[string]string{"PAASBOT_SLACK_APP_TOKEN": runBotToken}, 1, "", "PAASBOT_SLACK_APP_TOKEN: holds a bot token"},
		{"missing secret", map[string]string{"PAASBOT_SECRET_KEY": ""}, 1, "", "PAASBOT_SECRET_KEY: missing"},
		{"malformed secret", map[string]string{"PAASBOT_SECRET_KEY": "not-base64!"}, 1, "", "PAASBOT_SECRET_KEY"},
		{"wrong secret", map[string]string{"PAASBOT_SECRET_KEY": otherSecret}, 1, "", "wrong secret"},
		{"bad flag", map[string]string{}, 2, "", "flag provided but not defined"},
		{"slack unreachable", map[string]string{"PAASBOT_SLACK_API_URL": deadURL(t)}, 1, "", "slack auth.test:"},
	}
	// The database exists (run made it), so "wrong secret" finds it:
	// --check itself creates nothing.
	createDatabase(t, good["PAASBOT_DB"], good["PAASBOT_SECRET_KEY"])
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{}
			for k, v := range good {
				vars[k] = v
			}
			for k, v := range tt.change {
				vars[k] = v
			}
			args := []string{"run", "--check"}
			if tt.name == "bad flag" {
				args = append(args, "--no-such-flag")
			}
			var out, errb syncBuffer
			code := run(t.Context(), envOf(vars, &out, &errb), args)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.wantCode, errb.String())
			}
			if !strings.Contains(out.String(), tt.wantStdout) || !strings.Contains(errb.String(), tt.wantStderr) {
				t.Errorf("stdout %q stderr %q, want %q / %q", out.String(), errb.String(), tt.wantStdout, tt.wantStderr)
			}
			if tt.wantCode == 1 && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", errb.String())
			}
			for _, secret := range []string{"secretbot", "secretapp", "wrongsecret", good["PAASBOT_SECRET_KEY"], otherSecret} {
				if strings.Contains(out.String()+errb.String(), secret) {
					t.Errorf("output shows a secret (%q…)", secret[:4])
				}
			}
		})
	}
}

// createDatabase creates the database dsn under the secret b64, as a
// first `paasbot run` would.
func createDatabase(t *testing.T, dsn, b64 string) {
	t.Helper()
	sec, err := store.ParseSecret(b64)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), dsn, sec)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// TestRunCheck_Database: run --check says in one line what run will find
// of the database, on both engines, and changes nothing: a missing SQLite
// file is not created, an older schema is not migrated.
func TestRunCheck_Database(t *testing.T) {
	fake := slacktest.New(t, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		tests := []struct {
			name     string
			prepare  func(t *testing.T, vars map[string]string) // nil: nothing made
			wantCode int
			want     string // in stdout (code 0) or stderr (code 1)
			after    int    // the schema version found after the check (-1: no database)
		}{
			{"fresh", nil, 0, "run creates", -1},
			{"current", func(t *testing.T, vars map[string]string) {
				createDatabase(t, vars["PAASBOT_DB"], vars["PAASBOT_SECRET_KEY"])
			}, 0, "schema version 3, the one this paasbot runs", 3},
			{"older", func(t *testing.T, vars map[string]string) {
				createDatabase(t, vars["PAASBOT_DB"], vars["PAASBOT_SECRET_KEY"])
				execSQL(t, vars, `DELETE FROM schema_migrations WHERE version = 3`)
			}, 0, "schema version 2, older than this paasbot's 3; run applies the missing migrations", 2},
			{"newer", func(t *testing.T, vars map[string]string) {
				createDatabase(t, vars["PAASBOT_DB"], vars["PAASBOT_SECRET_KEY"])
				execSQL(t, vars, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`)
			}, 1, "schema version 99, this paasbot knows up to 3; upgrade paasbot", 99},
		}
		if e == storetest.Postgres {
			tests = append(tests, struct {
				name     string
				prepare  func(t *testing.T, vars map[string]string)
				wantCode int
				want     string
				after    int
			}{"unreachable", func(t *testing.T, vars map[string]string) {
				vars["PAASBOT_DB"] = "postgres://paasbot:hunter2@" + freeAddr(t) + "/paasbot?sslmode=disable&connect_timeout=5"
			}, 1, "cannot reach PostgreSQL", -1})
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				vars := runEnv(t, fake)
				vars["PAASBOT_DB"] = storetest.NewDatabase(t, e)
				if tt.prepare != nil {
					tt.prepare(t, vars)
				}
				var out, errb syncBuffer
				code := run(t.Context(), envOf(vars, &out, &errb), []string{"run", "--check"})
				got := out.String()
				if tt.wantCode != 0 {
					got = errb.String()
				}
				if code != tt.wantCode || !strings.Contains(got, tt.want) {
					t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, out.String(), errb.String(), tt.wantCode, tt.want)
				}
				if tt.wantCode != 0 && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
					t.Errorf("stderr is not one line: %q", errb.String())
				}
				if strings.Contains(out.String()+errb.String(), "hunter2") {
					t.Error("the database password was shown")
				}
				if v := schemaVersionOf(t, e, vars); v != tt.after {
					t.Errorf("schema version %d after the check, want %d: --check changed the database", v, tt.after)
				}
			})
		}
	})
}

// execSQL runs q on the test database of vars, outside the store.
func execSQL(t *testing.T, vars map[string]string, q string) {
	t.Helper()
	db := rawDB(t, vars["PAASBOT_DB"])
	if _, err := db.ExecContext(t.Context(), q); err != nil {
		t.Fatal(err)
	}
}

// schemaVersionOf is the highest migration recorded in the database of
// vars, -1 when there is no database (SQLite: no file) to read.
func schemaVersionOf(t *testing.T, e storetest.Engine, vars map[string]string) int {
	t.Helper()
	dsn := vars["PAASBOT_DB"]
	if e == storetest.SQLite {
		if _, err := os.Stat(dsn); err != nil {
			return -1
		}
	}
	var v sql.NullInt64
	if err := rawDB(t, dsn).QueryRowContext(t.Context(), `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil || !v.Valid {
		return -1
	}
	return int(v.Int64)
}

// rawDB opens dsn (a SQLite path or a postgres:// URL) with database/sql
// alone.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if store.IsPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// freeAddr returns a 127.0.0.1 address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRun_EndToEnd runs `paasbot run` in-process against the fake Slack and
// the simulator: probes and metrics answer while it serves /paas, SIGTERM
// (the context) stops it cleanly, and no secret reaches its logs.
func TestRun_EndToEnd(t *testing.T) {
	fake := slacktest.New(t, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
	sim, simURL := gandisim.NewTestServer(t, gandisim.Options{Seed: 3})
	sim.SeedDemo(gandisim.DemoAPIKey, 5)
	vars := runEnv(t, fake)
	addr := freeAddr(t)
	vars["PAASBOT_HTTP_ADDR"] = addr
	vars["PAASBOT_GANDI_URL"] = simURL
	base := "http://" + addr
	stale := executingApproval(t, vars)
	pendingApproval(t, vars)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, envOf(vars, &out, &logs), []string{"run"}) }()

	fake.WaitForConnections(t, 1, 10*time.Second)
	// /readyz turns 200 once the socket is up; the first probes may race it.
	var code int
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if code, body = get(t, base+"/readyz"); code == http.StatusOK {
			break
		}
	}
	if code != http.StatusOK {
		t.Fatalf("/readyz = %d %q; logs:\n%s", code, body, logs.String())
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d", code)
	}
	// /readyz reports the database: a schema a newer replica upgraded
	// under this one takes it out of service until it is restarted.
	execSQL(t, vars, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`)
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "schema version 99") {
		t.Errorf("/readyz on a newer schema = %d %q, want 503 naming the schema version", code, body)
	}
	execSQL(t, vars, `DELETE FROM schema_migrations WHERE version = 99`)
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz once the schema is back = %d %q", code, body)
	}

	// Dana logs in through the modal, then lists her instances.
	fake.SendSlashCommand(ctx, slacktest.SlashCommand{UserID: "U0DANA", ChannelID: "C0DEV", Text: "login"})
	v := fake.WaitForView(t, func(v slacktest.View) bool { return v.UserID == "U0DANA" }, 10*time.Second)
	sub := fake.SubmitView(ctx, slacktest.Submission{ViewID: v.ID,
		Values: map[string]map[string]string{bot.FormBlockID: {bot.FormActionID: gandisim.DemoAPIKey}}})
	if ack := fake.WaitForAck(t, sub, 10*time.Second); ack.Payload != nil {
		t.Fatalf("login refused: %s", ack.Payload)
	}
	id := fake.SendSlashCommand(ctx, slacktest.SlashCommand{UserID: "U0DANA", ChannelID: "C0DEV", Text: "list"})
	post := fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool { return p.EnvelopeID == id }, 10*time.Second)
	if !strings.Contains(post.AllText(), "shop-prod") || post.ResponseType != "ephemeral" {
		t.Errorf("list answered (%s) %q", post.ResponseType, post.AllText())
	}

	// run started the approvals: a request left executing by a previous
	// process is interrupted, never re-run.
	if a := approvalState(t, vars, stale); a != store.StateInterrupted {
		t.Errorf("approval left executing is %s after start, want interrupted", a)
	}

	code, metrics := get(t, base+"/metrics")
	// paasbot_approvals is counted from the store once Start has settled it.
	for _, want := range []string{"paasbot_commands_total", "paasbot_ack_latency_seconds_count", `paasbot_gandi_calls_total{method="paas.list"`,
		"\n" + `paasbot_approvals{state="pending"} 1` + "\n", "\n" + `paasbot_approvals{state="interrupted"} 1` + "\n"} {
		if code != http.StatusOK || !strings.Contains(metrics, want) {
			t.Errorf("/metrics (%d) lacks %s", code, want)
		}
	}

	cancel()
	select {
	case c := <-done:
		if c != 0 {
			t.Errorf("run exited %d after SIGTERM; logs:\n%s", c, logs.String())
		}
	case <-time.After(2 * drainTimeout):
		t.Fatal("run did not stop after its context ended")
	}
	if code, _ := get(t, base+"/healthz"); code == http.StatusOK {
		t.Error("the health server still answers after run returned")
	}
	for _, secret := range []string{runBotToken, runAppToken, gandisim.DemoAPIKey, vars["PAASBOT_SECRET_KEY"]} {
		if strings.Contains(logs.String()+out.String(), secret) {
			t.Errorf("a secret (%q…) appears in the logs", secret[:5])
		}
	}
	if !strings.Contains(logs.String(), "slack socket mode connected") {
		t.Errorf("logs do not show the connection:\n%s", logs.String())
	}
	// A clean stop is not an error: nothing cut short by it says ERROR.
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("logged as an error: %s", line)
		}
	}
	checkOneComponent(t, logs.String(), `"component":`)
}

// checkOneComponent fails for a log line naming its component twice (a
// package adding it on top of the logger cmd handed down).
func checkOneComponent(t *testing.T, logs, key string) {
	t.Helper()
	seen := 0
	for _, line := range strings.Split(logs, "\n") {
		switch n := strings.Count(line, key); {
		case n > 1:
			t.Errorf("component logged %d times: %s", n, line)
		case n == 1:
			seen++
		}
	}
	if seen == 0 {
		t.Errorf("no log line names its component:\n%s", logs)
	}
}

// executingApproval leaves an approval in state executing, sent, in the
// database of vars, as a process killed during a paid call a minute ago
// would: its lease has lapsed.
func executingApproval(t *testing.T, vars map[string]string) int64 {
	t.Helper()
	db := openRunDB(t, vars, store.WithClock(func() time.Time { return time.Now().Add(-time.Minute) }))
	defer db.Close()
	ctx := t.Context()
	id, err := db.CreateApproval(ctx, &store.Approval{Team: "T0TEST", Channel: "C0DEV", Requester: "U0DANA",
		Action: "paas.renew", Target: "shop-prod", Params: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, id, store.StateApproved, "U0DANA", nil); err != nil {
		t.Fatal(err)
	}
	for _, move := range []func(context.Context, int64) error{db.ClaimExecution, db.MarkSent} {
		if err := move(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// pendingApproval leaves an approval waiting for a decision in the
// database of vars.
func pendingApproval(t *testing.T, vars map[string]string) int64 {
	t.Helper()
	db := openRunDB(t, vars)
	defer db.Close()
	id, err := db.CreateApproval(t.Context(), &store.Approval{Team: "T0TEST", Channel: "C0DEV", Requester: "U0DANA",
		Action: "paas.renew", Target: "blog", Params: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func approvalState(t *testing.T, vars map[string]string, id int64) store.ApprovalState {
	t.Helper()
	db := openRunDB(t, vars)
	defer db.Close()
	a, err := db.Approval(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.State
}

func openRunDB(t *testing.T, vars map[string]string, opts ...store.Option) *store.DB {
	t.Helper()
	secret, err := store.ParseSecret(vars["PAASBOT_SECRET_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), vars["PAASBOT_DB"], secret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// deadURL is an http URL where nothing listens any more.
func deadURL(t *testing.T) string {
	t.Helper()
	return "http://" + freeAddr(t) + "/api/"
}

// TestRunCheck_ChatopsSettings: run --check reads every user group of
// PAASBOT_APPROVERS (a group Slack will not let it read stops it with one
// line naming the setting and the scope) and warns about a configured
// channel the bot is not in.
func TestRunCheck_ChatopsSettings(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		setup      func(*slacktest.Server)
		wantCode   int
		wantStderr []string
	}{
		{"readable group", map[string]string{"PAASBOT_APPROVERS": "S0OPS,U0SAM"}, nil, 0, nil},
		{"group without the scope", map[string]string{"PAASBOT_APPROVERS": "S0OPS"},
			func(f *slacktest.Server) { f.RevokeScope("usergroups:read") }, 1, []string{"PAASBOT_APPROVERS:", "S0OPS", "usergroups:read"}},
		{"unknown group", map[string]string{"PAASBOT_APPROVERS": "S0NONE"}, nil, 1, []string{"PAASBOT_APPROVERS:", "S0NONE"}},
		{"channels the bot is in", map[string]string{"PAASBOT_APPROVALS_CHANNEL": "C0APPR", "PAASBOT_AUDIT_CHANNEL": "C0AUDIT"}, nil, 0, nil},
		{"approvals channel without the bot", map[string]string{"PAASBOT_APPROVALS_CHANNEL": "C0NOBOT"}, nil, 0,
			[]string{"warning: PAASBOT_APPROVALS_CHANNEL: channel C0NOBOT", "/invite @paasbot"}},
		{"hidden audit channel", map[string]string{"PAASBOT_AUDIT_CHANNEL": "G0HIDDEN"}, nil, 0,
			[]string{"warning: PAASBOT_AUDIT_CHANNEL: channel G0HIDDEN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := slacktest.New(t, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
			fake.AddUserGroup(slacktest.UserGroup{ID: "S0OPS", Members: []string{"U0SAM", "U0LEE"}})
			fake.AddConversation(slacktest.Conversation{ID: "C0APPR", Members: []string{"U0SAM"}})
			fake.AddConversation(slacktest.Conversation{ID: "C0AUDIT", Members: []string{"U0SAM"}})
			fake.AddConversation(slacktest.Conversation{ID: "C0NOBOT", Members: []string{"U0SAM"}, BotAbsent: true})
			fake.AddConversation(slacktest.Conversation{ID: "G0HIDDEN", Kind: slacktest.PrivateChannel, Members: []string{"U0SAM"}, BotAbsent: true})
			if tt.setup != nil {
				tt.setup(fake)
			}
			vars := runEnv(t, fake)
			vars["PAASBOT_LOG_LEVEL"] = "error" // stderr holds the check's own lines
			for k, v := range tt.env {
				vars[k] = v
			}
			var out, errb syncBuffer
			code := run(t.Context(), envOf(vars, &out, &errb), []string{"run", "--check"})
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.wantCode, errb.String())
			}
			stderr := errb.String()
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			if tt.wantStderr == nil && stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); stderr != "" && n != 0 {
				t.Errorf("stderr is %d lines: %q", n+1, stderr)
			}
			if tt.wantCode == 0 && !strings.Contains(out.String(), "configuration OK") {
				t.Errorf("stdout = %q", out.String())
			}
		})
	}
}

// TestRun_UnreadableApproverGroupStopsStartUp: `paasbot run` itself stops
// at start, with one line naming PAASBOT_APPROVERS and the scope, when
// Slack will not let it read a user group of the approvers.
func TestRun_UnreadableApproverGroupStopsStartUp(t *testing.T) {
	fake := slacktest.New(t, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
	fake.AddUserGroup(slacktest.UserGroup{ID: "S0OPS", Members: []string{"U0SAM"}})
	fake.RevokeScope("usergroups:read")
	vars := runEnv(t, fake)
	vars["PAASBOT_LOG_LEVEL"] = "error"
	vars["PAASBOT_APPROVERS"] = "U0LEE,S0OPS"
	var out, errb syncBuffer
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if code := run(ctx, envOf(vars, &out, &errb), []string{"run"}); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, errb.String())
	}
	line := strings.TrimSpace(errb.String())
	if strings.Contains(line, "\n") || !strings.Contains(line, "PAASBOT_APPROVERS:") || !strings.Contains(line, "usergroups:read") {
		t.Errorf("stderr = %q, want one line naming PAASBOT_APPROVERS and the scope", line)
	}
	if n := len(fake.CallsTo("apps.connections.open")); n != 0 {
		t.Errorf("paasbot connected to Slack (%d apps.connections.open) before failing", n)
	}
}

package commands_test

// The end-to-end tests of package commands through its exported API, on
// the simulator over real HTTP and a real store: the alerts commands with
// the real scheduler, a terminal session of approvals, and every way Gandi
// can fail.

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/alerts"
	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// The scheduler is what cmd/paasbot wires into the core.
var _ commands.AlertScheduler = (*alerts.Scheduler)(nil)

const (
	alertsKey   = "alerts00key0000000000001"
	alertsKeyB  = "alerts00key0000000000002"
	alertsTeam  = "T1"
	alertsAlice = "UALICE"
	alertsBob   = "UBOB"
	alertsCarol = "UCAROL" // no key
)

// alertsNow is Sunday 2026-11-22 11:00 in Paris.
var alertsNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type alertsPost struct {
	channel string
	msg     reply.Message
}

// alertsPoster is the notifier of the core and the poster of the scheduler.
type alertsPoster struct {
	mu    sync.Mutex
	posts []alertsPost
}

func (p *alertsPoster) Post(_ context.Context, ch string, m reply.Message) (reply.Ref, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, alertsPost{ch, m})
	return reply.Ref{Channel: ch, ID: "1"}, nil
}
func (p *alertsPoster) PostThread(ctx context.Context, parent reply.Ref, m reply.Message) (reply.Ref, error) {
	return p.Post(ctx, parent.Channel, m)
}
func (p *alertsPoster) Update(context.Context, reply.Ref, reply.Message) error { return nil }
func (p *alertsPoster) PostPrivate(context.Context, string, string, reply.Message) error {
	return nil
}

type alertsEnv struct {
	core   *commands.Core
	db     *store.DB
	sim    *gandisim.Server
	poster *alertsPoster
	sched  *alerts.Scheduler
	w      commands.Wiring // what core was built with
}

// alertsSetup wires a core and a real scheduler on a real store and the
// simulator (alice and bob have keys, carol has none).
func alertsSetup(t *testing.T, withScheduler bool) *alertsEnv {
	t.Helper()
	now := func() time.Time { return alertsNow }
	sim, url, hc := testutil.Sim(t, gandisim.Options{Seed: 1, Now: now})
	sim.SeedDemo(alertsKey, 3)
	sim.SeedDemo(alertsKeyB, 3)
	ctx := context.Background()
	db := testutil.OpenStore(t, now)
	for user, key := range map[string]secret.Value{alertsAlice: alertsKey, alertsBob: alertsKeyB} {
		if _, err := db.PutAPIKey(ctx, store.Identity{Team: alertsTeam, User: user}, key); err != nil {
			t.Fatal(err)
		}
	}
	gc := func(k secret.Value) *gandi.Client {
		return gandi.NewClient(k, gandi.WithEndpoint(url), gandi.WithHTTPClient(hc))
	}
	poster := &alertsPoster{}
	e := &alertsEnv{db: db, sim: sim, poster: poster}
	w := commands.Wiring{DB: db, Client: gc, Notifier: poster, Now: now}
	if withScheduler {
		e.sched = alerts.New(alerts.Config{Store: db, Poster: poster, Now: now, DefaultTZ: "Europe/Paris",
			Gandi: func(k secret.Value) alerts.Gandi {
				c := gc(k)
				return alerts.Gandi{PaaS: c.PaaS, Snapshots: c.Snapshots}
			}})
		w.Alerts = e.sched
	}
	e.w = w
	e.core, _ = commands.Wire(t, w)
	return e
}

func (e *alertsEnv) as(user, text string) reply.Message {
	return e.core.Handle(context.Background(), commands.Request{Team: alertsTeam, User: user, Channel: "C_HERE", Text: text})
}

func mustContain(t *testing.T, m reply.Message, parts ...string) {
	t.Helper()
	s := testutil.Text(m)
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("reply lacks %q:\n%s", p, s)
		}
	}
}

func TestAlertsCommands_AddListRunRemove(t *testing.T) {
	e := alertsSetup(t, true)
	ctx := context.Background()

	mustContain(t, e.as(alertsAlice, "alerts list"), "No scheduled reports yet", "alerts add expiry")

	// Defaults: here, weekdays 09:00 in PAASBOT_TZ, 30 days, quiet.
	m := e.as(alertsAlice, "alerts add expiry")
	if m.Tone == reply.Error {
		t.Fatalf("add: %s", m.Text)
	}
	mustContain(t, m, "Alert #1 added: expiry report in this channel", "0 9 * * 1-5 (Europe/Paris)", "days=30, quiet",
		"Mon 2026-11-23 09:00 CET\nTue 2026-11-24 09:00 CET\nWed 2026-11-25 09:00 CET")
	sub, err := e.db.Subscription(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Channel != "C_HERE" || sub.Owner != alertsAlice || sub.Kind != "expiry" || sub.TZ != "Europe/Paris" ||
		string(sub.Params) != `{"days":30,"quiet":true}` {
		t.Errorf("stored %+v params %s", sub, sub.Params)
	}

	// Slack's channel link, smart quotes, a zone and options.
	m = e.as(alertsAlice, `alerts add upgrade <#C0OPS|ops> schedule=“@every 6h” tz=America/New_York quiet=off`)
	mustContain(t, m, "Alert #2 added: upgrade report in C0OPS", "@every 6h (America/New_York)", "quiet=off",
		"Sun 2026-11-22 07:00 EST")
	m = e.as(alertsAlice, `alerts add snapshots #backups days=2w`)
	mustContain(t, m, "snapshots report in #backups", "days=14")

	m = e.as(alertsAlice, "alerts list")
	mustContain(t, m, "Scheduled reports (3)", "expiry | this channel | 0 9 * * 1-5 | Europe/Paris | days=30, quiet",
		"Mon 2026-11-23 09:00 CET", "upgrade | C0OPS", "{@UALICE}")

	// run posts now, in the subscription's channel, even when empty.
	m = e.as(alertsAlice, "alerts run 2")
	mustContain(t, m, "Alert #2: the upgrade report was posted in C0OPS")
	if len(e.poster.posts) != 1 || e.poster.posts[0].channel != "C0OPS" || !strings.Contains(e.poster.posts[0].msg.Title, "Upgrade report") {
		t.Errorf("posts = %+v", e.poster.posts)
	}
	if _, ok, _ := e.db.LastSlot(ctx, 2); ok {
		t.Error("alerts run claimed a scheduled slot")
	}

	mustContain(t, e.as(alertsAlice, "alerts remove #2"), "Alert #2 (upgrade report in C0OPS) removed")
	mustContain(t, e.as(alertsAlice, "alerts remove 2"), "There is no alert #2 here")
	m = e.as(alertsAlice, "alerts list")
	if strings.Contains(testutil.Text(m), "C0OPS") {
		t.Errorf("removed alert still listed:\n%s", testutil.Text(m))
	}
	entries, err := e.db.RecentAudit(ctx, alertsTeam, 10)
	if err != nil || len(entries) != 4 || entries[0].Action != "alerts.remove" {
		t.Errorf("audit = %+v, %v", entries, err)
	}
	// The same report twice in one channel: added, and said.
	m = e.as(alertsAlice, `alerts add snapshots #backups`)
	if m.Tone != reply.Warning {
		t.Errorf("a duplicate subscription is not warned of: %s", testutil.Text(m))
	}
	mustContain(t, m, "already gets a snapshots report (alert #3)", "alerts remove 3")
	mustContain(t, e.as(alertsAlice, "alerts add upgrade #backups"), "Alert #5 added")
}

func TestAlertsCommands_Refused(t *testing.T) {
	e := alertsSetup(t, true)
	tests := []struct {
		name, user, text, want string
	}{
		{"no key", alertsCarol, "alerts add expiry", "/paas login"},
		{"unknown kind", alertsAlice, "alerts add backups", "expiry"},
		{"no kind", alertsAlice, "alerts add", "needs expiry|upgrade|snapshots"},
		{"bare CRON_TZ", alertsAlice, `alerts add expiry schedule="CRON_TZ=Europe/Paris"`, "tz="},
		{"zone inside", alertsAlice, `alerts add expiry schedule="TZ=UTC 0 9 * * *"`, "not inside the schedule"},
		{"bad cron", alertsAlice, `alerts add expiry schedule="0 25 * * *"`, "Bad schedule"},
		{"too often", alertsAlice, `alerts add expiry schedule="*/5 * * * *"`, "at most once an hour"},
		{"six fields", alertsAlice, `alerts add expiry schedule="0 0 9 * * *"`, "seconds are not supported"},
		{"bad zone", alertsAlice, "alerts add expiry tz=Europe/Pari", "IANA"},
		{"bad days", alertsAlice, "alerts add snapshots days=0", "days"},
		{"bad quiet", alertsAlice, "alerts add expiry quiet=maybe", "on or off"},
		{"bad id", alertsAlice, "alerts run abc", "not an alert number"},
		{"unknown id", alertsAlice, "alerts run 42", "There is no alert #42 here"},
		{"unknown subcommand", alertsAlice, "alerts stop 1", "list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := e.as(tc.user, tc.text)
			if m.Tone != reply.Error || !strings.Contains(m.Text, tc.want) {
				t.Errorf("%s → %q (tone %d), want an error saying %q", tc.text, m.Text, m.Tone, tc.want)
			}
			if strings.Contains(m.Text, "internal error") {
				t.Errorf("internal error for bad input: %q", m.Text)
			}
		})
	}
	subs, _ := e.db.Subscriptions(context.Background(), "")
	if len(subs) != 0 {
		t.Errorf("%d subscriptions stored by refused commands", len(subs))
	}
}

func TestAlertsCommands_TakeoverAndOtherTeam(t *testing.T) {
	e := alertsSetup(t, true)
	ctx := context.Background()
	id, err := e.db.CreateSubscription(ctx, &store.Subscription{Team: alertsTeam, Channel: "C_OPS", Owner: alertsCarol,
		Kind: "expiry", Schedule: "0 9 * * *", TZ: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.db.CreateSubscription(ctx, &store.Subscription{Team: "T_OTHER", Channel: "C_X", Owner: "UX",
		Kind: "expiry", Schedule: "0 9 * * *"})
	if err != nil {
		t.Fatal(err)
	}
	// While it runs, nobody else may switch it to their key.
	mustContain(t, e.as(alertsBob, "alerts takeover 1"), "belongs to {@UCAROL}", "only once it is paused")
	if sub, _ := e.db.Subscription(ctx, id); sub.Owner != alertsCarol {
		t.Fatalf("a running alert was taken over: %+v", sub)
	}

	// Carol has no key: running it pauses it and tells the channel once.
	m := e.as(alertsCarol, "alerts run 1")
	mustContain(t, m, "Alert #1 did not run: the owner's Gandi key is gone or refused; the report is paused until someone with a key runs `/paas alerts takeover 1`.")
	if len(e.poster.posts) != 1 || !strings.Contains(e.poster.posts[0].msg.Text, "/paas alerts takeover 1") {
		t.Fatalf("pause notice: %+v", e.poster.posts)
	}
	mustContain(t, e.as(alertsCarol, "alerts run 1"), "is paused", "alerts takeover 1")
	mustContain(t, e.as(alertsAlice, "alerts list"), "paused", "1 report is paused")

	// Someone without a key cannot take it over; bob can, and the channel
	// is told who scans for it now.
	mustContain(t, e.as(alertsCarol, "alerts takeover 1"), "/paas login")
	mustContain(t, e.as(alertsBob, "alerts takeover 1"), "You now own alert #1", "runs again")
	sub, _ := e.db.Subscription(ctx, id)
	if sub.Owner != alertsBob || sub.Paused {
		t.Errorf("after takeover: %+v", sub)
	}
	if len(e.poster.posts) != 2 || e.poster.posts[1].channel != "C_OPS" ||
		e.poster.posts[1].msg.Text != "Alert #1 (expiry report) was paused and is resumed by {@UBOB}, whose Gandi key scans for it from now on." {
		t.Errorf("takeover notice: %+v", e.poster.posts)
	}
	mustContain(t, e.as(alertsBob, "alerts run 1"), "posted in C_OPS")
	mustContain(t, e.as(alertsBob, "alerts takeover 1"), "already yours")

	// Another team's alerts are invisible.
	for _, cmd := range []string{"alerts run %d", "alerts remove %d", "alerts takeover %d"} {
		m := e.as(alertsAlice, strings.Replace(cmd, "%d", "2", 1))
		if !strings.Contains(m.Text, "There is no alert #2 here") {
			t.Errorf("%s on another team's alert: %q", cmd, m.Text)
		}
	}
	if s, err := e.db.Subscription(ctx, other); err != nil || s.Owner != "UX" {
		t.Errorf("other team's alert changed: %+v %v", s, err)
	}
}

func TestAlertsCommands_Disabled(t *testing.T) {
	e := alertsSetup(t, false)
	m := e.as(alertsAlice, "alerts list")
	if m.Tone != reply.Error || !strings.Contains(m.Text, "alerts are not available yet") {
		t.Errorf("without a scheduler: %q", m.Text)
	}
	mustContain(t, e.as(alertsAlice, "help alerts add"), "schedule", "tz", "days", "quiet")
}

// DESIGN §7: a key scans only for its owner's commands and subscriptions,
// so running an alert now is for its owner alone, key or not.
func TestAlertsCommands_RunOnlyByOwner(t *testing.T) {
	e := alertsSetup(t, true)
	ctx := context.Background()
	if _, err := e.db.CreateSubscription(ctx, &store.Subscription{Team: alertsTeam, Channel: "C_OPS", Owner: alertsAlice,
		Kind: "expiry", Schedule: "0 9 * * *", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{alertsCarol, alertsBob} {
		t.Run(user, func(t *testing.T) {
			m := e.as(user, "alerts run 1")
			if m.Tone != reply.Error {
				t.Errorf("%s ran Alice's alert: %q", user, m.Text)
			}
			mustContain(t, m, "Alert #1 belongs to {@UALICE}", "`alerts add expiry` sets up your own")
			if n := len(e.poster.posts); n != 0 {
				t.Errorf("%d reports posted with Alice's key for %s", n, user)
			}
		})
	}
	mustContain(t, e.as(alertsAlice, "alerts run 1"), "Alert #1: the expiry report was posted in C_OPS")
	if len(e.poster.posts) != 1 || e.poster.posts[0].channel != "C_OPS" {
		t.Errorf("owner's run: posts = %+v", e.poster.posts)
	}
}

// Anyone in the team may remove an alert (its owner may have left), but the
// channel is told who removed someone else's; the owner removes quietly.
func TestAlertsCommands_RemoveByOtherTellsChannel(t *testing.T) {
	tests := []struct {
		name, user string
		notice     string // "" = none
	}{
		{"owner", alertsAlice, ""},
		{"teammate with a key", alertsBob, "Alert #1 (expiry report, set up by {@UALICE}) was removed by {@UBOB}."},
		{"teammate without a key", alertsCarol, "Alert #1 (expiry report, set up by {@UALICE}) was removed by {@UCAROL}."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := alertsSetup(t, true)
			ctx := context.Background()
			if _, err := e.db.CreateSubscription(ctx, &store.Subscription{Team: alertsTeam, Channel: "C_OPS", Owner: alertsAlice,
				Kind: "expiry", Schedule: "0 9 * * *", TZ: "Europe/Paris"}); err != nil {
				t.Fatal(err)
			}
			mustContain(t, e.as(tc.user, "alerts remove 1"), "Alert #1 (expiry report in C_OPS) removed")
			if _, err := e.db.Subscription(ctx, 1); err == nil {
				t.Error("alert still stored")
			}
			switch {
			case tc.notice == "" && len(e.poster.posts) != 0:
				t.Errorf("owner's own removal posted %+v", e.poster.posts)
			case tc.notice != "" && (len(e.poster.posts) != 1 || e.poster.posts[0].channel != "C_OPS" || e.poster.posts[0].msg.Text != tc.notice):
				t.Errorf("notice = %+v, want %q in C_OPS", e.poster.posts, tc.notice)
			}
		})
	}
}

// resumingStore is a store where the alert's owner logs in again (and
// ResumeSubscriptions runs) between the command reading the alert and
// taking it over.
type resumingStore struct {
	*store.DB
	owner string
}

func (r resumingStore) TakeOverSubscription(ctx context.Context, id int64, newOwner string) error {
	if _, err := r.DB.ResumeSubscriptions(ctx, alertsTeam, r.owner); err != nil {
		return err
	}
	return r.DB.TakeOverSubscription(ctx, id, newOwner)
}

// A takeover that loses the race with the owner's return leaves the alert
// with its owner and tells the person so.
func TestAlertsCommands_TakeoverLosesToOwnersReturn(t *testing.T) {
	e := alertsSetup(t, true)
	ctx := context.Background()
	id, err := e.db.CreateSubscription(ctx, &store.Subscription{Team: alertsTeam, Channel: "C_OPS", Owner: alertsCarol,
		Kind: "expiry", Schedule: "0 9 * * *", TZ: "Europe/Paris", Paused: true, PausedReason: "key gone"})
	if err != nil {
		t.Fatal(err)
	}
	w := e.w
	w.Store = resumingStore{DB: e.db, owner: alertsCarol}
	core, _ := commands.Wire(t, w)
	m := core.Handle(ctx, commands.Request{Team: alertsTeam, User: alertsBob, Channel: "C_HERE", Text: "alerts takeover 1"})
	if m.Tone != reply.Error || !strings.Contains(m.Text, "Alert #1 is running again with its owner's key") {
		t.Errorf("reply = %q (tone %d)", m.Text, m.Tone)
	}
	if sub, _ := e.db.Subscription(ctx, id); sub.Owner != alertsCarol || sub.Paused {
		t.Errorf("after the lost race: %+v", sub)
	}
	if len(e.poster.posts) != 0 {
		t.Errorf("a refused takeover posted %+v", e.poster.posts)
	}
}

// runFails is the real scheduler whose RunNow fails with err.
type runFails struct {
	commands.AlertScheduler
	err error
}

func (r runFails) RunNow(context.Context, int64) error { return r.err }

// publicErr stands for the alerts package's errors written for people.
type publicErr struct{ msg string }

func (e publicErr) Error() string         { return e.msg }
func (e publicErr) PublicMessage() string { return e.msg }

// TestAlertsRun_ErrorsAreToldNotDumped: only what the scheduler wrote for
// people reaches the reply; a store failure is an internal error, and a
// Gandi failure inside a scan is told with Gandi's sentence.
func TestAlertsRun_ErrorsAreToldNotDumped(t *testing.T) {
	e := alertsSetup(t, true)
	mustContain(t, e.as(alertsAlice, "alerts add expiry"), "Alert #1")
	slow := &gandi.RateLimitError{Method: "paas.list", RetryAfter: 7 * time.Second, Attempts: 3, Err: &gandi.HTTPError{StatusCode: 429}}
	for _, tt := range []struct {
		name string
		err  error
		want string
		not  string
	}{
		{"store failure", fmt.Errorf("alert #1: %w", errors.New("sqlite: database disk image is malformed (/var/lib/paasbot/paasbot.db)")),
			"internal error (ref ", "sqlite"},
		{"Gandi slow", fmt.Errorf("couldn't scan: %w", slow), "Alert #1 did not run: Gandi asks to slow down; try again in 7 s.", "couldn't scan"},
		{"written for people", publicErr{"couldn't post the report in C_OPS"}, "Alert #1 did not run: couldn't post the report in C_OPS.", "internal"},
		{"removed", fmt.Errorf("alert #1: %w", store.ErrNotFound), "Alert #1 was removed.", "not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.w
			w.Alerts = runFails{AlertScheduler: e.sched, err: tt.err}
			core, _ := commands.Wire(t, w)
			m := core.Handle(t.Context(), commands.Request{Team: alertsTeam, User: alertsAlice, Channel: "C_HERE", Text: "alerts run 1"})
			if !strings.Contains(m.Text, tt.want) || strings.Contains(m.Text, tt.not) {
				t.Errorf("reply %q, want %q and not %q", m.Text, tt.want, tt.not)
			}
		})
	}
}

// TestShell_ApprovalSession drives the real terminal adapter: dana asks
// for a renew and cannot approve it herself, sam (the approver) lists and
// approves it twice; the renew runs once and its message is updated to
// the end.
func TestShell_ApprovalSession(t *testing.T) {
	ctx := context.Background()
	// Operations end at once and the engine's pauses pass at once: the
	// follow-up ends at its first poll.
	sim, url, hc := testutil.Sim(t, gandisim.Options{Seed: 1, OperationTime: time.Microsecond})
	sim.SeedDemo(gandisim.DemoAPIKey, 3)
	db := testutil.OpenStore(t, nil)
	if _, err := db.PutAPIKey(ctx, store.Identity{Team: "local", User: "dana"}, gandisim.DemoAPIKey); err != nil {
		t.Fatal(err)
	}
	out := &testutil.LogBuffer{} // one terminal written by two shells and the follow-ups
	dana := &bot.Shell{Out: out, Team: "local", User: "dana", Channel: "shell"}
	core, engine := commands.Wire(t, commands.Wiring{DB: db, Notifier: dana, Approvers: []string{"sam"},
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Client: func(k secret.Value) *gandi.Client {
			return gandi.NewClient(k, gandi.WithEndpoint(url), gandi.WithHTTPClient(hc))
		}})
	runCtx, stop := context.WithCancel(ctx)
	defer func() { stop(); engine.Close() }()
	if err := engine.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	dana.In = strings.NewReader("renew shop-prod duration=12m\napprove 1\n")
	if err := dana.Run(ctx, core); err != nil {
		t.Fatal(err)
	}
	sam := &bot.Shell{In: strings.NewReader("approvals\napprove 1\napprove 1\n"), Out: out, Team: "local", User: "sam", Channel: "shell"}
	if err := sam.Run(ctx, core); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := engine.WaitFollowUps(wctx); err != nil {
		t.Fatalf("follow-up not finished: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"dana asks to renew shop-prod (#", // the request posted in the channel, no mrkdwn markers
		"approve 1",                       // its buttons, as commands to type
		"Approval request #1 posted in the channel; waiting for an approver: sam.",
		"You are not allowed to approve #1", // dana cannot approve her own request
		"ran once with dana's key",          // sam's approval
		"#1 was already approved by sam",    // sam's second approve
		"  ↻ Approval #1",                   // its progress, one line per change
		"Done at",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("session output lacks %q", want)
		}
	}
	if n := sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times, want 1", n)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("session output:\n%s", text)
	}
}

const (
	faultsKey  = "faults0key00000000000001"
	faultsTeam = "T1"
	faultsUser = "UDANA"
)

// faultyGandi is the simulator behind an HTTP server that can be told to
// misbehave for the next requests: garbage, HTML, hangs, rate limits.
type faultyGandi struct {
	sim *gandisim.Server
	mu  sync.Mutex
	bad http.HandlerFunc
	n   int // requests the bad handler still answers; -1: all
	hit int // requests it answered
}

func (f *faultyGandi) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	bad := f.bad
	if bad != nil {
		f.hit++
		if f.n > 0 {
			f.n--
			if f.n == 0 {
				f.bad = nil
			}
		}
	}
	f.mu.Unlock()
	if bad != nil {
		bad(w, r)
		return
	}
	f.sim.ServeHTTP(w, r)
}

// misbehave answers the next n requests (-1: all, until behave) with h.
func (f *faultyGandi) misbehave(n int, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bad, f.n, f.hit = h, n, 0
}

func (f *faultyGandi) behave() (hits int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bad = nil
	return f.hit
}

type faultsEnv struct {
	core  *commands.Core
	gandi *faultyGandi
	logs  *testutil.LogBuffer
}

// faultsSetup builds a core on a real store whose Gandi is a faultyGandi
// over the simulator with 3 demo instances. Calls time out after
// callTimeout so that a hang ends the test quickly.
func faultsSetup(t *testing.T, callTimeout time.Duration) *faultsEnv {
	t.Helper()
	sim := gandisim.New(gandisim.Options{Seed: 1})
	sim.SeedDemo(faultsKey, 3)
	fg := &faultyGandi{sim: sim}
	srv := httptest.NewServer(fg)
	t.Cleanup(srv.Close)
	ctx := t.Context()
	db := testutil.OpenStore(t, nil)
	if _, err := db.PutAPIKey(ctx, store.Identity{Team: faultsTeam, User: faultsUser}, faultsKey); err != nil {
		t.Fatal(err)
	}
	logs := &testutil.LogBuffer{}
	core, _ := commands.Wire(t, commands.Wiring{DB: db,
		Client: func(k secret.Value) *gandi.Client {
			return gandi.NewClient(k, gandi.WithEndpoint(srv.URL+"/xmlrpc/"), gandi.WithTimeout(callTimeout))
		},
		Notifier: &alertsPoster{},
		Logger:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return &faultsEnv{core: core, gandi: fg, logs: logs}
}

func (e *faultsEnv) run(t *testing.T, text string) reply.Message {
	t.Helper()
	return e.core.Handle(t.Context(), commands.Request{Team: faultsTeam, User: faultsUser, Channel: "C1", Text: text})
}

func answer(status int, retryAfter, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func faultAnswer(code int, text string) http.HandlerFunc {
	return answer(200, "", fmt.Sprintf(`<?xml version='1.0'?><methodResponse><fault><value><struct>
<member><name>faultCode</name><value><int>%d</int></value></member>
<member><name>faultString</name><value><string>%s</string></value></member>
</struct></value></fault></methodResponse>`, code, text))
}

// TestFaults_EachCommandSaysWhatHappened: every way Gandi can fail is told
// for what it is, and the next command works.
func TestFaults_EachCommandSaysWhatHappened(t *testing.T) {
	const unreadable = "Gandi sent an answer paasbot could not read"
	htmlPage := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
	countAnswer := "<?xml version='1.0'?><methodResponse><params><param><value><int>3</int></value></param></params></methodResponse>"
	tests := []struct {
		name     string
		command  string
		n        int // requests answered badly; -1: all
		bad      http.HandlerFunc
		want     string
		wantHits int // requests the bad answer got (retries); 0: not checked
		// upTo: wantHits is a bound, for list, whose paas.count and
		// paas.list go at once (the first failure cancels the other,
		// sent or not yet).
		upTo    bool
		timeout time.Duration
		refusal bool // Gandi refused: logged at debug, not as Gandi failing
	}{
		{"garbage", "count", -1, answer(200, "", "\x00\x7fgarbage{}"), unreadable, 1, false, 0, false},
		{"truncated XML", "count", -1, answer(200, "", countAnswer[:len(countAnswer)-30]), unreadable, 1, false, 0, false},
		{"HTML with 200", "list", -1, answer(200, "", htmlPage), unreadable, 2, true, 0, false},
		{"HTML with 502", "info shop-prod", -1, answer(502, "", htmlPage), unreadable + " (HTTP 502)", 1, false, 0, false},
		{"empty body", "count", -1, answer(200, "", ""), unreadable, 1, false, 0, false},
		{"invalid UTF-8", "count", -1, answer(200, "", "<?xml version='1.0'?><methodResponse><params><param><value><string>\xff\xfe</string></value></param></params></methodResponse>"), unreadable, 1, false, 0, false},
		{"body over the limit", "count", -1, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("<?xml version='1.0'?><methodResponse><params><param><value><string>"))
			chunk := bytes.Repeat([]byte("x"), 1<<20)
			for range gandi.DefaultMaxResponseSize>>20 + 1 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, unreadable, 1, false, 0, false},
		{"a hang", "count", -1, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so that the server sees the client leave
			<-r.Context().Done()
		}, "Gandi is not answering right now; try again in a minute.", 1, false, 300 * time.Millisecond, false},
		// The pauses between attempts never pass the call's deadline: with
		// 600 ms, the 500 ms pause after the second attempt (at about 250 ms)
		// is not taken.
		{"TOOMANY, deadline before the third attempt", "count", -1, faultAnswer(510199, "Error on object : OBJECT_ACCOUNT (CAUSE_TOOMANY) [Too many requests]"),
			"Gandi asks to slow down; try again in 1 s.", 2, false, 600 * time.Millisecond, false},
		{"429 with a long Retry-After", "count", -1, answer(429, "120", "slow down"), "Gandi asks to slow down; try again in 120 s.", 1, false, 0, false},
		{"503 on every attempt", "list", -1, answer(503, "0", "busy"), "Gandi asks to slow down; try again in 1 s.", 2 * gandi.ReadAttempts, true, 0, false},
		{"429 once: retried", "count", 1, answer(429, "0", ""), "3 instances.", 1, false, 0, false},
		{"a fault code paasbot does not map", "info shop-prod", -1,
			faultAnswer(581234, "Error on object : OBJECT_812 (CAUSE_34) [This account is frozen for audit]"),
			"Gandi says: This account is frozen for audit (fault 581234).", 1, false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each has its own server and store; some wait out real retry pauses
			e := faultsSetup(t, cmp.Or(tt.timeout, 10*time.Second))
			e.gandi.misbehave(tt.n, tt.bad)
			m := e.run(t, tt.command)
			hits := e.gandi.behave()
			if !strings.Contains(m.Text, tt.want) {
				t.Errorf("%s answered %q, want %q", tt.command, m.Text, tt.want)
			}
			if strings.Contains(m.Text, "internal error") || strings.Contains(m.Text, "gandi:") {
				t.Errorf("a Gandi failure shown as paasbot's: %q", m.Text)
			}
			if tt.wantHits != 0 && (hits != tt.wantHits && !tt.upTo || hits > tt.wantHits || hits == 0) {
				t.Errorf("the bad answer was asked %d times, want %d (upTo %v)", hits, tt.wantHits, tt.upTo)
			}
			if next := e.run(t, "count"); next.Text != "3 instances." {
				t.Errorf("the next command answered %q", next.Text)
			}
			if tt.want != "3 instances." && !tt.refusal && !strings.Contains(e.logs.String(), "command failed at Gandi") {
				t.Errorf("the failure is not logged for operators:\n%s", e.logs.String())
			}
			if strings.Contains(e.logs.String(), faultsKey) {
				t.Error("the API key reached the log")
			}
		})
	}
}

// TestFaults_WhoamiShowsTheSentence: whoami reports Gandi's state in a
// field, with the same sentences.
func TestFaults_WhoamiShowsTheSentence(t *testing.T) {
	e := faultsSetup(t, time.Second)
	e.gandi.misbehave(-1, answer(429, "30", ""))
	m := e.run(t, "whoami")
	var gandiField string
	for _, f := range m.Fields {
		if f.Label == "Gandi" {
			gandiField = f.Value
		}
	}
	if gandiField != "Gandi asks to slow down; try again in 30 s." {
		t.Errorf("whoami's Gandi field = %q (fields %+v)", gandiField, m.Fields)
	}
}

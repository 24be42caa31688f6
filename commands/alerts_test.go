package commands_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/alerts"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
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
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 1, Now: now})
	sim.SeedDemo(alertsKey, 3)
	sim.SeedDemo(alertsKeyB, 3)
	dbSecret, _, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "paasbot.db"), dbSecret, store.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for user, key := range map[string]secret.Value{alertsAlice: alertsKey, alertsBob: alertsKeyB} {
		if _, err := db.PutAPIKey(ctx, store.Identity{Team: alertsTeam, User: user}, key); err != nil {
			t.Fatal(err)
		}
	}
	gc := func(k secret.Value) *gandi.Client { return gandi.NewClient(k, gandi.WithEndpoint(url)) }
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

func alertsText(m reply.Message) string {
	var b strings.Builder
	b.WriteString(m.Title + "\n" + m.Text + "\n")
	for _, f := range m.Fields {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	if m.Table != nil {
		b.WriteString(strings.Join(m.Table.Columns, " | ") + "\n")
		for _, r := range m.Table.Rows {
			b.WriteString(strings.Join(r, " | ") + "\n")
		}
	}
	for _, n := range m.Notes {
		b.WriteString(n + "\n")
	}
	return b.String()
}

func mustContain(t *testing.T, m reply.Message, parts ...string) {
	t.Helper()
	s := alertsText(m)
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
	if strings.Contains(alertsText(m), "C0OPS") {
		t.Errorf("removed alert still listed:\n%s", alertsText(m))
	}
	entries, err := e.db.RecentAudit(ctx, alertsTeam, 10)
	if err != nil || len(entries) != 4 || entries[0].Action != "alerts.remove" {
		t.Errorf("audit = %+v, %v", entries, err)
	}
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

package bot

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/telemetry"
)

const wait = 10 * time.Second

// waits records the poster's waits (between attempts, for a channel's
// pace), which pass at once: its clock (now) jumps by each wait instead.
type waits struct {
	mu    sync.Mutex
	d     []time.Duration
	slept time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.slept += d
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Now().Add(w.slept)
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// harness runs the real adapter against the fake Slack.
type harness struct {
	t       testing.TB
	fake    *slacktest.Server
	slack   *Slack
	poster  *SlackPoster
	db      *store.DB
	dbPath  string
	logs    *testutil.LogBuffer
	waits   *waits // the poster's waits, passed at once
	reg     *prometheus.Registry
	cancel  context.CancelFunc
	done    chan error
	stopped bool
}

// newHarness opens a store under t.TempDir(), starts the fake Slack and
// runs the adapter with the core built by mk, until the test ends.
func newHarness(t testing.TB, mk func(p *SlackPoster, db *store.DB) Core, fakeOpts []slacktest.Option, tweak func(*SlackConfig)) *harness {
	t.Helper()
	logs := &testutil.LogBuffer{}
	logger, err := telemetry.NewLogger(logs, telemetry.FormatJSON, "debug")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "paasbot.db")
	db, _ := testutil.OpenStoreAt(t, path, nil)

	fake := slacktest.New(t, fakeOpts...)
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken()))
	w := &waits{}
	poster := NewSlackPoster(api, SlackPosterConfig{Logger: logger, Sleep: w.sleep, Now: w.now})
	reg := prometheus.NewRegistry()
	// No placeholder unless a test asks for one: a command that a test
	// holds for a second would otherwise show one before its answer.
	cfg := SlackConfig{
		API: api, Poster: poster, Core: mk(poster, db), Dedup: db, Logger: logger,
		Metrics: telemetry.NewMetrics(reg), Workers: 4, PlaceholderAfter: time.Hour,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := NewSlack(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, fake: fake, slack: s, poster: poster, db: db, dbPath: path, logs: logs, waits: w, reg: reg, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("adapter logs:\n%s", logs.String())
		}
	})
	fake.WaitForConnections(t, 1, wait)
	return h
}

// stop cancels Run and returns its error (once).
func (h *harness) stop() error {
	if h.stopped {
		return nil
	}
	h.stopped = true
	h.cancel()
	select {
	case err := <-h.done:
		return err
	case <-time.After(2 * DefaultDrainTimeout):
		h.t.Error("Run did not return after its context ended")
		return nil
	}
}

func (h *harness) slash(user, channel, text string) string {
	h.t.Helper()
	return h.fake.SendSlashCommand(h.t.Context(), slacktest.SlashCommand{UserID: user, ChannelID: channel, Text: text})
}

// postFor waits for the first successful response_url post of envelope id.
func (h *harness) postFor(id string) slacktest.ResponseURLPost {
	h.t.Helper()
	return h.fake.WaitForResponseURLPost(h.t, func(p slacktest.ResponseURLPost) bool {
		return p.EnvelopeID == id && p.Error == ""
	}, wait)
}

// waitAcks waits until envelope id was acknowledged n times (each copy
// the adapter received is acked, repeats included).
func (h *harness) waitAcks(id string, n int) {
	h.t.Helper()
	for deadline := time.Now().Add(wait); ; time.Sleep(5 * time.Millisecond) {
		got := 0
		for _, a := range h.fake.Acks() {
			if a.EnvelopeID == id {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("envelope %s acked %d times, want %d", id, got, n)
		}
	}
}

// metric reads a counter or histogram sample count from the registry.
func (h *harness) metric(name string) float64 {
	h.t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			switch {
			case m.GetCounter() != nil:
				total += m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				total += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return total
}

// assertNoSecrets fails if any secret appears in the logs.
func (h *harness) assertNoSecrets(secrets ...string) {
	h.t.Helper()
	logs := h.logs.String()
	for _, s := range append(secrets, h.fake.BotToken(), h.fake.AppToken()) {
		if s != "" && strings.Contains(logs, s) {
			h.t.Errorf("a secret (%d chars) appears in the logs", len(s))
		}
	}
}

// fakeCore is a scripted Core recording what it was asked.
type fakeCore struct {
	mu       sync.Mutex
	requests []commands.Request
	clicks   []commands.Click
	subs     []commands.Submission

	handle func(ctx context.Context, r commands.Request) reply.Message
	click  func(ctx context.Context, c commands.Click) reply.Message
	submit func(ctx context.Context, s commands.Submission) (reply.Message, error)
}

func (f *fakeCore) Handle(ctx context.Context, r commands.Request) reply.Message {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.mu.Unlock()
	if f.handle != nil {
		return f.handle(ctx, r)
	}
	return reply.Message{Text: "you said " + r.Text}
}

func (f *fakeCore) Click(ctx context.Context, c commands.Click) reply.Message {
	f.mu.Lock()
	f.clicks = append(f.clicks, c)
	f.mu.Unlock()
	if f.click != nil {
		return f.click(ctx, c)
	}
	return reply.Message{Text: "clicked " + c.Action}
}

func (f *fakeCore) SubmitForm(ctx context.Context, s commands.Submission) (reply.Message, error) {
	f.mu.Lock()
	f.subs = append(f.subs, s)
	f.mu.Unlock()
	if f.submit != nil {
		return f.submit(ctx, s)
	}
	return reply.Message{Text: "saved"}, nil
}

func (f *fakeCore) FormCommand(_ context.Context, s commands.Submission) (commands.Request, error) {
	return commands.Request{}, commands.FieldErrors{"": "the fake core has no command forms"}
}

func (f *fakeCore) SuggestInstances(context.Context, string, string, string) []reply.Option {
	return nil
}

func (f *fakeCore) Home(context.Context, string, string) []reply.Message {
	return []reply.Message{{Title: "fake home"}}
}

func (f *fakeCore) handled() []commands.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]commands.Request(nil), f.requests...)
}

func (f *fakeCore) clicked() []commands.Click {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]commands.Click(nil), f.clicks...)
}

func (f *fakeCore) submitted() []commands.Submission {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]commands.Submission(nil), f.subs...)
}

// withCore returns a harness constructor for a fixed core.
func withCore(c Core) func(*SlackPoster, *store.DB) Core {
	return func(*SlackPoster, *store.DB) Core { return c }
}

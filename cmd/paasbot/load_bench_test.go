package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// loadRig is paasbot as `run` wires it (serve), driven through slack-go's
// socket-mode client by the fake Slack, on a simulator with a fixed
// latency and one account per user. Every response_url post is stamped as
// it returns, so that answer latency is measured where Slack would see it.
type loadRig struct {
	tb     testing.TB
	fake   *slacktest.Server
	sim    *gandisim.Server
	simURL string
	users  []string
	posts  *postRecorder
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// benchKey is the simulator key of user i: 24 characters like Gandi's.
func benchKey(i int) string { return fmt.Sprintf("bench%04dkey000000000000", i) }

// loadOptions shape a loadRig: users, each with an account of instances,
// and the simulator's latency.
type loadOptions struct {
	users, instances int
	latency          time.Duration
	spans            bool // the simulator records its calls (Rounds)
	// apart runs the simulator as its own process (`paasbot sim`), as
	// Gandi is: its CPU then does not queue in paasbot's scheduler. No
	// spans then.
	apart bool
}

func newLoadRig(tb testing.TB, o loadOptions) *loadRig {
	tb.Helper()
	fake := slacktest.New(tb, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
	var sim *gandisim.Server
	var simURL string
	if o.apart {
		var keys []string
		for i := range o.users {
			keys = append(keys, benchKey(i))
		}
		simURL = simProcess(tb, o.instances, o.latency, keys)
	} else {
		sim, simURL = gandisim.NewTestServer(tb, gandisim.Options{Seed: 7, Latency: o.latency, RecordSpans: o.spans})
	}
	_, b64, err := store.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	vars := map[string]string{
		"PAASBOT_SLACK_BOT_TOKEN": fake.BotToken(),
		"PAASBOT_SLACK_APP_TOKEN": fake.AppToken(),
		"PAASBOT_SLACK_API_URL":   fake.APIURL(),
		"PAASBOT_SECRET_KEY":      b64,
		"PAASBOT_DB":              filepath.Join(tb.TempDir(), "paasbot.db"),
		"PAASBOT_GANDI_URL":       simURL,
		"PAASBOT_LOG_FORMAT":      "json",
		"PAASBOT_LOG_LEVEL":       "warn",
	}
	if w := os.Getenv("LOAD_WORKERS"); w != "" {
		vars["PAASBOT_WORKERS"] = w
	}
	cfg, err := loadConfig(envFrom(vars), newFlagSet(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	dbSecret, err := store.ParseSecret(b64)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(context.Background(), cfg.DB, dbSecret)
	if err != nil {
		tb.Fatal(err)
	}
	r := &loadRig{tb: tb, fake: fake, sim: sim, simURL: simURL, posts: &postRecorder{byPath: map[string][]answerPost{}}, logs: &syncBuffer{}, done: make(chan error, 1)}
	for i := range o.users {
		key := benchKey(i)
		if sim != nil {
			sim.SeedDemo(key, o.instances)
		}
		u := fmt.Sprintf("U%04dLOAD", i)
		if _, err := db.PutAPIKey(context.Background(), store.Identity{Team: fake.TeamID(), User: u}, secret.Value(key)); err != nil {
			tb.Fatal(err)
		}
		r.users = append(r.users, u)
	}
	logger, err := cfg.newLogger(r.logs)
	if err != nil {
		tb.Fatal(err)
	}
	slackHTTP := pooledHTTP(httpTimeout)
	slackHTTP.Transport = r.posts.wrap(slackHTTP.Transport)
	api := slack.New(cfg.SlackBotToken.Reveal(), slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionAppLevelToken(cfg.SlackAppToken.Reveal()), slack.OptionHTTPClient(slackHTTP))
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	tb.Cleanup(tuneGC(os.Getenv)) // as runRun does
	go func() { r.done <- serve(ctx, cfg, logger, db, api, slackHTTP) }()
	tb.Cleanup(func() {
		r.stop()
		db.Close()
	})
	fake.WaitForConnections(tb, 1, 10*time.Second)
	return r
}

func (r *loadRig) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			r.tb.Errorf("serve: %v", err)
		}
	case <-time.After(2 * drainTimeout):
		r.tb.Error("serve did not return")
	}
}

// simProcess starts `paasbot sim` (this test binary re-executed as
// paasbot) with instances demo instances for each key, and returns its
// XML-RPC URL; the process ends with the test.
func simProcess(tb testing.TB, instances int, latency time.Duration, keys []string) string {
	tb.Helper()
	args := []string{"sim", "--addr", "127.0.0.1:0", "--seed", "7", "--instances", strconv.Itoa(instances), "--latency", latency.String()}
	for _, k := range keys {
		args = append(args, "--apikey", k)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runAsPaasbotEnv+"=1", "PAASBOT_LOG_LEVEL=warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "Gandi PaaS simulator at ")
	if err != nil || !ok {
		tb.Fatalf("paasbot sim said %q (%v)", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return url
}

// answerPost is one accepted response_url post, stamped when it returned.
type answerPost struct {
	at              time.Time
	text            string
	replaceOriginal bool
	deleteOriginal  bool
}

// postRecorder wraps the Slack HTTP transport and records every
// response_url post by URL path.
type postRecorder struct {
	mu     sync.Mutex
	byPath map[string][]answerPost
	finals int // paths with a final post (an answer or a refusal)
	change chan struct{}
}

func (p *postRecorder) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if !strings.HasPrefix(req.URL.Path, "/response/") || req.Body == nil {
			return rt.RoundTrip(req)
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			return resp, err
		}
		var m struct {
			Text            string `json:"text"`
			ReplaceOriginal bool   `json:"replace_original"`
			DeleteOriginal  bool   `json:"delete_original"`
		}
		_ = json.Unmarshal(body, &m)
		post := answerPost{at: time.Now(), text: m.Text, replaceOriginal: m.ReplaceOriginal, deleteOriginal: m.DeleteOriginal}
		p.mu.Lock()
		if finalPost(p.byPath[req.URL.Path]) == nil && finalPost([]answerPost{post}) != nil {
			p.finals++
		}
		p.byPath[req.URL.Path] = append(p.byPath[req.URL.Path], post)
		if p.change != nil {
			close(p.change)
			p.change = nil
		}
		p.mu.Unlock()
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// finalCount is how many paths have a final post so far.
func (p *postRecorder) finalCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.finals
}

// waitQuiet returns once n paths in all have a final post, or once no
// post arrived for quiet. It costs the process under test nothing per
// post.
func (p *postRecorder) waitQuiet(n int, quiet time.Duration) {
	for {
		p.mu.Lock()
		done := p.finals
		ch := make(chan struct{})
		p.change = ch
		p.mu.Unlock()
		if done >= n {
			return
		}
		select {
		case <-ch:
		case <-time.After(quiet):
			return
		}
	}
}

// isPlaceholder and isRefusal classify a post by its words (the benchmark
// reads results the way a person would).
func isPlaceholder(p answerPost) bool { return strings.Contains(p.text, "Asking Gandi") }
func isRefusal(p answerPost) bool     { return strings.Contains(p.text, "busy") }

// finalPost is the answer or refusal among posts, nil if none came yet.
func finalPost(posts []answerPost) *answerPost {
	for i := range posts {
		if !isPlaceholder(posts[i]) && !posts[i].deleteOriginal {
			return &posts[i]
		}
	}
	return nil
}

// loadResult is what one load run measured.
type loadResult struct {
	sent, answered, refused, lost, duplicated int
	redelivered, placeholders                 int
	ack, answer                               []time.Duration
}

// drive sends n `/paas text` commands, user i%len(users) for the i-th, one
// every gap (0: as fast as the socket takes them), and waits for them.
func (r *loadRig) drive(n int, gap time.Duration, text string) loadResult {
	ctx := context.Background()
	type sentCmd struct {
		id, path string
		at       time.Time
	}
	cmds := make([]sentCmd, 0, n)
	before := r.posts.finalCount()
	start := time.Now()
	base := strings.TrimSuffix(r.fake.APIURL(), "/api/")
	for i := range n {
		if gap > 0 {
			if d := time.Until(start.Add(time.Duration(i) * gap)); d > 0 {
				time.Sleep(d)
			}
		}
		at := time.Now()
		id := r.fake.SendSlashCommand(ctx, slacktest.SlashCommand{UserID: r.users[i%len(r.users)], ChannelID: "C0LOAD", Text: text})
		cmds = append(cmds, sentCmd{id: id, at: at})
	}
	if os.Getenv("LOAD_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "sent %d in %v\n", n, time.Since(start))
	}
	paths := make([]string, len(cmds))
	for i := range cmds {
		env, _ := r.fake.Envelope(cmds[i].id)
		cmds[i].path = strings.TrimPrefix(env.ResponseURL, base)
		paths[i] = cmds[i].path
	}
	r.posts.waitQuiet(before+len(paths), 15*time.Second)

	res := loadResult{sent: n}
	r.posts.mu.Lock()
	for _, c := range cmds {
		posts := r.posts.byPath[c.path]
		finals := 0
		for _, p := range posts {
			if isPlaceholder(p) {
				res.placeholders++
				continue
			}
			if p.deleteOriginal {
				continue
			}
			finals++
		}
		f := finalPost(posts)
		switch {
		case f == nil:
			res.lost++
		case isRefusal(*f):
			res.refused++
		default:
			res.answered++
			res.answer = append(res.answer, f.at.Sub(c.at))
		}
		if finals > 1 {
			res.duplicated++
		}
	}
	r.posts.mu.Unlock()
	for i, a := range r.fake.Acks() {
		if a.Known && !a.Duplicate {
			res.ack = append(res.ack, a.Latency)
			if os.Getenv("LOAD_DEBUG") != "" && a.Latency > 5*time.Millisecond {
				fmt.Fprintf(os.Stderr, "ack %d: %v at +%v\n", i, a.Latency, a.At.Sub(start))
			}
		}
	}
	for _, d := range r.fake.Deliveries() {
		if d.RetryAttempt > 0 {
			res.redelivered++
		}
	}
	return res
}

func pct(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return float64(s[i].Microseconds()) / 1000
}

// peakRSS is the process's peak resident set (VmHWM) in MB, fake Slack,
// simulator and driver included; resetPeakRSS starts a new peak (Linux).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkLoad_Commands sends 1,000 `/paas list` commands from 100 users
// to paasbot as `run` wires it (slack-go socket mode against the fake
// Slack) with Gandi answering in 200 ms: in a burst (all within half a
// second, 2,000 a second, as issue 14 measured), paced at 200 and 50 a
// second, and in a flood (as fast as the fake writes to the socket, about
// 20,000 a second here: the acks then wait behind one another in the
// socket). It reports how many were answered, refused, lost (no answer at
// all) and answered twice, the ack and answer latencies (p50, p99, ms) and
// the process's peak RSS (MB: paasbot and the fake Slack; the simulator
// runs as its own process, `paasbot sim`, as Gandi would). One iteration
// is one run of 1,000. LOAD_WORKERS=N sets PAASBOT_WORKERS; LOAD_DEBUG=1
// prints how long the sending took and every ack slower than 5 ms.
//
//	go test ./cmd/paasbot -run '^$' -bench Load_Commands -benchtime 1x -timeout 20m
func BenchmarkLoad_Commands(b *testing.B) {
	for _, bc := range []struct {
		name string
		gap  time.Duration
	}{{"burst", 500 * time.Microsecond}, {"paced200", 5 * time.Millisecond}, {"paced50", 20 * time.Millisecond}, {"flood", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				rig := newLoadRig(b, loadOptions{users: 100, instances: 5, latency: 200 * time.Millisecond, apart: true})
				resetPeakRSS()
				b.StartTimer()
				res := rig.drive(1000, bc.gap, "list")
				b.StopTimer()
				rss := peakRSS()
				rig.stop()
				b.ReportMetric(float64(res.answered), "answered")
				b.ReportMetric(float64(res.refused), "refused")
				b.ReportMetric(float64(res.lost), "lost")
				b.ReportMetric(float64(res.duplicated), "duplicated")
				b.ReportMetric(float64(res.redelivered), "redelivered")
				b.ReportMetric(float64(res.placeholders), "placeholders")
				b.ReportMetric(pct(res.ack, 50), "ack-p50-ms")
				b.ReportMetric(pct(res.ack, 99), "ack-p99-ms")
				b.ReportMetric(pct(res.answer, 50), "answer-p50-ms")
				b.ReportMetric(pct(res.answer, 99), "answer-p99-ms")
				b.ReportMetric(rss, "peak-RSS-MB")
				b.StartTimer()
			}
		})
	}
}

// BenchmarkRoundTrips sends each read command once through the real
// adapter, Gandi answering every call in 300 ms, and reports the Gandi
// calls it made, how many of them were sequential (rounds: calls that
// overlapped count once), the time until its answer reached Slack and
// whether it showed "Asking Gandi…" first (past a second). The paid
// commands are measured up to their approval request.
//
//	go test ./cmd/paasbot -run '^$' -bench RoundTrips -benchtime 3x
func BenchmarkRoundTrips(b *testing.B) {
	rig := newLoadRig(b, loadOptions{users: 1, instances: 5, latency: 300 * time.Millisecond, spans: true})
	gc := gandi.NewClient(secret.Value(benchKey(0)), gandi.WithEndpoint(rig.simURL))
	found, err := gc.PaaS.List(b.Context(), &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{Name: gandi.Strings{"shop-prod"}}})
	if err != nil || len(found) != 1 {
		b.Fatalf("shop-prod: %v %v", found, err)
	}
	id := strconv.Itoa(found[0].ID)
	for _, c := range []struct{ name, text string }{
		{"list", "list"}, {"count", "count"}, {"info_id", "info " + id}, {"info_name", "info shop-prod"},
		{"vhost_list_instance", "vhost list shop-prod"}, {"snapshot_list_instance", "snapshot list shop-prod"},
		{"renew_preview", "renew shop-prod duration=12m"}, {"update_preview", "update shop-prod size=l"},
		{"create_preview", "create name=blog2 size=s type=phpmysql datacenter=1 duration=1m"},
	} {
		text := c.text
		b.Run(c.name, func(b *testing.B) {
			calls, rounds, placeholders := 0, 0, 0
			var took time.Duration
			for range b.N {
				rig.sim.ResetSpans()
				res := rig.drive(1, 0, text)
				if res.answered != 1 {
					b.Fatalf("%q: %+v", text, res)
				}
				spans := rig.sim.Spans()
				calls += len(spans)
				rounds += gandisim.Rounds(spans)
				took += res.answer[0]
				placeholders += res.placeholders
			}
			b.ReportMetric(float64(calls)/float64(b.N), "gandi-calls/op")
			b.ReportMetric(float64(rounds)/float64(b.N), "rounds/op")
			b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "answer-ms/op")
			b.ReportMetric(float64(placeholders)/float64(b.N), "placeholders/op")
		})
	}
}

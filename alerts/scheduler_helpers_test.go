package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// posted is one message a recordingPoster received.
type posted struct {
	Channel string
	Msg     reply.Message
	// ID is the reference the poster returned; Thread, for a thread
	// reply, is its parent's.
	ID, Thread string
}

// recordingPoster records posts; panicOn and failOn make chosen posts
// panic or fail (by 1-based call number).
type recordingPoster struct {
	mu      sync.Mutex
	posts   []posted
	calls   int
	panicOn map[int]bool
	failOn  map[int]bool
	notify  chan struct{}
	// called, when set, receives every call's number before it runs.
	called chan int
}

func (p *recordingPoster) Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error) {
	return p.post(ctx, channel, "", m)
}

func (p *recordingPoster) PostThread(ctx context.Context, parent reply.Ref, m reply.Message) (reply.Ref, error) {
	return p.post(ctx, parent.Channel, parent.ID, m)
}

func (p *recordingPoster) post(_ context.Context, channel, thread string, m reply.Message) (reply.Ref, error) {
	p.mu.Lock()
	p.calls++
	n := p.calls
	if p.called != nil {
		p.called <- n
	}
	if p.panicOn[n] {
		p.mu.Unlock()
		panic("poster exploded")
	}
	if p.failOn[n] {
		p.mu.Unlock()
		return reply.Ref{}, errors.New("slack said no")
	}
	id := fmt.Sprintf("m%d", n)
	p.posts = append(p.posts, posted{Channel: channel, Msg: m, ID: id, Thread: thread})
	p.mu.Unlock()
	if p.notify != nil {
		select {
		case p.notify <- struct{}{}:
		default:
		}
	}
	return reply.Ref{Channel: channel, ID: id}, nil
}

func (p *recordingPoster) Posts() []posted {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]posted(nil), p.posts...)
}

func (p *recordingPoster) Reset() {
	p.mu.Lock()
	p.posts = nil
	p.mu.Unlock()
}

// countingMetrics counts ObserveReport calls per kind.
type countingMetrics struct {
	mu sync.Mutex
	n  map[string]int
}

func (m *countingMetrics) ObserveReport(kind string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == nil {
		m.n = map[string]int{}
	}
	m.n[kind]++
}

func (m *countingMetrics) Get(kind string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n[kind]
}

const (
	team   = "T1"
	keyA   = "aaaaaaaaaaaaaaaaaaaaaaaa" // 24 characters, like Gandi's
	keyB   = "bbbbbbbbbbbbbbbbbbbbbbbb"
	userA  = "UALICE"
	userB  = "UBOB"
	userNK = "UNOKEY"
)

// env is a scheduler on a real SQLite store and the real simulator, all on
// one fake clock.
type env struct {
	t      *testing.T
	clock  *testutil.Clock // shared by the store, the simulator and the scheduler
	sim    *gandisim.Server
	url    string
	db     *store.DB
	dbPath string
	secret store.Secret
	poster *recordingPoster
	metric *countingMetrics
	sched  *Scheduler
	// endpoint, when set, overrides url for the Gandi clients (a dead
	// address makes scans fail).
	mu       sync.Mutex
	endpoint string
	http     *http.Client // the simulator's clients share it
}

func newEnv(t *testing.T, start time.Time) *env {
	t.Helper()
	e := &env{t: t, clock: testutil.NewClock(start), poster: &recordingPoster{}, metric: &countingMetrics{}}
	e.sim, e.url, e.http = testutil.Sim(t, gandisim.Options{Now: e.clock.Now, Seed: 1})
	e.dbPath = filepath.Join(t.TempDir(), "paasbot.db")
	e.db, e.secret = testutil.OpenStoreAt(t, e.dbPath, e.clock.Now)
	e.sched = e.newScheduler(e.db)
	return e
}

// openDB opens the env's database again (another process on the file).
func (e *env) openDB() *store.DB {
	e.t.Helper()
	db, err := store.Open(context.Background(), e.dbPath, e.secret, store.WithClock(e.clock.Now))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

func (e *env) newScheduler(db Store) *Scheduler {
	return New(Config{
		Store:  db,
		Gandi:  e.client,
		Poster: e.poster, Now: e.clock.Now, Metrics: e.metric,
		CatchUp: 24 * time.Hour, DefaultTZ: "Europe/Paris",
	})
}

func (e *env) client(key secret.Value) Gandi {
	e.mu.Lock()
	url := e.url
	if e.endpoint != "" {
		url = e.endpoint
	}
	e.mu.Unlock()
	return simGandi(key, url, e.http)
}

func (e *env) putKey(user string, key secret.Value) {
	e.t.Helper()
	if _, err := e.db.PutAPIKey(context.Background(), store.Identity{Team: team, User: user}, key); err != nil {
		e.t.Fatal(err)
	}
}

// subscribe stores a subscription created at the clock's now.
func (e *env) subscribe(owner, channel string, kind Kind, schedule string, params Params) int64 {
	e.t.Helper()
	raw, _ := json.Marshal(params)
	id, err := e.db.CreateSubscription(context.Background(), &store.Subscription{
		Team: team, Channel: channel, Owner: owner, Kind: string(kind),
		Schedule: schedule, TZ: "Europe/Paris", Params: raw,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// runDue runs the scheduler at t.
func (e *env) runDue(t time.Time) {
	e.t.Helper()
	e.clock.Set(t)
	if err := e.sched.RunDue(context.Background(), t); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) lastSlot(id int64) (time.Time, bool) {
	e.t.Helper()
	s, ok, err := e.db.LastSlot(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return s, ok
}

// text joins what a channel would read of a message.
func text(m reply.Message) string {
	return plainText([]reply.Message{m})
}

func countIn(posts []posted, channel, substr string) int {
	n := 0
	for _, p := range posts {
		if p.Channel == channel && strings.Contains(text(p.Msg), substr) {
			n++
		}
	}
	return n
}

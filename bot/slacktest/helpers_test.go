package slacktest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

const wait = 5 * time.Second

// testClient is slack-go's real socket-mode client bound to a fake, with its
// events forwarded to a channel the test reads.
type testClient struct {
	api    *slack.Client
	sm     *socketmode.Client
	events chan socketmode.Event
	runErr chan error
}

// startClient connects a real socketmode client to fake. Its shutdown is
// registered after the fake's, so t.Cleanup stops it first.
func startClient(t testing.TB, fake *Server, opts ...slack.Option) *testClient {
	t.Helper()
	opts = append([]slack.Option{slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken())}, opts...)
	api := slack.New(fake.BotToken(), opts...)
	c := &testClient{
		api:    api,
		sm:     socketmode.New(api),
		events: make(chan socketmode.Event, 100),
		runErr: make(chan error, 1),
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.runErr <- c.sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-c.sm.Events:
				select {
				case c.events <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return c
}

// next returns the next event of one of the given types, skipping others.
func (c *testClient) next(t testing.TB, types ...socketmode.EventType) socketmode.Event {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev := <-c.events:
			for _, typ := range types {
				if ev.Type == typ {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %v event within %v", types, wait)
		}
	}
}

// noEvent asserts that no event of the given types is already queued or
// arrives before the fake has settled (used after a condition already
// waited for, so it never sleeps for long).
func (c *testClient) drain(types ...socketmode.EventType) []socketmode.Event {
	var out []socketmode.Event
	for {
		select {
		case ev := <-c.events:
			for _, typ := range types {
				if ev.Type == typ {
					out = append(out, ev)
				}
			}
		default:
			return out
		}
	}
}

// fakeClock is a settable clock for the time rules.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// dialSocket asks apps.connections.open for a URL and dials it by hand,
// closing the connection when the test ends.
func dialSocket(t testing.TB, fake *Server) *websocket.Conn {
	t.Helper()
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken()))
	_, url, err := api.StartSocketModeContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocketDial(t, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func websocketDial(t testing.TB, url string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.DialContext(t.Context(), url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return conn, resp, err
}

// callAPI posts a form to a Web API method with the bot token and returns
// the decoded answer, for fields slack-go does not surface (needed,
// response_metadata).
func callAPI(t testing.TB, fake *Server, method string, form url.Values) map[string]any {
	t.Helper()
	return postAPI(t, fake, method, form, fake.BotToken())
}

// postAPI posts a form to a Web API method, with bearer as Authorization
// when it is not empty, and returns the decoded answer.
func postAPI(t testing.TB, fake *Server, method string, form url.Values, bearer string) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, fake.APIURL()+method, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// slackErr is the Slack error code of err ("" for nil).
func slackErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

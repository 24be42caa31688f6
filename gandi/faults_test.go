package gandi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestUnreadableAnswers: every answer paasbot cannot read is one typed
// error (ErrUnreadableAnswer), never retried, never a slow-down.
func TestUnreadableAnswers(t *testing.T) {
	list := fixture(t, "paas_list.xml")
	htmlPage := "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
	tests := []struct {
		name  string
		reply reply
		opts  []Option
		want  any // *DecodeError or *HTTPError
	}{
		{"garbage", answerText(200, "\x00\x01 not xml at all"), nil, &DecodeError{}},
		{"truncated XML", answerText(200, list[:len(list)/2]), nil, &DecodeError{}},
		{"cut after its value", answerText(200, "<methodResponse><params><param><value><int>3</int></value></param></pa"), nil, &DecodeError{}},
		{"a fault cut short", answerText(200, strings.TrimSuffix(strings.TrimSpace(faultBody(537542, "x [y]")), "</methodResponse>")), nil, &DecodeError{}},
		{"more after the document", answerText(200, "<methodResponse><params><param><value><int>3</int></value></param></params></methodResponse><methodResponse/>"), nil, &DecodeError{}},
		{"empty body", answerText(200, ""), nil, &DecodeError{}},
		{"HTML with 200", answerText(200, htmlPage), nil, &DecodeError{}},
		{"HTML with 502", answerText(502, htmlPage), nil, &HTTPError{}},
		{"HTML with 404", answerText(404, htmlPage), nil, &HTTPError{}},
		{"body over the limit", answerText(200, list), []Option{withMaxResponse(int64(len(list) - 1))}, &DecodeError{}},
		{"invalid UTF-8", answerText(200, "<?xml version='1.0'?><methodResponse><params><param><value><string>caf\xe9</string></value></param></params></methodResponse>"), nil, &DecodeError{}},
		{"body cut short", func(w http.ResponseWriter, _ call) {
			w.Header().Set("Content-Length", fmt.Sprint(len(list)))
			_, _ = io.WriteString(w, list[:100])
		}, nil, &DecodeError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, tt.reply, tt.opts...)
			_, err := c.PaaS.List(t.Context(), nil)
			if !errors.Is(err, ErrUnreadableAnswer) || errors.Is(err, ErrTooManyRequests) {
				t.Fatalf("got %T %v, want ErrUnreadableAnswer", err, err)
			}
			target := reflect.New(reflect.TypeOf(tt.want))
			if !errors.As(err, target.Interface()) {
				t.Errorf("got %T, want %T", err, tt.want)
			}
			if srv.callCount() != 1 {
				t.Errorf("%d requests, want 1: an unreadable answer is not retried", srv.callCount())
			}
			// The next call on the same client works.
			ok, _ := setup(t, answerFile(t, "count.xml"))
			c.endpoint = ok.endpoint
			if n, err := c.PaaS.Count(t.Context(), nil); err != nil || n != 1 {
				t.Errorf("next call: %v, %v", n, err)
			}
		})
	}
}

// TestFaultWithErrorStatus: a fault is a fault whatever the HTTP status.
func TestFaultWithErrorStatus(t *testing.T) {
	c, _ := setup(t, answerText(500, faultBody(537542, "Error on object : OBJECT_PAAS (CAUSE_NOTFOUND) [Paas '42' doesn't exist.]")))
	_, err := c.PaaS.Info(t.Context(), 42)
	var f *Fault
	if !errors.As(err, &f) || !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnreadableAnswer) {
		t.Fatalf("got %T %v, want the not-found fault", err, err)
	}
}

// slowThenOK answers with slow n times, then with the count fixture.
func slowThenOK(t *testing.T, n int, slow reply) reply {
	var calls atomic.Int32
	ok := answerFile(t, "count.xml")
	return func(w http.ResponseWriter, c call) {
		if int(calls.Add(1)) <= n {
			slow(w, c)
			return
		}
		ok(w, c)
	}
}

func status(code int, retryAfter string) reply {
	return func(w http.ResponseWriter, _ call) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

var tooMany = answerText(200, faultBody(510199, "Error on object : OBJECT_ACCOUNT (CAUSE_TOOMANY) [Too many requests]"))

// TestReadRetries: a read answered "slow down" is retried with bounded
// back-off honouring Retry-After, then fails with the wait.
func TestReadRetries(t *testing.T) {
	// The clock stands still at the real time: context deadlines are real.
	now := time.Now().Truncate(time.Second)
	tests := []struct {
		name       string
		reply      reply
		deadline   time.Duration // of the caller's context; 0: none
		wantErr    bool
		wantCalls  int
		wantPauses []time.Duration
		wantWait   time.Duration // RateLimitError.RetryAfter
	}{
		{"429 with Retry-After, then OK", slowThenOK(t, 1, status(429, "2")), 0, false, 2, []time.Duration{2 * time.Second}, 0},
		{"503 Retry-After as a date", slowThenOK(t, 1, status(503, now.Add(3*time.Second).Format(http.TimeFormat))), 0, false, 2, []time.Duration{3 * time.Second}, 0},
		{"Retry-After 0: again at once", slowThenOK(t, 2, status(429, "0")), 0, false, 3, []time.Duration{0, 0}, 0},
		{"TOOMANY twice, then OK", slowThenOK(t, 2, tooMany), 0, false, 3, []time.Duration{RetryBackoff, 2 * RetryBackoff}, 0},
		{"503 every time", status(503, ""), 0, true, ReadAttempts, []time.Duration{RetryBackoff, 2 * RetryBackoff}, 4 * RetryBackoff},
		{"TOOMANY every time", tooMany, 0, true, ReadAttempts, []time.Duration{RetryBackoff, 2 * RetryBackoff}, 4 * RetryBackoff},
		{"429 Retry-After 5 every time", status(429, "5"), 0, true, ReadAttempts, []time.Duration{5 * time.Second, 5 * time.Second}, 5 * time.Second},
		{"Retry-After beyond MaxRetryWait", status(429, "120"), 0, true, 1, nil, 120 * time.Second},
		{"Retry-After past the deadline", status(429, "5"), 4 * time.Second, true, 1, nil, 5 * time.Second},
		{"garbage Retry-After is back-off", slowThenOK(t, 1, status(429, "soon")), 0, false, 2, []time.Duration{RetryBackoff}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, tt.reply, withClock(func() time.Time { return now }))
			ctx := t.Context()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, now.Add(tt.deadline))
				defer cancel()
			}
			n, err := c.PaaS.Count(ctx, nil)
			if srv.callCount() != tt.wantCalls {
				t.Errorf("%d requests, want %d", srv.callCount(), tt.wantCalls)
			}
			if got := srv.pauses(); !reflect.DeepEqual(got, tt.wantPauses) {
				t.Errorf("pauses %v, want %v", got, tt.wantPauses)
			}
			if !tt.wantErr {
				if err != nil || n != 1 {
					t.Fatalf("got %v, %v; want the answer after the retries", n, err)
				}
				return
			}
			var rl *RateLimitError
			if !errors.As(err, &rl) || !errors.Is(err, ErrTooManyRequests) {
				t.Fatalf("got %T %v, want *RateLimitError", err, err)
			}
			if rl.RetryAfter != tt.wantWait || rl.Attempts != tt.wantCalls || rl.Method != "paas.count" {
				t.Errorf("RateLimitError %+v, want wait %v after %d attempts", rl, tt.wantWait, tt.wantCalls)
			}
			if strings.Contains(err.Error(), "gandi: gandi:") || strings.Count(err.Error(), "paas.count") != 1 {
				t.Errorf("error reads %q: the chain stutters", err)
			}
		})
	}
}

// TestRetryPauseCancelled: cancelling during a pause ends the call with
// the cancellation.
func TestRetryPauseCancelled(t *testing.T) {
	c, _ := setup(t, status(429, "1"))
	ctx, cancel := context.WithCancel(t.Context())
	c.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	_, err := c.PaaS.Count(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// callKinds names every method of every service and whether it is a read
// (retried when Gandi asks to slow down) or a write (sent once: a second
// send could bill twice). TestCallKinds checks that each method behaves as
// listed and that no method is missing.
var callKinds = map[string]struct {
	write bool
	do    func(ctx context.Context, c *Client) error
}{
	"PaaS.Count": {false, func(ctx context.Context, c *Client) error { _, err := c.PaaS.Count(ctx, nil); return err }},
	"PaaS.List":  {false, func(ctx context.Context, c *Client) error { _, err := c.PaaS.List(ctx, nil); return err }},
	"PaaS.Info":  {false, func(ctx context.Context, c *Client) error { _, err := c.PaaS.Info(ctx, 1); return err }},
	"PaaS.CreateDryRun": {false, func(ctx context.Context, c *Client) error {
		_, err := c.PaaS.CreateDryRun(ctx, PaasCreateParams{})
		return err
	}},
	"PaaS.Create": {true, func(ctx context.Context, c *Client) error {
		_, err := c.PaaS.Create(ctx, PaasCreateParams{})
		return err
	}},
	"PaaS.Update": {true, func(ctx context.Context, c *Client) error {
		_, err := c.PaaS.Update(ctx, 1, PaasUpdateParams{})
		return err
	}},
	"PaaS.Renew":   {true, func(ctx context.Context, c *Client) error { _, err := c.PaaS.Renew(ctx, 1, RenewOptions{}); return err }},
	"PaaS.Restart": {true, func(ctx context.Context, c *Client) error { _, err := c.PaaS.Restart(ctx, 1); return err }},
	"PaaS.Delete":  {true, func(ctx context.Context, c *Client) error { _, err := c.PaaS.Delete(ctx, 1); return err }},
	"Vhosts.Count": {false, func(ctx context.Context, c *Client) error { _, err := c.Vhosts.Count(ctx, nil); return err }},
	"Vhosts.List":  {false, func(ctx context.Context, c *Client) error { _, err := c.Vhosts.List(ctx, nil); return err }},
	"Vhosts.Info":  {false, func(ctx context.Context, c *Client) error { _, err := c.Vhosts.Info(ctx, "a.fr"); return err }},
	"Vhosts.CreateDryRun": {false, func(ctx context.Context, c *Client) error {
		_, err := c.Vhosts.CreateDryRun(ctx, VhostCreateParams{})
		return err
	}},
	"Vhosts.DNSEntries": {false, func(ctx context.Context, c *Client) error {
		_, err := c.Vhosts.DNSEntries(ctx, DNSEntriesParams{})
		return err
	}},
	"Vhosts.Create": {true, func(ctx context.Context, c *Client) error {
		_, err := c.Vhosts.Create(ctx, VhostCreateParams{})
		return err
	}},
	"Vhosts.Delete":    {true, func(ctx context.Context, c *Client) error { _, err := c.Vhosts.Delete(ctx, "a.fr"); return err }},
	"Snapshots.Count":  {false, func(ctx context.Context, c *Client) error { _, err := c.Snapshots.Count(ctx, nil); return err }},
	"Snapshots.List":   {false, func(ctx context.Context, c *Client) error { _, err := c.Snapshots.List(ctx, nil); return err }},
	"Snapshots.Info":   {false, func(ctx context.Context, c *Client) error { _, err := c.Snapshots.Info(ctx, 1); return err }},
	"Types.Count":      {false, func(ctx context.Context, c *Client) error { _, err := c.Types.Count(ctx, nil); return err }},
	"Types.List":       {false, func(ctx context.Context, c *Client) error { _, err := c.Types.List(ctx, nil); return err }},
	"Version.Info":     {false, func(ctx context.Context, c *Client) error { _, err := c.Version.Info(ctx); return err }},
	"Operations.Info":  {false, func(ctx context.Context, c *Client) error { _, err := c.Operations.Info(ctx, 1); return err }},
	"Operations.List":  {false, func(ctx context.Context, c *Client) error { _, err := c.Operations.List(ctx, nil); return err }},
	"Operations.Count": {false, func(ctx context.Context, c *Client) error { _, err := c.Operations.Count(ctx, nil); return err }},
	// Wait polls Operations.Info, a read.
	"Operations.Wait": {false, func(ctx context.Context, c *Client) error {
		_, err := c.Operations.Wait(ctx, 1, WaitOptions{MaxTransientErrors: -1})
		return err
	}},
	"Catalog.List": {false, func(ctx context.Context, c *Client) error {
		_, err := c.Catalog.List(ctx, CatalogListOptions{})
		return err
	}},
	"Datacenters.List":      {false, func(ctx context.Context, c *Client) error { _, err := c.Datacenters.List(ctx, nil); return err }},
	"SnapshotProfiles.List": {false, func(ctx context.Context, c *Client) error { _, err := c.SnapshotProfiles.List(ctx, nil); return err }},
}

func TestCallKinds(t *testing.T) {
	// Every exported method of every service is listed.
	ct := reflect.TypeOf(Client{})
	for i := range ct.NumField() {
		f := ct.Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type.Elem().Name(), "Service") {
			continue
		}
		for j := range f.Type.NumMethod() {
			name := f.Name + "." + f.Type.Method(j).Name
			if _, ok := callKinds[name]; !ok {
				t.Errorf("%s is not in callKinds: say whether it is a read or a write", name)
			}
		}
	}
	for name, k := range callKinds {
		for _, slow := range []struct {
			name  string
			reply reply
		}{{"429", status(429, "0")}, {"503", status(503, "0")}, {"TOOMANY", tooMany}} {
			t.Run(name+"/"+slow.name, func(t *testing.T) {
				c, srv := setup(t, slow.reply)
				err := k.do(t.Context(), c)
				var rl *RateLimitError
				if !errors.As(err, &rl) {
					t.Fatalf("got %T %v, want *RateLimitError", err, err)
				}
				want := ReadAttempts
				if k.write {
					want = 1
				}
				if srv.callCount() != want || rl.Attempts != want || rl.RetryAfter <= 0 {
					t.Errorf("%d requests (%d attempts, wait %v), want %d and a positive wait", srv.callCount(), rl.Attempts, rl.RetryAfter, want)
				}
			})
		}
	}
}

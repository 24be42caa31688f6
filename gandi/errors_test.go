package gandi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func faultBody(code int, msg string) string {
	return fmt.Sprintf(`<?xml version='1.0'?>
<methodResponse><fault><value><struct>
<member><name>faultCode</name><value><int>%d</int></value></member>
<member><name>faultString</name><value><string>%s</string></value></member>
</struct></value></fault></methodResponse>`, code, msg)
}

func TestFaults(t *testing.T) {
	sentinels := []error{ErrBadAPIKey, ErrNotFound, ErrBadParameter, ErrNoCredit, ErrTooManyRequests,
		ErrPermission, ErrExists, ErrBadState, ErrUnreadableAnswer}
	tests := []struct {
		name   string
		body   string
		code   int
		object FaultObject
		cause  FaultCause
		text   string
		is     []error // the sentinels it must match; it must match no other
	}{
		{"bad key (fixture)", fixture(t, "fault_bad_key.xml"), 510150, ObjectAccount, CauseNoRight, "Invalid API key", []error{ErrBadAPIKey}},
		{"not found (fixture)", fixture(t, "fault_not_found.xml"), 537542, ObjectPaaS, CauseNotFound, "Paas '42' doesn't exist.", []error{ErrNotFound}},
		{"vhost does not exist", faultBody(537640, "Error on object : OBJECT_VIRTUALHOST (CAUSE_DONTEXIST) [no such vhost]"), 537640, ObjectVirtualHost, CauseDontExist, "no such vhost", []error{ErrNotFound}},
		{"bad parameter", faultBody(537537, "Error on object : OBJECT_PAAS (CAUSE_BADPARAMETER) [size]"), 537537, ObjectPaaS, CauseBadParameter, "size", []error{ErrBadParameter}},
		{"no credit 530040", faultBody(530040, "Error on object : OBJECT_UNKNOWN (CAUSE_DONTEXIST) [no prepaid credit]"), 530040, 300, CauseDontExist, "no prepaid credit", []error{ErrNoCredit}},
		{"not enough money", faultBody(510163, "Error on object : OBJECT_ACCOUNT (CAUSE_NOT_ENOUGH_MONEY) [Not enough money]"), 510163, ObjectAccount, CauseNotEnoughMoney, "Not enough money", []error{ErrNoCredit}},
		{"too many", faultBody(537599, "Error on object : OBJECT_PAAS (CAUSE_TOOMANY) [slow down]"), 537599, ObjectPaaS, CauseTooMany, "slow down", []error{ErrTooManyRequests}},
		{"no right on an instance", faultBody(537550, "Error on object : OBJECT_PAAS (CAUSE_NORIGHT) [not yours]"), 537550, ObjectPaaS, CauseNoRight, "not yours", []error{ErrPermission}},
		{"exists", faultBody(537641, "Error on object : OBJECT_VIRTUALHOST (CAUSE_EXIST) [taken]"), 537641, ObjectVirtualHost, CauseExist, "taken", []error{ErrExists}},
		{"state", faultBody(537560, "Error on object : OBJECT_PAAS (CAUSE_STATE) [locked]"), 537560, ObjectPaaS, CauseState, "locked", []error{ErrBadState}},
		{"code 1 malformed", faultBody(1, "unknown method paas.foo"), 1, 0, 0, "unknown method paas.foo", []error{ErrBadParameter}},
		{"internal 150000", faultBody(150000, "Internal Server Error"), 150000, 500, 0, "Internal Server Error", nil},
		{"a code nobody maps", faultBody(581234, "Error on object : OBJECT_812 (CAUSE_34) [Something new happened]"), 581234, 812, 34, "Something new happened", nil},
		{"code as string", strings.Replace(faultBody(537542, "x [y]"), "<int>537542</int>", "<string>537542</string>", 1), 537542, ObjectPaaS, CauseNotFound, "y", []error{ErrNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := setup(t, answerText(200, tt.body))
			_, err := c.PaaS.Info(context.Background(), 42)
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("error %T %v, want *Fault", err, err)
			}
			if f.Code != tt.code || f.Object() != tt.object || f.Cause() != tt.cause || f.Text() != tt.text || f.Method != "paas.info" {
				t.Errorf("fault %d object %v cause %v text %q method %q; want %d %v %v %q",
					f.Code, f.Object(), f.Cause(), f.Text(), f.Method, tt.code, tt.object, tt.cause, tt.text)
			}
			for _, s := range sentinels {
				want := false
				for _, w := range tt.is {
					want = want || w == s
				}
				if got := errors.Is(err, s); got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", s, got, want)
				}
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tt.code)) {
				t.Errorf("error text %q lacks the code", err)
			}
		})
	}
}

func TestFaultNames(t *testing.T) {
	if ObjectPaaS.String() != "PAAS" || FaultObject(999).String() != "OBJECT_999" ||
		CauseNotFound.String() != "NOTFOUND" || FaultCause(7).String() != "CAUSE_07" {
		t.Error("object or cause names wrong")
	}
}

func TestHTTPAndTransportErrors(t *testing.T) {
	tests := []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"HTTP 500", answerText(500, "oops"), func(t *testing.T, err error) {
			var he *HTTPError
			if !errors.As(err, &he) || he.StatusCode != 500 || errors.Is(err, ErrTooManyRequests) {
				t.Errorf("got %T %v, want *HTTPError 500", err, err)
			}
		}},
		{"HTTP 429 with Retry-After", func(w http.ResponseWriter, _ call) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		}, func(t *testing.T, err error) {
			var he *HTTPError
			if !errors.As(err, &he) || he.RetryAfter != 7*time.Second || !errors.Is(err, ErrTooManyRequests) {
				t.Errorf("got %T %v, want *HTTPError 429 matching ErrTooManyRequests", err, err)
			}
		}},
		{"HTTP 503", answerText(503, ""), func(t *testing.T, err error) {
			if !errors.Is(err, ErrTooManyRequests) {
				t.Errorf("got %v, want ErrTooManyRequests", err)
			}
		}},
		{"truncated XML", answerText(200, fixture(t, "paas_list.xml")[:300]), func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Errorf("got %T %v, want *DecodeError", err, err)
			}
		}},
		{"body cut short of Content-Length", func(w http.ResponseWriter, _ call) {
			w.Header().Set("Content-Length", "5000")
			_, _ = io.WriteString(w, fixture(t, "paas_list.xml")[:300])
		}, func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrUnreadableAnswer) || !strings.Contains(err.Error(), "cut short") {
				t.Errorf("got %T %v, want *DecodeError: an answer cut short", err, err)
			}
		}},
		{"not XML", answerText(200, "<html><body>Bad gateway</body></html>"), func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), "methodResponse") {
				t.Errorf("got %T %v, want *DecodeError naming methodResponse", err, err)
			}
		}},
		{"wrong type", answerText(200, fixture(t, "count.xml")), func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) || de.Path != "" {
				t.Errorf("got %T %v, want *DecodeError", err, err)
			}
		}},
		{"wrong type deep inside", answerText(200, strings.Replace(fixture(t, "paas_list.xml"),
			"<dateTime.iso8601>20270101T00:30:00</dateTime.iso8601>", "<array><data></data></array>", 1)),
			func(t *testing.T, err error) {
				var de *DecodeError
				if !errors.As(err, &de) || de.Path != "[1].date_end" {
					t.Errorf("got %T %v, want *DecodeError at [1].date_end", err, err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := setup(t, tt.reply)
			got, err := c.PaaS.List(context.Background(), nil)
			if err == nil {
				t.Fatal("no error")
			}
			if got != nil {
				t.Errorf("a failed call returned %d half-decoded instances", len(got))
			}
			tt.check(t, err)
		})
	}
}

func TestTransportRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := NewClient(testKey, WithEndpoint("http://"+addr+"/xmlrpc/"))
	_, err = c.Version.Info(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || te.Method != "version.info" {
		t.Fatalf("got %T %v, want *TransportError", err, err)
	}
}

func TestTooLargeAnswer(t *testing.T) {
	c, _ := setup(t, answerFile(t, "paas_list.xml"), withMaxResponse(1000))
	_, err := c.PaaS.List(context.Background(), nil)
	var de *DecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "larger than 1000") {
		t.Fatalf("got %T %v, want *DecodeError for a too large answer", err, err)
	}
}

// TestDeadline: a server slower than the context deadline; the call must
// end with the deadline, not with the server.
func TestDeadline(t *testing.T) {
	// slowServer answers nothing until the test ends.
	slowServer := func(t *testing.T, opts ...Option) *Client {
		release := make(chan struct{})
		c, _ := setup(t, func(w http.ResponseWriter, _ call) { <-release }, opts...)
		t.Cleanup(func() { close(release) }) // runs before the server's Close
		return c
	}
	for _, tc := range []struct {
		name string
		opts []Option
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"context deadline", nil, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}},
		{"client timeout", []Option{WithTimeout(50 * time.Millisecond)}, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := slowServer(t, tc.opts...)
			ctx, cancel := tc.ctx()
			defer cancel()
			_, err := c.PaaS.Count(ctx, nil)
			var te *TransportError
			if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &te) {
				t.Fatalf("got %T %v, want a *TransportError wrapping context.DeadlineExceeded", err, err)
			}
		})
	}
	t.Run("cancel", func(t *testing.T) {
		c := slowServer(t)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		_, err := c.PaaS.Count(ctx, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

// TestNextCallAfterBadAnswer: one client, a bad answer, then good ones.
func TestNextCallAfterBadAnswer(t *testing.T) {
	bad := []string{"<methodResponse><params><param><value><struct>", "garbage", ""}
	good := fixture(t, "count.xml")
	var mu sync.Mutex
	n := 0
	c, _ := setup(t, func(w http.ResponseWriter, _ call) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		if i%2 == 0 {
			_, _ = io.WriteString(w, bad[(i/2)%len(bad)])
			return
		}
		_, _ = io.WriteString(w, good)
	})
	for i := 0; i < 2*len(bad); i++ {
		got, err := c.PaaS.Count(context.Background(), nil)
		if i%2 == 0 {
			if err == nil {
				t.Fatalf("call %d: bad answer accepted", i)
			}
			continue
		}
		if err != nil || got != 1 {
			t.Fatalf("call %d after a bad answer: %v, %v", i, got, err)
		}
	}
}

// TestConcurrentCalls: many goroutines on one client, each getting its own
// answer (the server echoes the id asked for).
func TestConcurrentCalls(t *testing.T) {
	c, srv := setup(t, func(w http.ResponseWriter, c call) {
		id := c.Params[0].(int)
		_, _ = fmt.Fprintf(w, `<methodResponse><params><param><value><struct><member><name>id</name><value><int>%d</int></value></member></struct></value></param></params></methodResponse>`, id)
	})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 1; i <= 40; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			info, err := c.PaaS.Info(context.Background(), id)
			if err != nil {
				errs <- err
				return
			}
			if info.ID != id {
				errs <- fmt.Errorf("asked %d, got %d", id, info.ID)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if srv.callCount() != 40 {
		t.Errorf("%d calls, want 40", srv.callCount())
	}
}

// TestKeyNeverShown: the key must not appear in any error, log line,
// observer error or formatted client, even when the server echoes it.
func TestKeyNeverShown(t *testing.T) {
	var logs bytes.Buffer
	var observed []string
	var mu sync.Mutex
	opts := []Option{
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithObserver(func(method string, took time.Duration, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				observed = append(observed, err.Error())
			}
		}),
	}
	replies := map[string]reply{
		"fault echoing the key": answerText(200, faultBody(510150, "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key "+testKey+"]")),
		"HTTP 500":              answerText(500, testKey),
		"malformed echoing key": answerText(200, "<methodResponse><"+testKey+">"),
		"wrong type echoing":    answerText(200, `<methodResponse><params><param><value><struct><member><name>id</name><value><string>`+testKey+`</string></value></member></struct></value></param></params></methodResponse>`),
	}
	for name, r := range replies {
		t.Run(name, func(t *testing.T) {
			c, _ := setup(t, r, opts...)
			_, err := c.PaaS.Info(context.Background(), 1)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err)} {
				if strings.Contains(s, testKey) {
					t.Errorf("error shows the key: %s", s)
				}
			}
			var f *Fault
			if errors.As(err, &f) && strings.Contains(f.Message, testKey) {
				t.Errorf("fault message shows the key: %s", f.Message)
			}
			for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x", c, c, c, c, c, c),
				fmt.Sprintf("%v|%+v|%#v|%s", *c, *c, *c, *c)} {
				if strings.Contains(s, testKey) || strings.Contains(s, fmt.Sprintf("%x", testKey)) {
					t.Errorf("formatted client shows the key: %s", s)
				}
			}
		})
	}
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("logs show the key:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "method=paas.info") {
		t.Errorf("logs lack the calls:\n%s", logs.String())
	}
	if len(observed) != len(replies) {
		t.Errorf("observer saw %d errors, want %d", len(observed), len(replies))
	}
	for _, s := range observed {
		if strings.Contains(s, testKey) {
			t.Errorf("observer got the key: %s", s)
		}
	}
}

func TestObserver(t *testing.T) {
	var got []string
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c, _ := setup(t, answerFile(t, "count.xml"),
		withClock(func() time.Time { clock = clock.Add(time.Second); return clock }),
		WithObserver(func(method string, took time.Duration, err error) {
			got = append(got, fmt.Sprintf("%s %v %v", method, took, err))
		}))
	if _, err := c.Snapshots.Count(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "paas.snapshot.count 1s <nil>" {
		t.Errorf("observer got %q", got)
	}
}

func TestFault_FaultCodeThroughWrapping(t *testing.T) {
	err := fmt.Errorf("renew shop-prod: %w", &Fault{Code: 537542, Message: "Error on object : OBJECT_PAAS (CAUSE_NOTFOUND) [Paas '42' doesn't exist.]"})
	var coded interface{ FaultCode() int }
	if !errors.As(err, &coded) || coded.FaultCode() != 537542 {
		t.Fatalf("errors.As(FaultCode) = %v, %v; want the fault's code", coded, err)
	}
	var transport error = &TransportError{Method: "paas.info", Err: errors.New("connection refused")}
	if errors.As(transport, &coded) {
		t.Error("a transport error must not look like an answered fault")
	}
}

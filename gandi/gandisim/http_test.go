package gandisim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	e := setup(t, 3)
	tests := []struct {
		name string
		args []any
		code int
		text string
	}{
		{"unknown key", []any{"cccccccccccccccccccccccc"}, CodeInvalidAPIKey, "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]"},
		{"key of wrong type", []any{42}, CodeInvalidAPIKey, "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]"},
		{"no key at all", nil, CodeMalformed, "needs the API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{"version.info", "paas.list", "paas.count"} {
				f := e.fault(tt.code, method, tt.args...)
				if !strings.Contains(f.String, tt.text) {
					t.Errorf("%s: fault %q, want %q", method, f.String, tt.text)
				}
				if strings.Contains(f.String, "cccc") {
					t.Errorf("fault echoes the key: %q", f.String)
				}
			}
		})
	}
}

func TestArity(t *testing.T) {
	e := setup(t, 1)
	e.fault(CodeMalformed, "paas.info", keyA)
	e.fault(CodeMalformed, "paas.info", keyA, 1, 2)
	e.fault(CodeMalformed, "version.info", keyA, "extra")
	e.fault(CodeMalformed, "paas.nope", keyA)
	e.fault(CodePaasBadParameter, "paas.info", keyA, "shop-prod")
}

func TestAccountsAreIsolated(t *testing.T) {
	e := setup(t, 5)
	e.s.SeedDemo(keyB, 2)
	idA := e.idOf(keyA, "shop-prod")
	if n := e.ok("paas.count", keyB); n != 2 {
		t.Errorf("B counts %v, want its own 2", n)
	}
	for _, m := range list(t, e.ok("paas.list", keyB)) {
		if m["id"] == idA {
			t.Errorf("B lists A's instance %v", m)
		}
	}
	e.fault(CodePaasNotFound, "paas.info", keyB, idA)
	e.fault(CodePaasNotFound, "paas.renew", keyB, idA, map[string]any{"duration": "1m", "fixed": false})
	e.fault(CodePaasNotFound, "paas.delete", keyB, idA)
	e.fault(CodePaasNotFound, "paas.update", keyB, idA, map[string]any{"size": "s"})
	e.fault(CodePaasNotFound, "paas.restart", keyB, idA)
	e.fault(CodeVhostNotFound, "paas.vhost.info", keyB, "shop.example.com")
	e.fault(CodeVhostNotFound, "paas.vhost.delete", keyB, "shop.example.com")
	if n := e.ok("paas.vhost.count", keyB, map[string]any{"paas_id": idA}); n != 0 {
		t.Errorf("B sees %v vhosts of A", n)
	}
	if n := e.ok("paas.snapshot.count", keyB, map[string]any{"paas_id": idA}); n != 0 {
		t.Errorf("B sees %v snapshots of A", n)
	}
	snaps := list(t, e.ok("paas.snapshot.list", keyA, map[string]any{"paas_id": idA}))
	e.fault(CodeSnapshotNotFound, "paas.snapshot.info", keyB, snaps[0]["id"])
	ops := list(t, e.ok("paas.renew", keyA, idA, map[string]any{"duration": "1m", "fixed": false}))
	e.fault(CodeOperationNotFound, "operation.info", keyB, ops[0]["id"])
	if n := len(list(t, e.ok("operation.list", keyB))); n != 0 {
		t.Errorf("B lists %d operations of A", n)
	}
}

func TestFaultInjection_Rules(t *testing.T) {
	e := setup(t, 1)
	e.s.SetFault(FaultRule{Method: "paas.list", Code: CodeTooMany, Times: 2})
	for i := range 2 {
		f := e.fault(CodeTooMany, "paas.list", keyA)
		if !strings.Contains(f.String, "CAUSE_TOOMANY") {
			t.Errorf("call %d: fault %q", i, f.String)
		}
	}
	e.ok("paas.list", keyA)
	e.ok("paas.count", keyA) // other methods are untouched
	if n := e.s.Calls("paas.list"); n != 1 {
		t.Errorf("Calls(paas.list) = %d, want 1 (injected faults are not counted)", n)
	}

	e.s.SetFault(FaultRule{HTTPStatus: http.StatusServiceUnavailable, Times: 1})
	resp, err := http.Post(e.url, "text/xml", strings.NewReader(callBody("version.info", keyA)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || len(body) == 0 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("HTTP %d body %q Retry-After %q, want 503 with a body and Retry-After", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	e.ok("version.info", keyA)

	e.s.SetFault(FaultRule{})
	e.fault(CodeInternal, "version.info", keyA)
	e.fault(CodeInternal, "paas.count", keyA)
	e.s.ClearFaults()
	e.ok("version.info", keyA)
}

func TestFaultInjection_Rates(t *testing.T) {
	clock := newClock()
	t.Run("fault rate 1", func(t *testing.T) {
		s, url := NewTestServer(t, Options{Now: clock.Now, FaultRate: 1, FaultCode: CodeTooMany})
		s.AddAccount(keyA, "A")
		e := &env{t: t, s: s, url: url, clock: clock}
		e.fault(CodeTooMany, "version.info", keyA)
	})
	t.Run("http error rate 1", func(t *testing.T) {
		s, url := NewTestServer(t, Options{Now: clock.Now, HTTPErrorRate: 1})
		s.AddAccount(keyA, "A")
		resp, err := http.Post(url, "text/xml", strings.NewReader(callBody("version.info", keyA)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 {
			t.Errorf("HTTP %d, want 503", resp.StatusCode)
		}
	})
	t.Run("half the calls fail, deterministically for a seed", func(t *testing.T) {
		run := func() string {
			s, url := NewTestServer(t, Options{Now: clock.Now, FaultRate: 0.5, Seed: 3})
			s.AddAccount(keyA, "A")
			e := &env{t: t, s: s, url: url, clock: clock}
			var b strings.Builder
			for range 40 {
				if _, f := e.call("version.info", keyA); f != nil {
					b.WriteByte('F')
				} else {
					b.WriteByte('.')
				}
			}
			return b.String()
		}
		first, second := run(), run()
		if first != second {
			t.Errorf("same seed, different faults:\n%s\n%s", first, second)
		}
		if n := strings.Count(first, "F"); n < 8 || n > 32 {
			t.Errorf("%d faults in 40 calls at rate 0.5: %s", n, first)
		}
	})
	t.Run("latency", func(t *testing.T) {
		s, url := NewTestServer(t, Options{Now: clock.Now, Latency: 30 * time.Millisecond})
		s.AddAccount(keyA, "A")
		e := &env{t: t, s: s, url: url, clock: clock}
		start := time.Now()
		e.ok("version.info", keyA)
		if time.Since(start) < 30*time.Millisecond {
			t.Errorf("answered in %v despite 30ms latency", time.Since(start))
		}
	})
}

func callBody(method string, args ...any) string {
	b, err := encodeCall(method, args, time.UTC)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestMalformedRequests(t *testing.T) {
	e := setup(t, 1)
	deep := strings.Repeat("<value><array><data>", 100) + strings.Repeat("</data></array></value>", 100)
	head := `<?xml version="1.0"?><methodCall><methodName>paas.list</methodName><params><param>`
	key := `<value><string>` + keyA + `</string></value>`
	tests := []struct {
		name string
		body string
	}{
		{"empty body", ""},
		{"not XML", "hello"},
		{"JSON", `{"method":"paas.list"}`},
		{"wrong root", `<methodResponse/>`},
		{"missing methodName", `<methodCall><params/></methodCall>`},
		{"empty methodName", `<methodCall><methodName> </methodName></methodCall>`},
		{"truncated", head + key},
		{"unknown type", head + `<value><widget>1</widget></value></param></params></methodCall>`},
		{"bad int", head + key + `</param><param><value><int>12x</int></value></param></params></methodCall>`},
		{"i4 overflow", head + key + `</param><param><value><i4>9999999999</i4></value></param></params></methodCall>`},
		{"bad boolean", head + key + `</param><param><value><boolean>yes</boolean></value></param></params></methodCall>`},
		{"bad double", head + key + `</param><param><value><double>NaN</double></value></param></params></methodCall>`},
		{"bad date", head + key + `</param><param><value><dateTime.iso8601>yesterday</dateTime.iso8601></value></param></params></methodCall>`},
		{"bad base64", head + key + `</param><param><value><base64>!!!</base64></value></param></params></methodCall>`},
		{"member without name", head + `<value><struct><member><value>1</value></member></struct></value></param></params></methodCall>`},
		{"duplicate member", head + `<value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value></param></params></methodCall>`},
		{"text mixed with a type", head + `<value>x<int>1</int></value></param></params></methodCall>`},
		{"array without data", head + `<value><array><value>1</value></array></value></param></params></methodCall>`},
		{"nesting too deep", head + deep + `</param></params></methodCall>`},
		{"entity bomb", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><methodCall><methodName>&a;</methodName></methodCall>`},
		{"unknown charset", `<?xml version="1.0" encoding="EBCDIC"?><methodCall><methodName>x</methodName></methodCall>`},
		{"unknown method", `<methodCall><methodName>system.shutdown</methodName><params>` + `<param>` + key + `</param></params></methodCall>`},
		{"too large", head + `<value><string>` + strings.Repeat("x", MaxRequestBytes) + `</string></value></param></params></methodCall>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, f := e.raw([]byte(tt.body))
			if f == nil || f.Code != CodeMalformed || f.String == "" {
				t.Errorf("got fault %v, want code %d with a message", f, CodeMalformed)
			}
			if tt.name == "too large" && !strings.Contains(f.String, "larger than") {
				t.Errorf("fault %q does not say the body is too large", f.String)
			}
		})
	}
	// The server is still fine afterwards.
	e.ok("paas.count", keyA)
}

func TestNonXMLRPCRequests(t *testing.T) {
	e := setup(t, 0)
	tests := []struct {
		name   string
		method string
		path   string
		status int
	}{
		{"GET", http.MethodGet, "/xmlrpc/", http.StatusMethodNotAllowed},
		{"other path", http.MethodPost, "/api/", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, strings.TrimSuffix(e.url, "/xmlrpc/")+tt.path, strings.NewReader(""))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || len(body) == 0 {
				t.Errorf("HTTP %d body %q, want %d with a body", resp.StatusCode, body, tt.status)
			}
		})
	}
	// Python's xmlrpc.client and some clients use /xmlrpc without slash.
	resp, err := http.Post(strings.TrimSuffix(e.url, "/"), "text/xml", strings.NewReader(callBody("version.info", keyA)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/xmlrpc answered %d", resp.StatusCode)
	}
}

func TestConcurrentCalls(t *testing.T) {
	e := setup(t, 20)
	e.s.ProveDomain("example.io")
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				var args []any
				method := "paas.list"
				switch i % 5 {
				case 0:
					args = []any{keyA, map[string]any{"sort_by": "date_end DESC", "items_per_page": 10}}
				case 1:
					method, args = "paas.create", []any{keyA, with(createSpec(), "vhosts", []any{fmt.Sprintf("g%d-%d.example.io", g, i)})}
				case 2:
					method, args = "paas.count", []any{keyB}
				case 3:
					method, args = "operation.list", []any{keyA, map[string]any{"step": "BILL"}}
				case 4:
					method, args = "paas.vhost.list", []any{keyA, map[string]any{"~name": "g%"}}
				}
				body, _ := encodeCall(method, args, time.UTC)
				resp, err := http.Post(e.url, "text/xml", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				_, err = decodeResponse(resp.Body, time.UTC)
				resp.Body.Close()
				if err != nil {
					errs <- fmt.Errorf("%s: %w", method, err)
				}
				e.clock.Advance(time.Second)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	e.clock.Advance(time.Minute)
	if n := e.ok("paas.count", keyA, map[string]any{"state": "running"}).(int); n < 8*5+18 {
		t.Errorf("%d running instances after concurrent creates", n)
	}
	if n := e.ok("paas.vhost.count", keyA, map[string]any{"~name": "g%.example.io"}); n != 40 {
		t.Errorf("%v vhosts created, want 40", n)
	}
}

func TestHandlerPanicIsAFault(t *testing.T) {
	e := setup(t, 0)
	e.s.table["test.panic"] = methodSpec{0, 0, func(*call) (any, *Fault) { panic("boom") }}
	f := e.fault(CodeInternal, "test.panic", keyA)
	if strings.Contains(f.String, "boom") {
		t.Errorf("fault leaks the panic: %q", f.String)
	}
	e.ok("version.info", keyA) // the lock was released
}

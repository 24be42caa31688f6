package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
)

// syncBuffer is a buffer safe for the server goroutines and the test.
type syncBuffer = testutil.LogBuffer

func TestSim_ServesAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	env := &environment{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, env, []string{"sim", "--addr", "127.0.0.1:0", "--apikey", "key-one-000000000000000a", "--apikey", "key-two-000000000000000b", "--instances", "4", "--seed", "7"})
	}()
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/xmlrpc/`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if url = urlRE.FindString(out.String()); url != "" {
			break
		}
	}
	if url == "" {
		t.Fatalf("no URL printed; stdout %q stderr %q", out.String(), errOut.String())
	}
	for _, k := range []string{"key-one-000000000000000a", "key-two-000000000000000b"} {
		if !strings.Contains(out.String(), k) {
			t.Errorf("stdout does not list key %s: %q", k, out.String())
		}
	}
	body := `<?xml version="1.0"?><methodCall><methodName>paas.count</methodName><params><param><value><string>key-two-000000000000000b</string></value></param></params></methodCall>`
	resp, err := http.Post(url, "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "<int>4</int>") {
		t.Errorf("paas.count answer %s, want 4", b)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d, stderr %q", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop on cancel")
	}
	if !strings.Contains(out.String(), "simulator stopped") {
		t.Errorf("stdout %q lacks the stop line", out.String())
	}
}

func TestSim_DefaultKeyIsDemoKey(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	env := &environment{stdin: strings.NewReader(""), stdout: out, stderr: io.Discard, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, env, []string{"sim", "--addr", "127.0.0.1:0"}) }()
	sc := func() bool { return strings.Contains(out.String(), gandisim.DemoAPIKey) }
	for deadline := time.Now().Add(10 * time.Second); !sc() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if !sc() {
		t.Fatalf("stdout %q does not show the demo key", out.String())
	}
}

func TestSim_BadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"sim", "--nope"}},
		{"bad duration", []string{"sim", "--latency", "fast"}},
		{"negative instances", []string{"sim", "--instances", "-1"}},
		{"fault rate above one", []string{"sim", "--fault-rate", "2"}},
		{"stray argument", []string{"sim", "extra"}},
		{"empty key", []string{"sim", "--apikey", ""}},
		{"http error rate below zero", []string{"sim", "--http-error-rate", "-0.1"}},
		{"slow rate above one", []string{"sim", "--slow-rate", "1.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			env := &environment{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errOut, getenv: func(string) string { return "" }}
			if code := run(context.Background(), env, tt.args); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if errOut.Len() == 0 {
				t.Error("nothing explained on stderr")
			}
		})
	}
}

func TestSim_BadLogLevel(t *testing.T) {
	var errOut bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errOut,
		getenv: func(k string) string { return map[string]string{"PAASBOT_LOG_LEVEL": "loud"}[k] }}
	if code := run(context.Background(), env, []string{"sim", "--addr", "127.0.0.1:0"}); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "PAASBOT_LOG_LEVEL") {
		t.Errorf("stderr %q does not name the setting", errOut.String())
	}
}

func TestSim_AddressInUse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	env := &environment{stdin: strings.NewReader(""), stdout: out, stderr: io.Discard, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, env, []string{"sim", "--addr", "127.0.0.1:0", "--instances", "0"}) }()
	urlRE := regexp.MustCompile(`127\.0\.0\.1:\d+`)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		addr = urlRE.FindString(out.String())
	}
	var errOut syncBuffer
	env2 := &environment{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := run(context.Background(), env2, []string{"sim", "--addr", addr}); code != 1 {
		t.Errorf("exit code %d, want 1 for an address in use", code)
	}
	if !strings.Contains(errOut.String(), "listen") {
		t.Errorf("stderr %q does not explain", errOut.String())
	}
	cancel()
	<-done
}

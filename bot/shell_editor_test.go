package bot

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/internal/testutil"
)

func TestLineEditor_Keys(t *testing.T) {
	tests := []struct {
		name, keys string
		lines      []string
		end        error
	}{
		{"backspace", "ab\x7fc\r", []string{"ac"}, io.EOF},
		{"ctrl-w", "hello wor\x17x\r", []string{"hello x"}, io.EOF},
		{"ctrl-u", "junk\x15list\r", []string{"list"}, io.EOF},
		{"cursor keys ignored", "\x1b[Aok\x1b[D\r", []string{"ok"}, io.EOF},
		{"utf-8", "café\r", []string{"café"}, io.EOF},
		{"ctrl-c clears the line", "lis\x03count\r", []string{"count"}, io.EOF},
		{"second ctrl-c leaves", "x\x03\x03", nil, ErrInterrupted},
		{"ctrl-c, a line, ctrl-c: no leaving", "\x03a\r\x03b\r", []string{"a", "b"}, io.EOF},
		{"ctrl-d on an empty line leaves", "a\r\x04", []string{"a"}, io.EOF},
		{"ctrl-d on a typed line is ignored", "ab\x04c\r", []string{"abc"}, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out testutil.LogBuffer
			e := NewLineEditor(strings.NewReader(tt.keys), &out)
			var got []string
			for {
				line, err := e.ReadLine(t.Context(), "> ")
				if err != nil {
					if !errors.Is(err, tt.end) {
						t.Errorf("ended with %v, want %v", err, tt.end)
					}
					break
				}
				got = append(got, line)
			}
			if strings.Join(got, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("lines %q, want %q (screen %q)", got, tt.lines, out.String())
			}
		})
	}
}

// TestLineEditor_PrintAboveTheLine: output arriving while a line is typed
// goes above it, and the prompt and the line are drawn again.
func TestLineEditor_PrintAboveTheLine(t *testing.T) {
	r, w := io.Pipe()
	var out testutil.LogBuffer
	e := NewLineEditor(r, &out)
	got := make(chan string, 1)
	go func() {
		line, _ := e.ReadLine(t.Context(), "paas> ")
		got <- line
	}()
	_, _ = w.Write([]byte("inf"))
	waitScreen(t, &out, "paas> inf")
	e.Print("  ↻ step DONE")
	_, _ = w.Write([]byte("o\r"))
	if line := <-got; line != "info" {
		t.Errorf("line %q, want info", line)
	}
	if want := "paas> inf" + clearLine + "  ↻ step DONE\n" + clearLine + "paas> info"; !strings.Contains(out.String(), want) {
		t.Errorf("screen %q lacks %q", out.String(), want)
	}
}

// TestLineEditor_CtrlCStopsTheCommand: while a command runs, Ctrl-C
// cancels it alone; what is typed meanwhile starts the next line.
func TestLineEditor_CtrlCStopsTheCommand(t *testing.T) {
	r, w := io.Pipe()
	var out testutil.LogBuffer
	e := NewLineEditor(r, &out)
	cancelled := make(chan struct{})
	stop := e.WhileBusy(func() { close(cancelled) })
	_, _ = w.Write([]byte("li\x03"))
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not cancel the running command")
	}
	stop()
	go func() { _, _ = w.Write([]byte("st\r")) }()
	line, err := e.ReadLine(t.Context(), "> ")
	if err != nil || line != "list" {
		t.Errorf("next line %q, %v; want the keys typed meanwhile, then the rest", line, err)
	}
}

func waitScreen(t *testing.T, out *testutil.LogBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("screen %q never showed %q", out.String(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

package bot

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// LineEditor reads lines from a terminal in raw mode (no echo, no line
// discipline, Ctrl-C arriving as a byte rather than a signal) and echoes
// them itself, so that the shell behaves like a well-made REPL (DESIGN
// §9): Ctrl-C clears the line, a second Ctrl-C in a row or Ctrl-D on an
// empty line ends the session, Ctrl-C while a command runs cancels that
// command alone, and what arrives meanwhile (an operation's progress) is
// printed above the line being typed, which is then drawn again. It keeps
// the line to one row: Backspace, Ctrl-U and Ctrl-W edit its end; cursor
// keys are ignored. Safe for concurrent use.
type LineEditor struct {
	out io.Writer

	keys chan byte
	rerr chan error // the reader's end (io.EOF, or a read error)

	mu        sync.Mutex
	prompt    string
	buf       []rune
	editing   bool // a prompt is shown and a line is being read
	hidden    bool // the line is a secret: not echoed
	typeahead []byte
	lastCtrlC bool
	hinted    bool

	busyCancel func() // set while a command runs (WhileBusy)
	watchStop  func() // stops the watch of a running command's keys
}

// Keys of the editor.
const (
	keyCtrlC     = 0x03
	keyCtrlD     = 0x04
	keyCtrlU     = 0x15
	keyCtrlW     = 0x17
	keyBackspace = 0x7f
	keyCtrlH     = 0x08
	keyEsc       = 0x1b
)

// ErrInterrupted ends ReadLine at a second Ctrl-C in a row: the person
// asked to leave.
var ErrInterrupted = errors.New("interrupted")

// clearLine moves to the start of the row and erases it.
const clearLine = "\r\x1b[K"

// NewLineEditor reads keys from in (the terminal, already in raw mode)
// and writes to out. Its reader runs until in ends.
func NewLineEditor(in io.Reader, out io.Writer) *LineEditor {
	e := &LineEditor{out: out, keys: make(chan byte, 256), rerr: make(chan error, 1)}
	go func() {
		b := make([]byte, 256)
		for {
			n, err := in.Read(b)
			for _, c := range b[:n] {
				e.keys <- c
			}
			if err != nil {
				e.rerr <- err
				close(e.keys)
				return
			}
		}
	}()
	return e
}

// ReadLine shows prompt and returns the line typed, without its end. It
// returns io.EOF at Ctrl-D on an empty line or at the input's end,
// ErrInterrupted at a second Ctrl-C in a row, and ctx's error when ctx
// ends.
func (e *LineEditor) ReadLine(ctx context.Context, prompt string) (string, error) {
	return e.read(ctx, prompt, false)
}

// ReadHidden is ReadLine without echo, for a secret.
func (e *LineEditor) ReadHidden(ctx context.Context, prompt string) (string, error) {
	return e.read(ctx, prompt, true)
}

func (e *LineEditor) read(ctx context.Context, prompt string, hidden bool) (string, error) {
	// A command asking for a line (the key) reads the keys itself.
	e.stopWatch()
	defer e.startWatch()
	e.mu.Lock()
	e.prompt, e.buf, e.editing, e.hidden = prompt, nil, true, hidden
	e.writeLocked(prompt)
	pending := e.typeahead
	e.typeahead = nil
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.editing, e.buf, e.hidden = false, nil, false
		e.mu.Unlock()
	}()
	var partial []byte // the bytes of a rune not yet complete
	for {
		var c byte
		if len(pending) > 0 {
			c, pending = pending[0], pending[1:]
		} else {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case k, ok := <-e.keys:
				if !ok {
					return "", io.EOF
				}
				c = k
			}
		}
		line, done, err := e.key(c, &partial, &pending)
		if done || err != nil {
			return line, err
		}
	}
}

// key applies one byte to the line being read.
func (e *LineEditor) key(c byte, partial *[]byte, pending *[]byte) (line string, done bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ctrlC := c == keyCtrlC
	defer func() { e.lastCtrlC = ctrlC }()
	switch {
	case ctrlC:
		if e.lastCtrlC {
			e.writeLocked("^C\n")
			return "", false, ErrInterrupted
		}
		e.buf = nil
		hint := ""
		if !e.hinted {
			hint = "(the line is cleared; Ctrl-C again or Ctrl-D leaves)\n"
			e.hinted = true
		}
		e.writeLocked("^C\n" + hint + e.prompt)
	case c == keyCtrlD:
		if len(e.buf) == 0 {
			e.writeLocked("\n")
			return "", false, io.EOF
		}
	case c == '\r' || c == '\n':
		e.writeLocked("\n")
		return string(e.buf), true, nil
	case c == keyBackspace || c == keyCtrlH:
		if len(e.buf) > 0 {
			e.buf = e.buf[:len(e.buf)-1]
			e.redrawLocked()
		}
	case c == keyCtrlU:
		e.buf = nil
		e.redrawLocked()
	case c == keyCtrlW:
		s := strings.TrimRight(string(e.buf), " ")
		if i := strings.LastIndex(s, " "); i >= 0 {
			s = s[:i+1]
		} else {
			s = ""
		}
		e.buf = []rune(s)
		e.redrawLocked()
	case c == keyEsc:
		// A cursor key's sequence (ESC [ A …): skipped whole.
		e.skipEscapeLocked(pending)
	case c < 0x20:
		// Other control keys: ignored.
	default:
		*partial = append(*partial, c)
		if !utf8.FullRune(*partial) {
			return "", false, nil
		}
		r, _ := utf8.DecodeRune(*partial)
		*partial = (*partial)[:0]
		e.buf = append(e.buf, r)
		if !e.hidden {
			e.writeLocked(string(r))
		}
	}
	return "", false, nil
}

// skipEscapeLocked drops the rest of an escape sequence: "[" or "O", then
// bytes up to a letter or "~".
func (e *LineEditor) skipEscapeLocked(pending *[]byte) {
	next := func() (byte, bool) {
		if len(*pending) > 0 {
			c := (*pending)[0]
			*pending = (*pending)[1:]
			return c, true
		}
		select {
		case c, ok := <-e.keys:
			return c, ok
		default:
			return 0, false
		}
	}
	c, ok := next()
	if !ok || (c != '[' && c != 'O') {
		return
	}
	for {
		c, ok = next()
		if !ok || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '~' {
			return
		}
	}
}

// redrawLocked draws the prompt and the line again on their row.
func (e *LineEditor) redrawLocked() {
	line := string(e.buf)
	if e.hidden {
		line = ""
	}
	e.writeLocked(clearLine + e.prompt + line)
}

// Print writes text (complete lines) as its own lines: above the line
// being typed when one is, which is then drawn again, so that output
// arriving at any time never mixes with what the person types.
func (e *LineEditor) Print(text string) {
	if text == "" {
		return
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.editing {
		e.writeLocked(text)
		return
	}
	e.writeLocked(clearLine + text)
	e.redrawLocked()
}

// WhileBusy watches the keys while a command runs: Ctrl-C calls cancel
// (the command alone stops; the session goes on), anything else is kept
// for the next line. A line read meanwhile (the command asks for the API
// key) pauses the watch. The returned stop ends it.
func (e *LineEditor) WhileBusy(cancel func()) (stop func()) {
	e.mu.Lock()
	e.busyCancel = cancel
	e.mu.Unlock()
	e.startWatch()
	return func() {
		e.mu.Lock()
		e.busyCancel = nil
		e.mu.Unlock()
		e.stopWatch()
	}
}

func (e *LineEditor) startWatch() {
	e.mu.Lock()
	cancel := e.busyCancel
	if cancel == nil || e.watchStop != nil {
		e.mu.Unlock()
		return
	}
	done, finished := make(chan struct{}), make(chan struct{})
	e.watchStop = func() {
		close(done)
		<-finished
	}
	e.mu.Unlock()
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case c, ok := <-e.keys:
				if !ok {
					return
				}
				e.mu.Lock()
				if c == keyCtrlC {
					e.writeLocked("^C (stopping this command)\n")
					e.mu.Unlock()
					cancel()
					continue
				}
				e.typeahead = append(e.typeahead, c)
				e.mu.Unlock()
			}
		}
	}()
}

func (e *LineEditor) stopWatch() {
	e.mu.Lock()
	stop := e.watchStop
	e.watchStop = nil
	e.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// writeLocked writes to the terminal; in raw mode the terminal still
// turns "\n" into a new line at its start (output processing stays on).
func (e *LineEditor) writeLocked(s string) {
	_, _ = io.WriteString(e.out, s)
}

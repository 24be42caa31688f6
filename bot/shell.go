package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
)

// ShellCore is what the terminal adapter needs of *commands.Core.
type ShellCore interface {
	Handle(ctx context.Context, req commands.Request) reply.Message
	SubmitForm(ctx context.Context, s commands.Submission) (reply.Message, error)
}

// Shell is the terminal adapter: it reads one command per line (the text
// after /paas), runs it and prints the reply as plain text. It also
// implements approvals.Notifier (and the core's and the scheduler's
// smaller ones) by printing, so approval progress, alerts and private
// notes show up in the same terminal.
type Shell struct {
	In  io.Reader
	Out io.Writer
	// Team, User and Channel identify the local person ("local", $USER,
	// "shell").
	Team, User, Channel string
	// Interactive shows a prompt before each line.
	Interactive bool
	// ReadSecret reads a secret (the API key) after showing prompt. Nil:
	// the next input line is read, as with a pipe.
	ReadSecret func(prompt string) (string, error)
	// Logger receives the detail of internal errors, under the ref the
	// shell prints (nil: not logged).
	Logger *slog.Logger
	// Editor, when set, reads the lines from a terminal in raw mode (In
	// is then unused): Ctrl-C clears the line or stops the command
	// running, output arriving meanwhile is printed above the line being
	// typed, and the API key is read without echo.
	Editor *LineEditor

	mu     sync.Mutex
	nextID int
	lines  *bufio.Scanner
	shown  map[reply.Ref]shown // what each posted message last showed
}

// Prompt is shown before each line in interactive mode.
const Prompt = "paas> "

var _ approvals.Notifier = (*Shell)(nil)

// Run reads and runs commands until EOF, "quit" or "exit", or ctx ends.
// A malformed line prints one error line and the shell goes on; Run
// returns an error only when reading or writing fails.
func (s *Shell) Run(ctx context.Context, core ShellCore) error {
	if s.Editor != nil {
		return s.runEditor(ctx, core)
	}
	s.lines = bufio.NewScanner(s.In)
	s.lines.Buffer(make([]byte, 64*1024), 1<<20)
	for {
		if ctx.Err() != nil {
			return nil
		}
		if s.Interactive {
			s.write(Prompt)
		}
		if !s.lines.Scan() {
			if err := s.lines.Err(); err != nil {
				return fmt.Errorf("read input: %w", err)
			}
			if s.Interactive {
				s.write("\n")
			}
			return nil
		}
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s.lines.Text()), "/paas"))
		switch strings.ToLower(text) {
		case "":
			continue
		case "quit", "exit":
			return nil
		}
		s.runLine(ctx, core, text)
	}
}

// runEditor is Run on a terminal: a second Ctrl-C in a row or Ctrl-D
// ends the session; Ctrl-C while a command runs stops that command only.
func (s *Shell) runEditor(ctx context.Context, core ShellCore) error {
	for {
		line, err := s.Editor.ReadLine(ctx, Prompt)
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, ErrInterrupted), ctx.Err() != nil:
			return nil
		case err != nil:
			return fmt.Errorf("read input: %w", err)
		}
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "/paas"))
		switch strings.ToLower(text) {
		case "":
			continue
		case "quit", "exit":
			return nil
		}
		cmdCtx, cancel := context.WithCancel(ctx)
		stop := s.Editor.WhileBusy(cancel)
		s.runLine(cmdCtx, core, text)
		stop()
		cancel()
	}
}

// runLine runs one command; "login --apikey KEY" is read here so the key
// never goes through the command parser or the history of replies.
func (s *Shell) runLine(ctx context.Context, core ShellCore, text string) {
	if key, ok, err := loginKey(text); ok {
		if err != nil {
			s.print(reply.Message{Tone: reply.Error, Text: err.Error()})
			return
		}
		s.submitLogin(ctx, core, key)
		return
	}
	m := core.Handle(ctx, commands.Request{Team: s.Team, User: s.User, UserName: s.User, Channel: s.Channel, Text: text, Terminal: true})
	s.print(m)
	if m.Form != nil && len(m.Form.Fields) == 0 {
		key, err := s.readSecret(m.Form)
		if err != nil {
			s.print(reply.Message{Tone: reply.Error, Text: err.Error()})
			return
		}
		if m.Form.ID == commands.FormLogin {
			s.submitLogin(ctx, core, key)
			return
		}
		s.submit(ctx, core, m.Form.ID, key)
	}
}

// loginKey recognises "login --apikey KEY" / "login --apikey=KEY".
func loginKey(text string) (key string, ok bool, err error) {
	f := strings.Fields(text)
	if len(f) < 2 || strings.ToLower(f[0]) != "login" {
		return "", false, nil
	}
	switch {
	case strings.HasPrefix(f[1], "--apikey="):
		return strings.TrimPrefix(f[1], "--apikey="), true, nil
	case f[1] == "--apikey":
		if len(f) < 3 {
			return "", true, errors.New("--apikey needs the key after it")
		}
		return f[2], true, nil
	}
	return "", false, nil
}

func (s *Shell) submitLogin(ctx context.Context, core ShellCore, key string) {
	s.submit(ctx, core, commands.FormLogin, key)
}

func (s *Shell) submit(ctx context.Context, core ShellCore, form, value string) {
	m, err := core.SubmitForm(ctx, commands.Submission{Team: s.Team, User: s.User, Channel: s.Channel, FormID: form, Value: value})
	if err != nil {
		msg := apperr.Message(ctx, s.Logger, "form refused with an internal error", err, "form", form)
		s.print(reply.Message{Tone: reply.Error, Text: msg})
		return
	}
	s.print(m)
}

func (s *Shell) readSecret(f *reply.Form) (string, error) {
	prompt := f.Label
	if prompt == "" {
		prompt = f.Title
	}
	prompt += ": "
	if s.ReadSecret != nil {
		return s.ReadSecret(prompt)
	}
	if s.Editor != nil {
		return s.Editor.ReadHidden(context.Background(), prompt+"(hidden) ")
	}
	if !s.Interactive {
		// The next piped line is the next command, not a key: reading
		// it as one would send a command to Gandi as a key, or leave a
		// key in a script for the next reader of its input.
		return "", errPipedSecret
	}
	s.write(prompt + "(visible as you type) ")
	if !s.lines.Scan() {
		return "", errors.New("no input for " + strings.TrimSuffix(prompt, ": "))
	}
	return strings.TrimSpace(s.lines.Text()), nil
}

// errPipedSecret is login without a key when the input is a pipe.
var errPipedSecret = errors.New("in a pipe, login takes its key on the line: login --apikey KEY (or start the shell with --apikey KEY)")

func (s *Shell) print(m reply.Message) {
	out := RenderPlain(m)
	if out == "" {
		return
	}
	s.write(out + "\n")
}

func (s *Shell) write(text string) {
	if s.Editor != nil {
		s.Editor.Print(text)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = io.WriteString(s.Out, text)
}

// Post prints m as a message posted in channel.
func (s *Shell) Post(_ context.Context, channel string, m reply.Message) (reply.Ref, error) {
	s.mu.Lock()
	s.nextID++
	id := strconv.Itoa(s.nextID)
	s.mu.Unlock()
	ref := reply.Ref{Channel: channel, ID: id}
	s.mu.Lock()
	if s.shown == nil {
		s.shown = map[reply.Ref]shown{}
	}
	s.shown[ref] = shownOf(m)
	s.mu.Unlock()
	s.write("#" + channel + ":\n" + RenderPlain(m) + "\n")
	return ref, nil
}

// PostThread prints a reply in the thread of parent (an operation's
// progress, one reply per step) as one line: a terminal shows each step
// once, not the whole request again.
func (s *Shell) PostThread(_ context.Context, parent reply.Ref, m reply.Message) (reply.Ref, error) {
	s.mu.Lock()
	s.nextID++
	id := strconv.Itoa(s.nextID)
	s.mu.Unlock()
	s.write("  ↳ " + OneLine(m) + "\n")
	return reply.Ref{Channel: parent.Channel, ID: id}, nil
}

// Update prints what changed in an earlier message, a line per change:
// its title and first line when they moved, and each row of its table
// that is new or moved (an operation's step). A request followed to its
// end thus shows one line per step, never the whole request again.
func (s *Shell) Update(_ context.Context, ref reply.Ref, m reply.Message) error {
	s.mu.Lock()
	prev := s.shown[ref]
	next := shownOf(m)
	if s.shown == nil {
		s.shown = map[reply.Ref]shown{}
	}
	s.shown[ref] = next
	s.mu.Unlock()
	var b strings.Builder
	if next.head != prev.head {
		b.WriteString("  ↻ " + next.head + "\n")
	}
	for _, k := range next.order {
		if row := next.rows[k]; prev.rows[k] != row {
			b.WriteString("    " + row + "\n")
		}
	}
	s.write(b.String())
	return nil
}

// shown is what the terminal last showed of a message: its one line and
// its table's rows by their first cell.
type shown struct {
	head  string
	rows  map[string]string
	order []string
}

func shownOf(m reply.Message) shown {
	sh := shown{head: OneLine(m), rows: map[string]string{}}
	if m.Table != nil {
		for _, r := range m.Table.Rows {
			if len(r) == 0 {
				continue
			}
			var cells []string
			for _, c := range r {
				if c = strings.TrimSpace(plainText(c)); c != "" {
					cells = append(cells, c)
				}
			}
			sh.rows[r[0]] = strings.Join(cells, "  ")
			sh.order = append(sh.order, r[0])
		}
	}
	return sh
}

// OneLine is m as one plain line: its tone, its title, then the first
// line of its text.
func OneLine(m reply.Message) string {
	prefix := map[reply.Tone]string{reply.Success: "✓ ", reply.Warning: "! ", reply.Error: "error: "}[m.Tone]
	first := ""
	if t := strings.TrimSpace(plainText(m.Text)); t != "" {
		first, _, _ = strings.Cut(t, "\n")
	}
	switch {
	case m.Title != "" && first != "":
		return prefix + m.Title + ": " + first
	case m.Title != "":
		return prefix + m.Title
	}
	return prefix + first
}

// PostPrivate prints m marked as private.
func (s *Shell) PostPrivate(_ context.Context, _, _ string, m reply.Message) error {
	s.write("(private to you)\n" + RenderPlain(m) + "\n")
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/telemetry"
)

// shellTeam and shellChannel identify the terminal in the store and in
// approval requests.
const (
	shellTeam    = "local"
	shellChannel = "shell"
)

// runShell is the terminal adapter: `paasbot shell [--sandbox]
// [--gandi-url URL] [--apikey KEY] [--user NAME] [--db PATH]`. It reads
// and checks the same configuration as run (the settings and their flags),
// so a bad setting stops it at start with one line naming it.
func runShell(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("shell", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	sandbox := fs.Bool("sandbox", false, "run on the built-in Gandi simulator with demo data and a demo key (and a throw-away database unless --db)")
	apiKey := fs.String("apikey", "", "store and use this Gandi API key for the user")
	user := fs.String("user", "", "who you are (default $USER, or local)")
	opTime := fs.Duration("operation-time", gandisim.DefaultOperationTime, "with --sandbox: time an operation takes from BILL to DONE")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: paasbot shell [--sandbox [--operation-time D]] [--gandi-url URL] [--apikey KEY] [--user NAME] [--db PATH] [flags]")
		fs.PrintDefaults()
	}
	read := registerSettings(fs, forShell)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "paasbot shell: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if err := checkOperationTime(fs, *sandbox, *opTime); err != nil {
		fmt.Fprintf(env.stderr, "paasbot shell: %v\n", err)
		return errUsage
	}
	cfg, err := read(env.getenv)
	if err != nil {
		return err
	}
	who := strings.TrimSpace(*user)
	if who == "" {
		who = strings.TrimSpace(env.getenv("USER"))
	}
	if who == "" {
		who = "local"
	}
	logger, err := cfg.shellLogger(env.stderr)
	if err != nil {
		return err
	}

	url := cfg.GandiURL
	key := secret.Value(*apiKey)
	if *sandbox {
		stop, simURL, err := startSandbox(ctx, *opTime)
		if err != nil {
			return err
		}
		defer stop()
		if !cfg.flagged("PAASBOT_GANDI_URL") {
			url = simURL
		}
		if key == "" {
			key = gandisim.DemoAPIKey
		}
	}

	// DESIGN §3: without a database named (--db, or PAASBOT_DB outside
	// the sandbox) the shell keeps nothing: a throw-away database and
	// secret, so that `shell --gandi-url URL --apikey KEY` needs no
	// PAASBOT_SECRET_KEY.
	throwaway := !cfg.flagged("PAASBOT_DB") && (*sandbox || !cfg.given("PAASBOT_DB"))
	db, cleanup, err := openShellStore(ctx, cfg, throwaway, logger)
	if err != nil {
		return err
	}
	defer cleanup()

	id := store.Identity{Team: shellTeam, User: who}
	if key != "" {
		if _, err := db.PutAPIKey(ctx, id, key); err != nil {
			return fmt.Errorf("store the API key: %w", err)
		}
	}
	// No Timeout: each gandi.Client bounds its own calls, a paid one
	// longer than a read (see gandiClients).
	httpClient := &http.Client{}
	// Before the sandbox stops (deferred earlier, so run later): a
	// connection dialled but never used would hold its Shutdown.
	defer httpClient.CloseIdleConnections()
	restoreTerm := func() {}
	sh := &bot.Shell{In: env.stdin, Out: env.stdout, Team: shellTeam, User: who, Channel: shellChannel,
		Interactive: isTerminal(env.stdin), Logger: logger.With("component", "shell")}
	if sh.Interactive {
		// A terminal: paasbot edits the line itself (raw mode), so that
		// Ctrl-C clears it or stops the command running rather than
		// killing the session, and progress prints above the line typed.
		f := env.stdin.(*os.File)
		if restore, err := makeRaw(f); err == nil {
			// Put back at the end of the session, before waiting for
			// operations, so that Ctrl-C stops that wait.
			restoreTerm = sync.OnceFunc(restore)
			defer restoreTerm()
			sh.Editor = bot.NewLineEditor(f, env.stdout)
		} else {
			logger.Warn("the terminal's line is edited by the terminal itself: Ctrl-C ends the shell", "error", err.Error())
			sh.ReadSecret = readSecretNoEcho(env)
		}
	}
	newGandi := newGandiClients(url, httpClient)
	// Approval requests and alerts post into the terminal like any other
	// channel message.
	p, err := wire(wiring{db: db, gandi: newGandi, notifier: sh, approvers: cfg.Approvers, ttl: cfg.ApprovalTTL,
		tz: cfg.TZ.String(), logger: logger})
	if err != nil {
		return err
	}
	engine, scheduler, core := p.engine, p.sched, p.core
	// Approvals: what stopped processes left is settled (a live `paasbot
	// run` on the same database keeps its own), overdue requests expire.
	if err := engine.Start(ctx); err != nil {
		return fmt.Errorf("start the approvals: %w", err)
	}
	defer engine.Close()
	schedCtx, stopSched := context.WithCancel(ctx)
	if err := scheduler.Start(schedCtx); err != nil {
		stopSched()
		return fmt.Errorf("start the alerts scheduler: %w", err)
	}
	defer func() {
		stopSched()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = scheduler.Stop(sctx)
	}()
	if sh.Interactive {
		where := url
		if *sandbox {
			where = "the built-in simulator (demo data)"
		}
		fmt.Fprintf(env.stdout, "paasbot shell as %s on %s. Type help, or quit.\n", who, where)
	}
	if err := sh.Run(ctx, core); err != nil {
		return err
	}
	restoreTerm()
	// Show how the last approved operations end before exiting, within
	// reason; Ctrl-C stops waiting (their progress is saved and resumed at
	// the next start on the same database).
	wctx, cancel := context.WithTimeout(ctx, followUpGrace)
	defer cancel()
	if err := engine.WaitFollowUps(wctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(env.stdout, "Stopped following operations still running after %s; `approvals` and `info` show where they are.\n", followUpGrace)
	}
	return nil
}

// followUpGrace is how long the shell waits at the end of its input for
// operations it follows to finish (the sandbox's take about 10 s).
const followUpGrace = 30 * time.Second

// checkOperationTime accepts --operation-time only with --sandbox, and
// only positive.
func checkOperationTime(fs *flag.FlagSet, sandbox bool, d time.Duration) error {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "operation-time" })
	switch {
	case given && !sandbox:
		return errors.New("--operation-time needs --sandbox: it sets the built-in simulator's pace")
	case d <= 0:
		return fmt.Errorf("--operation-time must be positive, not %v", d)
	}
	return nil
}

// startSandbox serves a seeded simulator on 127.0.0.1, its operations
// taking opTime from BILL to DONE, and returns how to stop it and its URL.
func startSandbox(ctx context.Context, opTime time.Duration) (stop func(), url string, err error) {
	sim := gandisim.New(gandisim.Options{Seed: 1, OperationTime: opTime})
	sim.SeedDemo(gandisim.DemoAPIKey, 12)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("sandbox: listen: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop = func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	return stop, "http://" + ln.Addr().String() + "/xmlrpc/", nil
}

// openShellStore opens the database: with throwaway (--sandbox without
// --db) a throw-away one with a throw-away secret in a temporary
// directory, otherwise cfg's (--db, PAASBOT_DB) with its secret.
func openShellStore(ctx context.Context, cfg *config, throwaway bool, logger *slog.Logger) (*store.DB, func(), error) {
	if throwaway {
		dir, err := os.MkdirTemp("", "paasbot-shell-")
		if err != nil {
			return nil, nil, fmt.Errorf("sandbox: temporary directory: %w", err)
		}
		dbSecret, _, err := store.NewSecret()
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		db, err := store.Open(ctx, filepath.Join(dir, "paasbot.db"), dbSecret, store.WithLogger(logger))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, nil
	}
	path := cfg.DB
	dbSecret, err := cfg.storeSecret()
	if errors.Is(err, store.ErrNoSecret) {
		return nil, nil, fmt.Errorf("%s: PAASBOT_SECRET_KEY or PAASBOT_SECRET_KEY_FILE must be set to open a database (or name none: the shell then keeps nothing)", cfg.DBName())
	}
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, path, dbSecret, store.WithLogger(logger), store.WithLeaseTTL(cfg.LeaseTTL))
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// shellLogger is the shell's logger on w: text at level warn, so that the
// terminal shows the replies and not the bot's own lines, unless
// PAASBOT_LOG_LEVEL or PAASBOT_LOG_FORMAT (or their flags) say otherwise.
func (c *config) shellLogger(w io.Writer) (*slog.Logger, error) {
	level, format := "warn", telemetry.FormatText
	if c.given("PAASBOT_LOG_LEVEL") {
		level = c.LogLevel
	}
	if c.given("PAASBOT_LOG_FORMAT") {
		format = c.LogFormat
	}
	return telemetry.NewLogger(w, format, level)
}

// isTerminal reports whether r is a character device (a terminal), so
// that a pipe gets no prompt.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readSecretNoEcho reads one line from the terminal with echo turned off
// by stty (golang.org/x/term is not a dependency). Without stty the key is
// read visibly and the prompt says so.
func readSecretNoEcho(env *environment) func(prompt string) (string, error) {
	return func(prompt string) (string, error) {
		f, _ := env.stdin.(*os.File)
		hidden := false
		if f != nil {
			cmd := exec.Command("stty", "-echo")
			cmd.Stdin = f
			hidden = cmd.Run() == nil
		}
		if hidden {
			fmt.Fprint(env.stdout, prompt+"(hidden) ")
			defer func() {
				cmd := exec.Command("stty", "echo")
				cmd.Stdin = f
				_ = cmd.Run()
				fmt.Fprintln(env.stdout)
			}()
		} else {
			fmt.Fprint(env.stdout, prompt+"(visible as you type) ")
		}
		var b strings.Builder
		buf := make([]byte, 1)
		for {
			n, err := env.stdin.Read(buf)
			if n == 1 {
				if buf[0] == '\n' {
					break
				}
				b.WriteByte(buf[0])
			}
			if err != nil {
				if b.Len() > 0 {
					break
				}
				return "", fmt.Errorf("read the key: %w", err)
			}
		}
		return strings.TrimSpace(b.String()), nil
	}
}

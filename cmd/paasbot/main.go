// Command paasbot is a Slack chat-ops bot for Gandi Simple Hosting (PaaS)
// instances. See README.md for what each subcommand does.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// subcommand is one verb of the command line. Each lives in its own file
// and receives its arguments after the verb.
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what a subcommand may touch of the process: streams and
// the process environment, injected so that tests can drive main.
type environment struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

func subcommands() []subcommand {
	return []subcommand{
		{"run", "connect to Slack in socket mode and serve /paas", runRun},
		{"shell", "the same bot in a terminal (--sandbox: on the built-in simulator)", runShell},
		{"sim", "serve the Gandi PaaS API simulator over XML-RPC", runSim},
		{"backup", "write a consistent copy of the database while the bot runs", runBackup},
		{"rotate-secret", "re-encrypt every stored API key under a new secret", runRotateSecret},
		{"version", "print version and build information", runVersion},
	}
}

// errUsage marks an error already explained to the user; main exits 2.
var errUsage = errors.New("usage error")

// errHelp marks a -h already answered with the usage; main exits 0.
var errHelp = errors.New("help shown")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code and
// one line on stderr.
func run(ctx context.Context, env *environment, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, sc := range subcommands() {
		if sc.name != args[0] {
			continue
		}
		err := sc.run(ctx, env, args[1:])
		switch {
		case err == nil, errors.Is(err, errHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(env.stderr, "paasbot %s: %v\n", sc.name, err)
			return 1
		}
	}
	fmt.Fprintf(env.stderr, "paasbot: unknown command %q\n", args[0])
	usage(env.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: paasbot <command> [flags]")
	fmt.Fprintln(w)
	for _, sc := range subcommands() {
		fmt.Fprintf(w, "  %-14s %s\n", sc.name, sc.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'paasbot <command> -h' for the flags of a command.")
}

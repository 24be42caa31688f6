package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi/gandisim"
)

// keyList collects a repeatable --apikey flag.
type keyList []string

func (k *keyList) String() string { return strings.Join(*k, ",") }

func (k *keyList) Set(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return errors.New("empty API key")
	}
	*k = append(*k, v)
	return nil
}

// runSim serves the Gandi PaaS simulator until ctx is done (Ctrl-C).
func runSim(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	var keys keyList
	fs.Var(&keys, "apikey", "API key to accept, repeatable (default: the demo key "+gandisim.DemoAPIKey+")")
	instances := fs.Int("instances", 12, "demo instances per API key")
	seed := fs.Int64("seed", 1, "seed of the demo data and of fault injection")
	latency := fs.Duration("latency", 0, "delay added to every answer, e.g. 50ms")
	faultRate := fs.Float64("fault-rate", 0, "probability (0..1) of answering a fault instead")
	faultCode := fs.Int("fault-code", gandisim.CodeInternal, "code of injected faults (510199 = TOOMANY)")
	httpErrRate := fs.Float64("http-error-rate", 0, "probability (0..1) of answering HTTP 503 instead")
	slowRate := fs.Float64("slow-rate", 0, "probability (0..1) of delaying an answer by --slow-latency")
	slowLatency := fs.Duration("slow-latency", 2*time.Second, "extra delay of slow answers")
	opTime := fs.Duration("operation-time", gandisim.DefaultOperationTime, "time an operation takes from BILL to DONE")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: paasbot sim [--addr 127.0.0.1:8080] [--apikey KEY]... [--instances N] [--seed N] [--latency D]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "paasbot sim: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *instances < 0 || *latency < 0 || *slowLatency < 0 || *opTime <= 0 || !isRate(*faultRate) || !isRate(*httpErrRate) || !isRate(*slowRate) {
		fmt.Fprintln(env.stderr, "paasbot sim: --instances, --latency, --slow-latency and --operation-time must be positive, rates within 0..1")
		return errUsage
	}
	level := slog.LevelInfo
	if v := env.getenv("PAASBOT_LOG_LEVEL"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			fmt.Fprintf(env.stderr, "paasbot sim: PAASBOT_LOG_LEVEL=%q: want debug, info, warn or error\n", v)
			return errUsage
		}
	}
	if len(keys) == 0 {
		keys = keyList{gandisim.DemoAPIKey}
	}
	// PAASBOT_LOG_LEVEL=debug logs one line per call (never the API key).
	logger := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: level}))
	sim := gandisim.New(gandisim.Options{
		Seed: *seed, Latency: *latency, Logger: logger, OperationTime: *opTime,
		FaultRate: *faultRate, FaultCode: *faultCode, HTTPErrorRate: *httpErrRate,
		SlowRate: *slowRate, SlowLatency: *slowLatency,
	})
	for _, k := range keys {
		sim.SeedDemo(k, *instances)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(env.stdout, "Gandi PaaS simulator at http://%s/xmlrpc/\n", ln.Addr())
	fmt.Fprintf(env.stdout, "accepted API keys (%d demo instances each):\n", *instances)
	for _, k := range keys {
		fmt.Fprintf(env.stdout, "  %s\n", k)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	fmt.Fprintln(env.stdout, "simulator stopped")
	return nil
}

func isRate(f float64) bool { return f >= 0 && f <= 1 }

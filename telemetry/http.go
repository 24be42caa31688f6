package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Timeouts of the health and metrics server.
const (
	// ReadyTimeout bounds one readiness check, so that a stuck store or
	// Slack connection answers 503 rather than hanging the probe.
	ReadyTimeout = 3 * time.Second
	// ShutdownTimeout bounds how long ServeListener waits for requests in
	// flight once its context ends.
	ShutdownTimeout = 5 * time.Second
	// maxReasonLen bounds the reason /readyz prints.
	maxReasonLen = 200
)

// NewHTTPHandler serves the operator endpoints:
//
//   - /healthz: 200 "ok" as long as the process serves HTTP (liveness);
//   - /readyz: 200 "ready" when ready(ctx) returns nil, else 503 with the
//     error's first line, Slack tokens scrubbed (readiness). ready should
//     check that Slack is connected and the store answers, and return
//     errors that name what is wrong without secrets. A nil ready is
//     always ready;
//   - /metrics: the Prometheus text format of gatherer; when gatherer is
//     nil, of the registry m was registered with if it can gather, else
//     of prometheus.DefaultGatherer.
func NewHTTPHandler(m *Metrics, gatherer prometheus.Gatherer, ready func(ctx context.Context) error) http.Handler {
	if gatherer == nil {
		gatherer = prometheus.DefaultGatherer
		if m != nil && m.gatherer != nil {
			gatherer = m.gatherer
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writePlain(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready == nil {
			writePlain(w, http.StatusOK, "ready")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
		defer cancel()
		if err := ready(ctx); err != nil {
			writePlain(w, http.StatusServiceUnavailable, "not ready: "+reason(err))
			return
		}
		writePlain(w, http.StatusOK, "ready")
	})
	// ContinueOnError: one failing collector (a sandbox hiding /proc/stat
	// from the process collector) must not blank the whole page.
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return mux
}

func writePlain(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = fmt.Fprintln(w, body)
}

// reason turns a readiness error into one short, token-free line.
func reason(err error) string {
	s := err.Error()
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = scrubTokens(s)
	if len(s) > maxReasonLen {
		s = s[:maxReasonLen] + "…"
	}
	return s
}

// ServeListener serves h on ln, a listener the caller opened (cmd/paasbot
// listens on PAASBOT_HTTP_ADDR first, so that a port in use stops start-up
// naming the setting; tests listen on 127.0.0.1:0 and read the port), until
// ctx ends, then shuts down, giving requests in flight ShutdownTimeout to
// finish. It closes ln and returns nil after a clean stop, or the error
// that prevented serving.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// Requests keep the values of ctx (request ids) but not its
		// cancellation: Shutdown lets them finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	logger.InfoContext(ctx, "health and metrics server listening", "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		// Serve failed on its own (the listener broke).
		return fmt.Errorf("health and metrics server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if err != nil {
		_ = srv.Close() // the deadline passed: drop what is left
	}
	if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("health and metrics server shutdown: %w", err)
	}
	logger.InfoContext(ctx, "health and metrics server stopped")
	return nil
}

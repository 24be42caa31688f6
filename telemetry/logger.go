// Package telemetry is what an operator sees of a running paasbot:
// structured logs (log/slog) with request ids and secrets redacted,
// Prometheus metrics, and the /healthz, /readyz and /metrics endpoints.
//
// It imports only package secret (whose placeholder it masks attributes
// with), so every package may use its context helpers; only cmd/paasbot
// builds the logger, the metrics and the HTTP server, and passes them down.
package telemetry

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Log formats accepted by NewLogger and ParseFormat.
const (
	FormatAuto = "auto" // text on a terminal, JSON otherwise
	FormatJSON = "json"
	FormatText = "text"
)

// ParseLevel parses a PAASBOT_LOG_LEVEL value: debug, info, warn (or
// warning) or error, in any case. The empty string means info. The error
// names the refused value and the accepted ones.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q not recognised; expected debug, info, warn or error", s)
}

// ParseFormat normalises a PAASBOT_LOG_FORMAT value: auto (or empty), json
// or text, in any case.
func ParseFormat(s string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(s)); f {
	case "", FormatAuto:
		return FormatAuto, nil
	case FormatJSON, FormatText:
		return f, nil
	}
	return "", fmt.Errorf("log format %q not recognised; expected auto, json or text", s)
}

// NewLogger returns the process logger writing to w: JSON or text per
// format ("auto" or "" picks text when w is a terminal, JSON otherwise, so
// that journald, Docker and Kubernetes get JSON), at the given level (see
// ParseLevel). Records pass through the redacting handler, and those logged
// with a context carrying a request id get a "request_id" attribute.
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	f, err := ParseFormat(format)
	if err != nil {
		return nil, err
	}
	if f == FormatAuto {
		f = FormatJSON
		if isTerminal(w) {
			f = FormatText
		}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	if f == FormatText {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(NewRequestIDHandler(NewRedactingHandler(h))), nil
}

// isTerminal reports whether w is a character device such as a terminal.
// /dev/null also is one; logging text there harms nobody.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}

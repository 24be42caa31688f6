package telemetry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

// The cost of redaction and request ids over slog's own JSON handler, for
// a typical command log line.
func BenchmarkLogLine(b *testing.B) {
	ctx := WithRequestID(context.Background(), NewRequestID())
	err := errors.New("paas.info: fault 537542")
	ours, lerr := NewLogger(io.Discard, FormatJSON, "info")
	if lerr != nil {
		b.Fatal(lerr)
	}
	for _, bc := range []struct {
		name string
		l    *slog.Logger
	}{
		{"slog-json", slog.New(slog.NewJSONHandler(io.Discard, nil))},
		{"telemetry", ours},
	} {
		l := bc.l.With("component", "commands")
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.InfoContext(ctx, "command done", "command", "info", "user", "U012AB3CD",
					"instance", "shop-prod", "took", 42*time.Millisecond, "err", err)
			}
		})
	}
}

func BenchmarkObserveGandiCall(b *testing.B) {
	m := NewMetrics(nil)
	err := &codedFault{537542}
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveGandiCall("paas.info", 40*time.Millisecond, err)
	}
}

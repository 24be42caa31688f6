package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/paasbot/paasbot/internal/clock"
)

// approvalGaugeEvery is how often run recounts approval requests per state
// for the paasbot_approvals gauge: one GROUP BY on a small table, cheap
// enough to keep the gauge within a scrape interval or two of the truth.
const approvalGaugeEvery = 30 * time.Second

// approvalCounter counts approval requests per state (the store).
type approvalCounter interface {
	ApprovalCounts(ctx context.Context) (map[string]int, error)
}

// approvalGauge receives those counts (the metrics).
type approvalGauge interface {
	SetApprovalCounts(counts map[string]int)
}

// approvalGaugeRefresher keeps the paasbot_approvals gauge in step with the
// store. The gauge counts what the database holds, so it stays right across
// restarts and whichever process changed a request.
type approvalGaugeRefresher struct {
	src    approvalCounter
	dst    approvalGauge
	every  time.Duration
	logger *slog.Logger
}

// refresh counts once. A failed count is logged and leaves the gauge as it
// was: stale numbers are better than a gauge that drops to nothing.
func (r *approvalGaugeRefresher) refresh(ctx context.Context) {
	counts, err := r.src.ApprovalCounts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.logger.WarnContext(ctx, "counting approval requests for the paasbot_approvals gauge", "error", err.Error())
		}
		return
	}
	r.dst.SetApprovalCounts(counts)
}

// run refreshes the gauge every r.every until ctx ends. The caller does the
// first refresh itself, before serving, so that the gauge is set from the
// first scrape on.
func (r *approvalGaugeRefresher) run(ctx context.Context) { clock.Every(ctx, r.every, r.refresh) }

// Package clock holds the one way paasbot waits: Sleep pauses for a
// duration or until the context ends, Every runs a job on a period until
// the context ends. Packages take a sleep function of Sleep's shape in
// their configuration (defaulting to Sleep) so that tests make time pass
// at once.
package clock

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends, whose error it then returns. A d of
// zero or less returns at once (with ctx's error, if it has ended).
func Sleep(ctx context.Context, d time.Duration) error {
	wait, stop := context.WithTimeout(ctx, d)
	defer stop()
	<-wait.Done()
	return ctx.Err()
}

// Every calls fn every period until ctx ends, the first time one period
// from now. fn runs on Every's goroutine, so runs never overlap.
func Every(ctx context.Context, period time.Duration, fn func(ctx context.Context)) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn(ctx)
		}
	}
}

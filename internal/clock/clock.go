// Package clock holds the one way paasbot waits: Sleep pauses for a
// duration or until the context ends. Packages take a sleep function of
// this shape in their configuration (defaulting to Sleep) so that tests
// make time pass at once.
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

package gandi

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OperationService calls operation.info and operation.list, and follows
// operations to their end.
type OperationService struct{ c *Client }

// Info answers operation.info for operation id.
func (s *OperationService) Info(ctx context.Context, id int) (*Operation, error) {
	var out Operation
	if err := s.c.read(ctx, "operation.info", &out, id); err != nil {
		return nil, err
	}
	return &out, nil
}

// Count answers operation.count: the number of operations matching opts
// (nil: all of the account's). Page is not sent: operation.count refuses
// the paging keys, and a listing passes the same options to both calls.
func (s *OperationService) Count(ctx context.Context, opts *OperationListOptions) (int, error) {
	var n int
	if opts != nil {
		o := *opts
		o.Page = Page{}
		opts = &o
	}
	err := s.c.read(ctx, "operation.count", &n, optArgs(opts)...)
	return orZero(n, err)
}

// List answers one page of operation.list: with PaasID, the operations of
// those instances (`/paas operations shop-prod`).
func (s *OperationService) List(ctx context.Context, opts *OperationListOptions) ([]Operation, error) {
	var out []Operation
	err := s.c.read(ctx, "operation.list", &out, optArgs(opts)...)
	return orZero(out, err)
}

// Defaults of WaitOptions.
const (
	DefaultWaitInitial     = 2 * time.Second
	DefaultWaitMax         = 30 * time.Second
	DefaultWaitMultiplier  = 2.0
	DefaultTransientErrors = 5
)

// WaitOptions tune Operations.Wait. The zero value uses the defaults.
type WaitOptions struct {
	// InitialInterval is the pause after the first poll (default 2s); each
	// pause is Multiplier (default 2) times the previous, capped at
	// MaxInterval (default 30s).
	InitialInterval time.Duration
	MaxInterval     time.Duration
	Multiplier      float64
	// OnProgress is called with the operation each time its step changes,
	// including the first poll, from the waiting goroutine.
	OnProgress func(Operation)
	// MaxTransientErrors is how many polls in a row may fail with a
	// transport error, an HTTP 5xx/429 or a "too many" fault before Wait
	// gives up (default 5; negative: none tolerated).
	MaxTransientErrors int
	// Sleep pauses for d or until ctx is done (tests inject a fake).
	// Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (o WaitOptions) withDefaults() WaitOptions {
	if o.InitialInterval <= 0 {
		o.InitialInterval = DefaultWaitInitial
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultWaitMax
	}
	if o.MaxInterval < o.InitialInterval {
		o.MaxInterval = o.InitialInterval
	}
	if o.Multiplier < 1 {
		o.Multiplier = DefaultWaitMultiplier
	}
	if o.MaxTransientErrors == 0 {
		o.MaxTransientErrors = DefaultTransientErrors
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	return o
}

// Wait polls operation.info until the operation is DONE or fails. It
// returns the final operation; for ERROR, SUPPORT or CANCEL it returns it
// with an *OperationError (matching ErrOperationFailed) carrying
// last_error. When ctx ends first it returns the last operation seen (nil
// if none) and an error wrapping ctx.Err(); a fault such as ErrNotFound
// ends the wait at once. Pauses grow from InitialInterval to MaxInterval.
func (s *OperationService) Wait(ctx context.Context, id int, opts WaitOptions) (*Operation, error) {
	opts = opts.withDefaults()
	var last *Operation
	var lastStep Step
	interval := opts.InitialInterval
	failures := 0
	for {
		op, err := s.Info(ctx, id)
		switch {
		case err == nil:
			failures = 0
			last = op
			if op.Step != lastStep || lastStep == "" {
				lastStep = op.Step
				if opts.OnProgress != nil {
					opts.OnProgress(*op)
				}
			}
			if op.Step == StepDone {
				return op, nil
			}
			if op.Step.IsFailure() {
				return op, &OperationError{Operation: *op}
			}
		case ctx.Err() != nil:
			return last, fmt.Errorf("gandi: waiting for operation %d: %w", id, ctx.Err())
		case isTransient(err) && failures < opts.MaxTransientErrors:
			failures++
		default:
			return last, fmt.Errorf("gandi: waiting for operation %d: %w", id, err)
		}
		if err := opts.Sleep(ctx, interval); err != nil {
			return last, fmt.Errorf("gandi: waiting for operation %d: %w", id, err)
		}
		interval = time.Duration(float64(interval) * opts.Multiplier)
		if interval > opts.MaxInterval {
			interval = opts.MaxInterval
		}
	}
}

// isTransient reports whether a failed poll is worth retrying.
func isTransient(err error) bool {
	if errors.Is(err, ErrTooManyRequests) {
		return true
	}
	var te *TransportError
	if errors.As(err, &te) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.StatusCode >= 500
	}
	var f *Fault
	if errors.As(err, &f) {
		return f.Qualification() == 1 && f.Cause() == 0 // internal server error (150000)
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

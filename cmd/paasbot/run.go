package main

import (
	"context"
	"errors"
)

func runRun(_ context.Context, _ *environment, _ []string) error {
	return errors.New("not built yet")
}

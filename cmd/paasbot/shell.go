package main

import (
	"context"
	"errors"
)

func runShell(_ context.Context, _ *environment, _ []string) error {
	return errors.New("not built yet")
}

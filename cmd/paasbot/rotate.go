package main

import (
	"context"
	"errors"
)

func runRotateSecret(_ context.Context, _ *environment, _ []string) error {
	return errors.New("not built yet")
}

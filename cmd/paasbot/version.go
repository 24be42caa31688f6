package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func runVersion(_ context.Context, env *environment, args []string) error {
	if len(args) > 0 {
		fmt.Fprintln(env.stderr, "usage: paasbot version")
		return errUsage
	}
	fmt.Fprintf(env.stdout, "paasbot %s\n", version)
	fmt.Fprintf(env.stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev, when, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = " (modified)"
				}
			}
		}
		if rev != "" {
			fmt.Fprintf(env.stdout, "commit: %s%s %s\n", rev, dirty, when)
		}
	}
	return nil
}

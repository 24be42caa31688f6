package main

import "runtime/debug"

// gcPercent is the GOGC of `paasbot run` when the environment sets none.
// paasbot's live heap is small (tens of MB) and it allocates fast while
// many commands arrive at once: at Go's default of 100 the collector then
// runs several times a second, and its pauses and assists delay the
// socket-mode acks (the 1,000-command burst of BENCHMARKS.md: ack p99
// about 20 ms at 100, about 10 ms at 400, for about 20 MB more). A GOGC
// in the environment is honoured as it is; GOMEMLIMIT still caps the heap.
const gcPercent = 400

// tuneGC sets gcPercent unless GOGC is set, and returns what undoes it.
func tuneGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(gcPercent)
	return func() { debug.SetGCPercent(old) }
}

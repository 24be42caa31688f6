//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import (
	"errors"
	"os"
)

// makeRaw is not available here: the shell reads lines as the terminal
// gives them.
func makeRaw(*os.File) (func(), error) {
	return nil, errors.New("terminal: raw mode is not supported on this system")
}

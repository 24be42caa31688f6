package main

import (
	"os"
	"testing"
)

// runAsPaasbotEnv, set to 1 in the environment of this test binary, makes
// it run paasbot's main with its arguments instead of the tests. Tests that
// need paasbot as a real process (pipes, exit code) re-execute
// os.Args[0] this way: the process runs exactly the code under test, built
// with the same flags (-race included), rather than a second `go build`
// of whatever the working tree holds at that moment.
const runAsPaasbotEnv = "PAASBOT_TEST_RUN_AS_PAASBOT"

func TestMain(m *testing.M) {
	if os.Getenv(runAsPaasbotEnv) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}

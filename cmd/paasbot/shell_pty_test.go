//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair with /dev/ptmx (golang.org/x/sys:
// no pty library, no `script`): the shell gets the terminal end, the test
// types and reads at the other.
func openPTY(t *testing.T) (master, term *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// ptyShell is a real `paasbot shell --sandbox` on a pseudo-terminal.
type ptyShell struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan error
}

func startPTYShell(t *testing.T, opTime string) *ptyShell {
	t.Helper()
	master, term := openPTY(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "shell", "--sandbox", "--operation-time", opTime, "--user", "dana")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = term, term, term
	cmd.Env = append(os.Environ(), runAsPaasbotEnv+"=1", "PAASBOT_DB=", "PAASBOT_GANDI_URL=", "PAASBOT_APPROVERS=", "PAASBOT_LOG_LEVEL=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &ptyShell{t: t, master: master, cmd: cmd, done: make(chan error, 1)}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := master.Read(b)
			p.mu.Lock()
			p.out.Write(b[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("terminal:\n%q", p.output())
		}
	})
	return p
}

func (p *ptyShell) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *ptyShell) typeKeys(s string) {
	p.t.Helper()
	if _, err := p.master.WriteString(s); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor waits until the terminal has shown want n times in all.
func (p *ptyShell) waitFor(want string, n int) {
	p.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for strings.Count(p.output(), want) < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("the terminal never showed %q %d times", want, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *ptyShell) waitExit() {
	p.t.Helper()
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Errorf("the shell ended with %v, want a clean exit", err)
		}
	case <-time.After(time.Minute):
		p.t.Fatal("the shell did not end")
	}
}

// TestShell_PTY drives the shell on a real terminal: Ctrl-C clears the
// line and the session goes on (the next command works), progress comes
// as one line per step above the prompt, which is drawn again, the key is
// read without echo, and a second Ctrl-C ends the session cleanly.
func TestShell_PTY(t *testing.T) {
	p := startPTYShell(t, "300ms")
	p.waitFor("paas> ", 1)
	p.typeKeys("lis\x03")
	p.waitFor("^C", 1)
	p.waitFor("paas> ", 2)
	p.typeKeys("count\r")
	p.waitFor("12 instances", 1)

	p.typeKeys("renew shop-prod duration=12m\r")
	p.waitFor("[approve 1]", 1)
	p.typeKeys("approve 1\r")
	p.waitFor("BILL → DONE", 2)
	p.waitFor("Done at", 1)
	out := p.output()
	// Steps that arrived while the prompt was shown were printed above it
	// and the prompt drawn again.
	if !strings.Contains(out, "\r\x1b[K    1000001  paas_vm_renew") && !strings.Contains(out, "\r\x1b[K    1000002  paas_disk_renew") {
		t.Errorf("no progress line printed above the prompt")
	}
	if n := strings.Count(out, "Additional disk"); n != 1 {
		t.Errorf("the request's fields were printed %d times, want once (progress is one line per step)", n)
	}

	p.typeKeys("login\r")
	p.waitFor("(hidden)", 1)
	p.typeKeys("demo0000sandbox000000key\r")
	p.waitFor("is stored", 1)
	if strings.Contains(p.output(), "demo0000sandbox000000key") {
		t.Error("the key was echoed")
	}

	p.typeKeys("\x03\x03")
	p.waitExit()
	if out := p.output(); strings.Contains(out, "internal error") || strings.Contains(out, "*") && strings.Contains(out, "*shop") {
		t.Errorf("the session showed an internal error or mrkdwn markers")
	}
}

// TestShell_PTYCtrlD: Ctrl-D on an empty line ends the session cleanly;
// on a typed line it is ignored.
func TestShell_PTYCtrlD(t *testing.T) {
	p := startPTYShell(t, "1s")
	p.waitFor("paas> ", 1)
	p.typeKeys("x\x04\x7f")
	p.typeKeys("\x04")
	p.waitExit()
}

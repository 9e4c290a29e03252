package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	sekisho "github.com/sekisho/sekisho/internal/cli"
)

// sekishoEnv, set in a child's environment, makes this test binary run
// as the sekisho command (cmd/sekisho's main) instead of the tests, so the
// e2e tests start real server processes without building the binary.
const sekishoEnv = "SEKISHO_E2E_RUN_AS_SEKISHO"

func init() {
	if os.Getenv(sekishoEnv) != "1" {
		return
	}
	err := sekisho.NewRoot(os.Stdout, os.Stderr).Execute()
	if err == nil {
		os.Exit(0) // as cmd/sekisho: ExitCode(nil) is not success
	}
	if err.Error() != "" {
		fmt.Fprintln(os.Stderr, "sekisho:", err)
	}
	os.Exit(sekisho.ExitCode(err))
}

// buildSekisho returns the program to run as sekisho: this test binary,
// which turns into the command when sekishoEnv is set.
func buildSekisho(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// process is a running `sekisho serve`.
type process struct {
	t       *testing.T
	cmd     *exec.Cmd
	URL     string // http://addr
	TLSURL  string // https://tls-addr, when serving TLS
	stdout  *bytes.Buffer
	mu      sync.Mutex
	stderr  bytes.Buffer
	stopped bool
	done    chan struct{} // closed once the process has exited
	waitErr error         // how it exited, once done is closed
}

// servingLine is the log line serve writes once it listens.
type servingLine struct {
	Msg     string `json:"msg"`
	Addr    string `json:"addr"`
	TLSAddr string `json:"tls_addr"`
}

// startServe runs `sekisho serve --addr 127.0.0.1:0 args...` and waits
// until it listens (or exits). The process is stopped at the end of the
// test unless stop was called.
func startServe(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p, err := launch(t, bin, args...)
	if err != nil {
		t.Fatalf("sekisho serve %v: %v\n%s", args, err, p.logs())
	}
	return p
}

// launch starts serve and returns once it listens, or the error it
// exited with.
func launch(t *testing.T, bin string, args ...string) (*process, error) {
	t.Helper()
	p := &process{t: t, stdout: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append(os.Environ(), sekishoEnv+"=1")
	p.cmd.Stdout = p.stdout
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan servingLine, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.Write(append(sc.Bytes(), '\n'))
			p.mu.Unlock()
			var line servingLine
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				ready <- line
			}
		}
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	select {
	case line := <-ready:
		p.URL = "http://" + line.Addr
		if line.TLSAddr != "" {
			p.TLSURL = "https://" + line.TLSAddr
		}
		return p, nil
	case <-p.done:
		p.stopped = true
		err := p.waitErr
		if err == nil {
			err = errExitedEarly
		}
		return p, err
	case <-time.After(60 * time.Second):
		return p, errNotReady
	}
}

type serveError string

func (e serveError) Error() string { return string(e) }

const (
	errExitedEarly = serveError("serve exited before listening")
	errNotReady    = serveError("serve did not listen within a minute")
)

// logs returns what the process wrote to stderr so far.
func (p *process) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// stop sends SIGTERM and waits for the process to exit.
func (p *process) stop() {
	if p.stopped {
		return
	}
	p.stopped = true
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Errorf("serve did not stop on SIGTERM\n%s", p.logs())
	}
}

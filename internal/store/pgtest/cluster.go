package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// errNoServer means the PostgreSQL server binaries are not installed.
var errNoServer = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH")

// cluster is a running throw-away PostgreSQL cluster.
type cluster struct {
	initdb, pgctl string      // binaries
	dir           string      // temporary: data/, server.log and the socket
	cred          *credential // the server's user when running as root, else nil
	port          int         // on 127.0.0.1
	watchdog      *os.File    // closing it (or dying) makes the watchdog clean up
	restartMu     sync.Mutex
	dbs           atomic.Int64 // databases created so far
}

// startCluster creates and starts a cluster in a new temporary directory.
func startCluster() (*cluster, error) {
	c := &cluster{}
	var err error
	if c.initdb, c.pgctl, err = findBinaries(); err != nil {
		return nil, err
	}
	if c.cred, err = serverCredential(); err != nil {
		return nil, err
	}
	if c.dir, err = c.makeDir(); err != nil {
		return nil, err
	}
	if err := c.setUp(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// setUp initializes the data directory, starts the server and its watchdog.
func (c *cluster) setUp() error {
	if err := c.initDB(); err != nil {
		return err
	}
	if err := c.startOnFreePort(); err != nil {
		return err
	}
	return c.startWatchdog()
}

// findBinaries finds initdb and pg_ctl: the newest Debian install first,
// then PATH.
func findBinaries() (initdb, pgctl string, err error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		initdb, pgctl = filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isFile(initdb) && isFile(pgctl) {
			return initdb, pgctl, nil
		}
	}
	initdb, err1 := exec.LookPath("initdb")
	pgctl, err2 := exec.LookPath("pg_ctl")
	if err1 != nil || err2 != nil {
		return "", "", errNoServer
	}
	return initdb, pgctl, nil
}

// version is the major version in /usr/lib/postgresql/<version>/bin.
func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// makeDir creates the cluster's temporary directory, owned by the server's
// user.
func (c *cluster) makeDir() (string, error) {
	dir, err := os.MkdirTemp("", "sekisho-pg-")
	if err != nil {
		return "", fmt.Errorf("temp dir: %w", err)
	}
	if strings.ContainsAny(dir, `'"\`) {
		os.Remove(dir)
		return "", fmt.Errorf("temp dir %q: quotes in the path", dir)
	}
	if err := chownTo(dir, c.cred); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("temp dir: %w", err)
	}
	return dir, nil
}

func (c *cluster) data() string    { return filepath.Join(c.dir, "data") }
func (c *cluster) logFile() string { return filepath.Join(c.dir, "server.log") }

// initDB creates the data directory. The databases' default collation is
// ICU's en-US where the server supports it, so that a query relying on it
// instead of asking for byte order (COLLATE "C") shows up in tests.
func (c *cluster) initDB() error {
	args := []string{"-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N", "--no-instructions"}
	err := c.run(c.initdb, append(args, "--locale-provider=icu", "--icu-locale=en-US")...)
	if err != nil {
		os.RemoveAll(c.data())
		err = c.run(c.initdb, args...) // a server without ICU (before 15)
	}
	return err
}

// startOnFreePort starts the server on a free loopback port, trying again
// should another process take the port first.
func (c *cluster) startOnFreePort() error {
	var err error
	for range 3 {
		if c.port, err = freePort(); err != nil {
			return err
		}
		if err = c.start(); err == nil {
			return nil
		}
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start starts the server and waits until it accepts connections.
func (c *cluster) start() error {
	opts := fmt.Sprintf("-p %d -k '%s' -c listen_addresses=127.0.0.1 -c max_connections=200"+
		" -c fsync=off -c synchronous_commit=off -c full_page_writes=off", c.port, c.dir)
	err := c.run(c.pgctl, "-D", c.data(), "-l", c.logFile(), "-o", opts, "-w", "-t", "60", "start")
	if err != nil {
		return fmt.Errorf("%w\nserver log:\n%s", err, tail(c.logFile(), 2000))
	}
	return nil
}

// tail is the end of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(b[max(0, len(b)-n):])
}

// run runs a server binary as the server's user, in the cluster directory,
// with a minimal environment (no PG* variables from the caller).
func (c *cluster) run(bin string, args ...string) error {
	cmd := exec.Command(bin, args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "HOME=" + c.dir}
	cmd.SysProcAttr = procAttr(c.cred, false)
	cmd.WaitDelay = 10 * time.Second // the server writes to its log file, never to our pipes
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return nil
}

// watchdogScript waits for its standard input to close — when this
// process closes the pipe or dies — then stops the server and removes the
// directory ($0: pg_ctl, $1: data dir, $2: cluster dir).
const watchdogScript = `read x; "$0" -D "$1" -m immediate -w stop >/dev/null 2>&1; rm -rf "$2"`

// startWatchdog starts a process, in its own session so a terminal's ^C
// does not reach it, that cleans up should this one die without stop.
func (c *cluster) startWatchdog() error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("watchdog: %w", err)
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, c.pgctl, c.data(), c.dir)
	cmd.Dir, cmd.Stdin = "/", r
	cmd.SysProcAttr = procAttr(c.cred, true)
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("watchdog: %w", err)
	}
	go cmd.Wait() // reap it once it is done
	c.watchdog = w
	return nil
}

// stop stops the server and removes its directory.
func (c *cluster) stop() error {
	var errs []error
	if isFile(filepath.Join(c.data(), "postmaster.pid")) {
		errs = append(errs, c.run(c.pgctl, "-D", c.data(), "-m", "immediate", "-w", "stop"))
	}
	errs = append(errs, os.RemoveAll(c.dir))
	if c.watchdog != nil {
		errs = append(errs, c.watchdog.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stop cluster: %w", err)
	}
	return nil
}

// restart stops the server, calls whileDown, and starts it again.
func (c *cluster) restart(whileDown func()) error {
	c.restartMu.Lock()
	defer c.restartMu.Unlock()
	if err := c.run(c.pgctl, "-D", c.data(), "-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	if whileDown != nil {
		whileDown()
	}
	if err := c.start(); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return nil
}

// dsn is the connection string of database name, as the superuser.
func (c *cluster) dsn(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// createDB creates a new database and returns its name.
func (c *cluster) createDB(ctx context.Context) (string, error) {
	name := fmt.Sprintf("test_%d", c.dbs.Add(1))
	return name, c.admin(ctx, "CREATE DATABASE "+name)
}

// dropDB drops a database, disconnecting whoever is still connected.
func (c *cluster) dropDB(ctx context.Context, name string) error {
	return c.admin(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// admin runs one statement on the maintenance database.
func (c *cluster) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.dsn("postgres"))
	if err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

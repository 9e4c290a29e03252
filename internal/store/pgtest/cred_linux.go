//go:build linux

package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// serverUser is the OS user the server runs as when the tests run as root.
const serverUser = "postgres"

// credential is the user a server process runs as.
type credential = syscall.Credential

// serverCredential is nil when not running as root; as root, it is the
// unprivileged user the server must run as, created if missing.
func serverCredential() (*credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUser)
	if errors.As(err, new(user.UnknownUserError)) {
		out, cerr := exec.Command("useradd", "--system", "--user-group", "--no-create-home", serverUser).CombinedOutput()
		if cerr != nil {
			return nil, fmt.Errorf("create user %s: %w: %s", serverUser, cerr, out)
		}
		u, err = user.Lookup(serverUser)
	}
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", serverUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user %s: uid %q gid %q", serverUser, u.Uid, u.Gid)
	}
	return &credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// procAttr runs a process as cred (when not nil), in a session of its own
// when setsid.
func procAttr(cred *credential, setsid bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setsid: setsid}
}

// chownTo gives path to cred's user (nothing to do when cred is nil).
func chownTo(path string, cred *credential) error {
	if cred == nil {
		return nil
	}
	return os.Chown(path, int(cred.Uid), int(cred.Gid))
}

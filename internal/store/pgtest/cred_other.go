//go:build !linux

package pgtest

import "syscall"

// credential is the user a server process runs as; elsewhere than on
// Linux the server runs as the current user.
type credential struct{}

// serverCredential is always nil: only Linux runs the server as another user.
func serverCredential() (*credential, error) { return nil, nil }

// procAttr has nothing to set elsewhere than on Linux.
func procAttr(*credential, bool) *syscall.SysProcAttr { return nil }

// chownTo has nothing to do elsewhere than on Linux.
func chownTo(string, *credential) error { return nil }

// Command sekisho is an offline emulator of AWS multi-account access control.
package main

import (
	"fmt"
	"os"

	"github.com/sekisho/sekisho/internal/cli"
)

func main() {
	err := cli.NewRoot(os.Stdout, os.Stderr).Execute()
	if err == nil {
		return
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "sekisho:", msg)
	}
	os.Exit(cli.ExitCode(err))
}

package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envPrefix starts the environment variable of every flag: --data-dir is
// also SEKISHO_DATA_DIR.
const envPrefix = "SEKISHO_"

// envName is the environment variable that sets flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// documentEnv names each flag's environment variable in its help text,
// for cmd and every command below it.
func documentEnv(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" && !strings.Contains(f.Usage, envPrefix) {
			f.Usage += " [$" + envName(f.Name) + "]"
		}
	})
	for _, sub := range cmd.Commands() {
		documentEnv(sub)
	}
}

// applyEnv sets every flag the command line left unset from its
// environment variable, if lookup finds one: the command line wins. A
// repeatable flag takes a comma-separated list.
func applyEnv(flags *pflag.FlagSet, lookup func(string) (string, bool)) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" {
			return
		}
		name := envName(f.Name)
		value, ok := lookup(name)
		if !ok {
			return
		}
		for _, v := range envValues(f, value) {
			if setErr := flags.Set(f.Name, v); setErr != nil {
				err = exitError{exitBadInput, fmt.Errorf("%s=%q: %w", name, value, setErr)}
				return
			}
		}
	})
	return err
}

// envValues splits a repeatable flag's value into the values it is set to.
func envValues(f *pflag.Flag, value string) []string {
	switch f.Value.Type() {
	case "stringArray", "stringSlice", "intSlice", "durationSlice", "boolSlice", "uintSlice", "int32Slice", "int64Slice", "float64Slice", "float32Slice", "ipSlice":
		var out []string
		for _, v := range strings.Split(value, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	return []string{value}
}

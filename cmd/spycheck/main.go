// Command spycheck checks phone acquisitions for traces of mercenary
// spyware against published indicators, the way Amnesty's MVT does.
//
// This package only reads flags, wires the packages together, prints
// errors with hints and chooses the exit status:
//
//	0  nothing found
//	1  an error stopped the check
//	2  bad command line
//	3  findings at or above --fail-on (default: any finding)
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/spycheck/spycheck/evidence"
)

// Exit statuses.
const (
	exitClean    = 0
	exitError    = 1
	exitUsage    = 2
	exitFindings = 3
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// errFindings is returned when the check found something at or above --fail-on.
var errFindings = errors.New("findings")

// usageError marks command-line mistakes.
type usageError struct{ error }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	switch {
	case err == nil:
		return exitClean
	case errors.Is(err, errFindings):
		return exitFindings
	}
	fmt.Fprintf(stderr, "spycheck: error: %v\n", err)
	for _, h := range hints(err) {
		fmt.Fprintf(stderr, "spycheck: hint: %s\n", h)
	}
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

func hints(err error) []string {
	switch {
	case errors.Is(err, evidence.ErrWrongPassword):
		return []string{"the password (or key file) does not unlock this backup: it is the backup password set in iTunes/Finder (\"Encrypt local backup\"), not the phone's passcode"}
	case errors.Is(err, evidence.ErrEncrypted):
		return []string{"this backup is encrypted: give its password with --password (or SPYCHECK_BACKUP_PASSWORD), or its key with --key-file"}
	}
	return nil
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "spycheck",
		Short:         "Check phone acquisitions for traces of mercenary spyware",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	for _, c := range checkCommands {
		root.AddCommand(newCheck(c, stdout, stderr))
	}
	root.AddCommand(newCheckIOCs(stdout, stderr), newListModules(stdout), newDecryptBackup(stdout, stderr))
	return root
}

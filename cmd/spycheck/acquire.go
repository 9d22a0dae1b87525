package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/spycheck/spycheck/acquire"
	"github.com/spycheck/spycheck/evidence"
)

// androidPasswordEnv are the variables holding an Android backup's password.
var androidPasswordEnv = []string{"SPYCHECK_BACKUP_PASSWORD", "MVT_ANDROID_BACKUP_PASSWORD"}

// acquireOptions wires the password flags, environment and terminal
// prompt into the acquisition opener.
func (f *backupKeyFlags) acquireOptions(stderr io.Writer) acquire.Options {
	pw, _ := f.givenPassword(androidPasswordEnv)
	return acquire.Options{
		OpenIOSBackup:   func(path string) (evidence.Source, error) { return f.openBackup(path, stderr) },
		AndroidPassword: pw,
		AskPassword:     func(path string, cause error) (string, error) { return f.prompt(path, stderr, cause) },
	}
}

// givenPassword is the password from --password or the environment.
func (f *backupKeyFlags) givenPassword(env []string) (string, bool) {
	if f.password != "" {
		return f.password, true
	}
	for _, name := range env {
		if pw := os.Getenv(name); pw != "" {
			return pw, true
		}
	}
	return "", false
}

// prompt asks for a backup's password on a terminal; without one, cause
// is returned with a hint on how to give the password.
func (f *backupKeyFlags) prompt(path string, stderr io.Writer, cause error) (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", fmt.Errorf("%w: give its password with --password or the SPYCHECK_BACKUP_PASSWORD environment variable (or MVT's), or its key with --key-file", cause)
	}
	fmt.Fprintf(stderr, "Password of the encrypted backup %s: ", path)
	pw, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(pw), nil
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
)

// Environment variables holding a backup password (ours, then MVT's).
var passwordEnv = []string{"SPYCHECK_BACKUP_PASSWORD", "MVT_IOS_BACKUP_PASSWORD"}

// backupKeyFlags are how an encrypted backup's password or key is given.
type backupKeyFlags struct {
	password string
	keyFile  string
}

func (f *backupKeyFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.password, "password", "p", "", "password of an encrypted backup (or set SPYCHECK_BACKUP_PASSWORD or MVT_IOS_BACKUP_PASSWORD; asked for when missing and run in a terminal)")
	fl.StringVarP(&f.keyFile, "key-file", "k", "", "file holding the backup's derived key as 64 hexadecimal characters (as MVT's extract-key writes it)")
}

// openBackup opens a backup, encrypted or not: the key file wins, then
// --password, then the environment; when the backup turns out to be
// encrypted and none was given, the password is asked for on a terminal.
func (f *backupKeyFlags) openBackup(path string, stderr io.Writer) (*iosbackup.Backup, error) {
	var opts []iosbackup.Option
	pw, given := f.givenPassword(passwordEnv)
	switch {
	case f.keyFile != "":
		data, err := os.ReadFile(f.keyFile)
		if err != nil {
			return nil, usageError{fmt.Errorf("read key file: %w", err)}
		}
		key, err := iosbackup.ParseKeyHex(string(data))
		if err != nil {
			return nil, usageError{fmt.Errorf("key file %s: %w", f.keyFile, err)}
		}
		opts, given = append(opts, iosbackup.WithKey(key)), true
	case given:
		opts = append(opts, iosbackup.WithPassword(pw))
	}
	b, err := iosbackup.Open(path, opts...)
	if given || !errors.Is(err, evidence.ErrEncrypted) {
		return b, err
	}
	pw, err = f.prompt(path, stderr, err)
	if err != nil {
		return nil, err
	}
	return iosbackup.Open(path, iosbackup.WithPassword(pw))
}

func newDecryptBackup(stdout, stderr io.Writer) *cobra.Command {
	var (
		keys      backupKeyFlags
		dest      string
		realPaths bool
	)
	cmd := &cobra.Command{
		Use:   "decrypt-backup BACKUP_FOLDER -d DEST",
		Short: "Write a decrypted copy of an encrypted iTunes/Finder backup",
		Long: "Write a decrypted copy of an encrypted backup into DEST, in the backup's own layout " +
			"(Manifest.db, <id[:2]>/<id>, root property lists), which check-backup (or MVT) then reads " +
			"without a password. --real-paths also lays the files out as DEST/<domain>/<relative path>.\n\n" +
			"check-backup does not need this: it decrypts what it reads, in memory and in a private temporary folder.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dest == "" {
				return usageError{errors.New("give the destination folder with -d/--destination")}
			}
			if inside(dest, args[0]) {
				return usageError{fmt.Errorf("the destination %s is inside the backup %s: choose a folder elsewhere, evidence is never written to", dest, args[0])}
			}
			src, err := keys.openBackup(args[0], stderr)
			if err != nil {
				return err
			}
			defer src.Close()
			if !src.Encrypted() {
				fmt.Fprintf(stderr, "spycheck: note: %s is not encrypted; writing a plain copy\n", src.Path())
			}
			st, err := src.WriteDecrypted(cmd.Context(), dest, iosbackup.CopyOptions{RealPaths: realPaths})
			if err != nil {
				return err
			}
			for _, p := range st.Unsafe {
				fmt.Fprintf(stderr, "spycheck: warning: not laid out under its real path (it would leave the destination): %s\n", p)
			}
			abs, _ := filepath.Abs(dest)
			fmt.Fprintf(stdout, "Decrypted %d files to %s", st.Files, abs)
			if st.Missing > 0 {
				fmt.Fprintf(stdout, " (%d files listed in the Manifest are not in the backup)", st.Missing)
			}
			fmt.Fprintln(stdout)
			return nil
		},
	}
	keys.register(cmd.Flags())
	cmd.Flags().StringVarP(&dest, "destination", "d", "", "folder to write the decrypted copy to (must not exist or be empty)")
	cmd.Flags().BoolVar(&realPaths, "real-paths", false, "also write the files as DEST/<domain>/<relative path>")
	return cmd
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/spycheck/spycheck/android/ab"
	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosfs"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/module/list"
)

// part is one source of an acquisition with the modules that read it: an
// androidqf acquisition holds a bug report and a backup besides its own
// files, and each is checked with its own modules into the same results.
type part struct {
	src  evidence.Source
	mods []module.Module
	// note says why a nested part could not be read (then src is nil).
	note string
}

// acquisition is everything one check reads.
type acquisition struct {
	parts []part
}

func (a *acquisition) close() {
	for i := len(a.parts) - 1; i >= 0; i-- {
		if a.parts[i].src != nil {
			a.parts[i].src.Close()
		}
	}
}

// kinds lists the kinds of the parts, for info.json.
func (a *acquisition) kinds() []string {
	var out []string
	for _, p := range a.parts {
		if p.src != nil {
			out = append(out, string(p.src.Kind()))
		}
	}
	return out
}

// opener opens one kind of acquisition.
type opener func(ctx context.Context, path string) (*acquisition, error)

// secrets are the passwords and keys the flags and environment give.
type secrets struct {
	keys   *backupKeyFlags
	stderr io.Writer
}

// openerFor returns how to open an acquisition of the given kind.
func (s secrets) openerFor(kind evidence.Kind) opener {
	switch kind {
	case evidence.IOSBackup:
		return func(_ context.Context, path string) (*acquisition, error) {
			src, err := s.keys.openBackup(path, s.stderr)
			if err != nil {
				return nil, err
			}
			return single(src), nil
		}
	case evidence.AndroidBackup:
		return func(_ context.Context, path string) (*acquisition, error) {
			src, err := s.openAndroidBackup(path)
			if err != nil {
				return nil, err
			}
			return single(src), nil
		}
	case evidence.AndroidQF:
		return s.openAndroidQF
	}
	return func(ctx context.Context, path string) (*acquisition, error) {
		src, err := openTree(ctx, path, kind)
		if err != nil {
			return nil, err
		}
		return single(src), nil
	}
}

func single(src evidence.Source) *acquisition {
	return &acquisition{parts: []part{{src: src, mods: list.For(src.Kind())}}}
}

// openTree opens a folder or archive of files; from a .tar.gz only the
// files the modules of that kind look for are extracted, in one pass.
func openTree(ctx context.Context, path string, kind evidence.Kind) (*iosfs.FS, error) {
	want := check.WantFunc(check.Wanted(ctx, kind, list.For(kind)))
	return iosfs.Open(path, iosfs.Options{Kind: kind, Want: want})
}

// openAndroidBackup opens an .ab file or unpacked folder, asking for the
// password on a terminal when it is encrypted and none was given.
func (s secrets) openAndroidBackup(path string) (*ab.Backup, error) {
	pw, given := s.keys.givenPassword(androidPasswordEnv)
	b, err := ab.Open(path, pw)
	if given || !errors.Is(err, evidence.ErrEncrypted) {
		return b, err
	}
	pw, err = s.keys.prompt(path, s.stderr, err)
	if err != nil {
		return nil, err
	}
	return ab.Open(path, pw)
}

// openAndroidQF opens an androidqf acquisition and the acquisitions nested
// in it: a bug report (bugreport.zip), an Android backup (backup.ab) and
// an intrusion-log folder. The dumpsys modules read the bug report when
// there is one, else androidqf's own dumpsys.txt.
func (s secrets) openAndroidQF(ctx context.Context, path string) (*acquisition, error) {
	src, err := openTree(ctx, path, evidence.AndroidQF)
	if err != nil {
		return nil, err
	}
	acq := &acquisition{parts: []part{{src: src}}}
	nested := []struct {
		glob string
		kind evidence.Kind
	}{
		{"*bugreport*.zip", evidence.Bugreport},
		{"*backup.ab", evidence.AndroidBackup},
	}
	for _, n := range nested {
		entries, err := src.Find(ctx, evidence.Query{DevicePaths: []string{n.glob}})
		if err != nil || len(entries) == 0 {
			continue
		}
		acq.parts = append(acq.parts, s.nestedPart(ctx, src, entries[0], n.kind))
	}
	if p, ok := intrusionLogs(ctx, src); ok {
		acq.parts = append(acq.parts, p)
	}
	mods := list.For(evidence.AndroidQF)
	if acq.has(evidence.Bugreport) {
		mods = without(mods, evidence.Bugreport)
	}
	acq.parts[0].mods = mods
	return acq, nil
}

func (a *acquisition) has(kind evidence.Kind) bool {
	for _, p := range a.parts {
		if p.src != nil && p.src.Kind() == kind {
			return true
		}
	}
	return false
}

// without drops the modules that also read the given kind.
func without(mods []module.Module, kind evidence.Kind) []module.Module {
	var out []module.Module
	for _, m := range mods {
		keep := true
		for _, k := range m.Info().Kinds {
			if k == kind {
				keep = false
			}
		}
		if keep {
			out = append(out, m)
		}
	}
	return out
}

// nestedPart copies a nested acquisition into the private folder and opens it.
func (s secrets) nestedPart(ctx context.Context, parent evidence.Source, e evidence.Entry, kind evidence.Kind) part {
	local, err := evidence.CopyOut(parent, e)
	var src evidence.Source
	if err == nil {
		if kind == evidence.AndroidBackup {
			src, err = s.openAndroidBackup(local)
		} else {
			src, err = openTree(ctx, local, kind)
		}
	}
	if err != nil {
		return part{note: fmt.Sprintf("skipping the nested %s %s: %v", kind, e.Name(), err)}
	}
	return part{src: src, mods: list.For(kind)}
}

// intrusionLogs opens androidqf's intrusion_logs/ (or intrusion-logs/)
// folder when the acquisition is a folder.
func intrusionLogs(ctx context.Context, src *iosfs.FS) (part, bool) {
	for _, name := range []string{"intrusion_logs", "intrusion-logs"} {
		dir := filepath.Join(src.Root(), name)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			logs, err := openTree(ctx, dir, evidence.IntrusionLogs)
			if err != nil {
				return part{note: fmt.Sprintf("skipping the intrusion logs %s: %v", dir, err)}, true
			}
			return part{src: logs, mods: list.For(evidence.IntrusionLogs)}, true
		}
	}
	return part{}, false
}

// androidPasswordEnv are the variables holding an Android backup's password.
var androidPasswordEnv = []string{"SPYCHECK_BACKUP_PASSWORD", "MVT_ANDROID_BACKUP_PASSWORD"}

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

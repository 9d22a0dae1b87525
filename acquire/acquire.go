// Package acquire opens an acquisition of any kind together with the
// acquisitions nested in it, and pairs each source with the modules that
// read it: an androidqf acquisition holds a bug report, an Android backup
// and intrusion logs besides its own files, and each is checked with its
// own modules into the same results.
//
// How passwords are obtained (flags, environment, a terminal prompt) is the
// caller's business: Options carries them in as functions.
package acquire

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spycheck/spycheck/android/ab"
	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosfs"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/module/android"
	"github.com/spycheck/spycheck/module/list"
)

// Part is one source of an acquisition with the modules that read it.
type Part struct {
	Source  evidence.Source
	Modules []module.Module
	// Note says why a nested part could not be read (then Source is nil).
	Note string
	// Warnings are what the analyst should know about the part's content
	// that no finding says (unknown intrusion-log event types).
	Warnings []string
}

// Acquisition is everything one check reads.
type Acquisition struct {
	Parts []Part
}

// Close closes every source, nested ones first.
func (a *Acquisition) Close() {
	for i := len(a.Parts) - 1; i >= 0; i-- {
		if a.Parts[i].Source != nil {
			a.Parts[i].Source.Close()
		}
	}
}

// Kinds lists the kinds of the parts that could be opened.
func (a *Acquisition) Kinds() []string {
	var out []string
	for _, p := range a.Parts {
		if p.Source != nil {
			out = append(out, string(p.Source.Kind()))
		}
	}
	return out
}

func (a *Acquisition) has(kind evidence.Kind) bool {
	for _, p := range a.Parts {
		if p.Source != nil && p.Source.Kind() == kind {
			return true
		}
	}
	return false
}

// Options say how to open what needs a secret.
type Options struct {
	// OpenIOSBackup opens an iOS backup, encrypted or not.
	OpenIOSBackup func(path string) (evidence.Source, error)
	// AndroidPassword is the password given for Android backups ("" none).
	AndroidPassword string
	// AskPassword asks for the password of an encrypted Android backup
	// when none was given; nil, or an error, gives up with that error.
	AskPassword func(path string, cause error) (string, error)
}

// Open opens the acquisition at path, of the given kind.
func Open(ctx context.Context, path string, kind evidence.Kind, o Options) (*Acquisition, error) {
	switch kind {
	case evidence.IOSBackup:
		src, err := o.OpenIOSBackup(path)
		if err != nil {
			return nil, err
		}
		return single(ctx, src), nil
	case evidence.AndroidBackup:
		src, err := o.openAndroidBackup(path)
		if err != nil {
			return nil, err
		}
		return single(ctx, src), nil
	case evidence.AndroidQF:
		return o.openAndroidQF(ctx, path)
	}
	src, err := openTree(ctx, path, kind)
	if err != nil {
		return nil, err
	}
	return single(ctx, src), nil
}

func single(ctx context.Context, src evidence.Source) *Acquisition {
	return &Acquisition{Parts: []Part{newPart(ctx, src)}}
}

// newPart pairs a source with its modules.
func newPart(ctx context.Context, src evidence.Source) Part {
	p := Part{Source: src, Modules: list.For(src.Kind())}
	if src.Kind() == evidence.IntrusionLogs {
		rep, err := android.ReadIntrusionLogReport(ctx, src)
		if err == nil {
			p.Warnings = rep.Warnings()
		}
	}
	return p
}

// openTree opens a folder or archive of files; from a .tar.gz only the
// files the modules of that kind look for are extracted, in one pass.
func openTree(ctx context.Context, path string, kind evidence.Kind) (*iosfs.FS, error) {
	want := check.WantFunc(check.Wanted(ctx, kind, list.For(kind)))
	return iosfs.Open(path, iosfs.Options{Kind: kind, Want: want})
}

// openAndroidBackup opens an .ab file or unpacked folder, asking for the
// password when it is encrypted and none was given.
func (o Options) openAndroidBackup(path string) (*ab.Backup, error) {
	b, err := ab.Open(path, o.AndroidPassword)
	if o.AndroidPassword != "" || o.AskPassword == nil || !errors.Is(err, evidence.ErrEncrypted) {
		return b, err
	}
	pw, err := o.AskPassword(path, err)
	if err != nil {
		return nil, err
	}
	return ab.Open(path, pw)
}

// openAndroidQF opens an androidqf acquisition and the acquisitions nested
// in it: a bug report (bugreport.zip), an Android backup (backup.ab) and
// an intrusion-log folder. The dumpsys modules read the bug report when
// there is one, else androidqf's own dumpsys.txt.
func (o Options) openAndroidQF(ctx context.Context, path string) (*Acquisition, error) {
	src, err := openTree(ctx, path, evidence.AndroidQF)
	if err != nil {
		return nil, err
	}
	acq := &Acquisition{Parts: []Part{{Source: src}}}
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
		acq.Parts = append(acq.Parts, o.nestedPart(ctx, src, entries[0], n.kind))
	}
	if p, ok := intrusionLogs(ctx, src); ok {
		acq.Parts = append(acq.Parts, p)
	}
	mods := list.For(evidence.AndroidQF)
	if acq.has(evidence.Bugreport) {
		mods = without(mods, evidence.Bugreport)
	}
	acq.Parts[0].Modules = mods
	return acq, nil
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
func (o Options) nestedPart(ctx context.Context, parent evidence.Source, e evidence.Entry, kind evidence.Kind) Part {
	local, err := evidence.CopyOut(parent, e)
	var src evidence.Source
	if err == nil {
		if kind == evidence.AndroidBackup {
			src, err = o.openAndroidBackup(local)
		} else {
			src, err = openTree(ctx, local, kind)
		}
	}
	if err != nil {
		return Part{Note: fmt.Sprintf("skipping the nested %s %s: %v", kind, e.Name(), err)}
	}
	return newPart(ctx, src)
}

// intrusionLogs opens androidqf's intrusion_logs/ (or intrusion-logs/)
// folder when the acquisition is a folder.
func intrusionLogs(ctx context.Context, src *iosfs.FS) (Part, bool) {
	for _, name := range []string{"intrusion_logs", "intrusion-logs"} {
		dir := filepath.Join(src.Root(), name)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			logs, err := openTree(ctx, dir, evidence.IntrusionLogs)
			if err != nil {
				return Part{Note: fmt.Sprintf("skipping the intrusion logs %s: %v", dir, err)}, true
			}
			return newPart(ctx, logs), true
		}
	}
	return Part{}, false
}

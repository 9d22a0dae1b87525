package ios

// Filesystem: every folder and file of a full-filesystem dump with its
// modification time, so that indicator paths and process names can be
// looked for in the names themselves.
//
//   fs: the whole dump (folders and files, links not followed)
//
// Any iOS version. The modules that walk or list a dump (Filesystem,
// CacheFiles, Netusage, the WebKit folder modules) reach the dump through
// the small interfaces below, which evidence/iosfs satisfies; a source
// without them (a backup) gives evidence.ErrNotFound.

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosfs"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// dumpWalker visits every entry of a filesystem dump, depth first, each
// folder's entries in name order.
type dumpWalker interface {
	Walk(ctx context.Context, fn func(iosfs.File) error) error
}

// dumpNameFinder finds the regular files of a dump by base name.
type dumpNameFinder interface {
	FindName(ctx context.Context, name string) ([]evidence.Entry, error)
}

// dumpBaseNamer lists the base names of every entry that is not a folder.
type dumpBaseNamer interface {
	BaseNames(ctx context.Context) (map[string]bool, error)
}

// dumpDirReader describes and lists folders of a dump by device path.
type dumpDirReader interface {
	Stat(devicePath string) (iosfs.File, error)
	ReadDir(devicePath string) ([]iosfs.File, error)
}

// errNoDumpTree is returned by the walking modules on a source that is not
// a filesystem dump.
var errNoDumpTree = fmt.Errorf("%w: the acquisition is not a filesystem dump that can be listed", evidence.ErrNotFound)

// dumpAs returns src as the interface T, or errNoDumpTree.
func dumpAs[T any](src evidence.Source) (T, error) {
	t, ok := src.(T)
	if !ok {
		return t, errNoDumpTree
	}
	return t, nil
}

// dumpTime is an entry's modification time as MVT's convert_unix_to_iso
// gives it from st_mtime (seconds as a float, rounded to microseconds).
func dumpTime(f iosfs.File) string {
	if f.ModTime.IsZero() {
		return ""
	}
	return record.FromUnix(float64(f.ModTime.UnixNano()) / 1e9)
}

// globDumpDirs expands a device-path glob ('*' within one element, as
// path.Match) to the folders of the dump it names, in name order.
func globDumpDirs(d dumpDirReader, pattern string) ([]iosfs.File, error) {
	cur := []iosfs.File{{DevicePath: "", IsDir: true}}
	for _, el := range strings.Split(strings.Trim(pattern, "/"), "/") {
		var next []iosfs.File
		for _, dir := range cur {
			found, err := matchDumpDir(d, dir.DevicePath, el)
			if err != nil {
				return nil, err
			}
			next = append(next, found...)
		}
		cur = next
	}
	return cur, nil
}

// matchDumpDir lists the sub-folders of dir whose name matches el.
func matchDumpDir(d dumpDirReader, dir, el string) ([]iosfs.File, error) {
	if !strings.ContainsAny(el, `*?[\`) {
		f, err := d.Stat(path.Join(dir, el))
		if err != nil || !f.IsDir {
			return nil, ignoreNotFound(err)
		}
		return []iosfs.File{f}, nil
	}
	kids, err := d.ReadDir(dir)
	if err != nil {
		return nil, ignoreNotFound(err)
	}
	var out []iosfs.File
	for _, k := range kids {
		ok, err := path.Match(el, k.Name())
		if err != nil {
			return nil, fmt.Errorf("glob %s: %w", el, err)
		}
		if ok && k.IsDir {
			out = append(out, k)
		}
	}
	return out, nil
}

// ignoreNotFound drops an error saying a path is absent.
func ignoreNotFound(err error) error {
	if errors.Is(err, evidence.ErrNotFound) {
		return nil
	}
	return err
}

// Filesystem lists every entry of a filesystem dump.
type Filesystem struct{}

// Info implements module.Module.
func (Filesystem) Info() module.Info {
	return module.Info{Name: "filesystem", Title: "Filesystem", Kinds: []evidence.Kind{evidence.IOSFS}, TimeField: "modified"}
}

// Extract implements module.Module: one record per folder, file or link,
// depth first in name order.
func (Filesystem) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	w, err := dumpAs[dumpWalker](src)
	if err != nil {
		return err
	}
	return w.Walk(ctx, func(f iosfs.File) error {
		emit(record.Record{Data: map[string]any{"path": f.DevicePath, "modified": dumpTime(f)}})
		return nil
	})
}

// Observables implements module.Module: the path against file names and
// paths (as an absolute device path), then each of its elements against
// process names.
func (Filesystem) Observables(r record.Record) []record.Observable {
	p := r.String("path")
	if p == "" {
		return nil
	}
	obs := module.Observe(record.High, record.FilePath, "path", "/"+strings.TrimPrefix(p, "/"))
	return append(obs, module.Observe(record.High, record.ProcessPath, "path", p)...)
}

// Timeline implements module.Module.
func (m Filesystem) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("modified"), "entry_modified", r.String("path"))
}

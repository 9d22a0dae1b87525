package iosfs

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// findRoot returns the device root of a folder dump: dir itself when it
// holds private/var or var; else the first sub-folder, breadth first and
// in name order, at most three levels down, that holds private/var or
// var/mobile; else dir (a folder without private/var is its own root).
// Symbolic links are not followed while searching.
func findRoot(dir string) string {
	if isRealDir(filepath.Join(dir, "private", "var")) || isRealDir(filepath.Join(dir, "var")) {
		return dir
	}
	level := []string{dir}
	for depth := 0; depth < 3; depth++ {
		var next []string
		for _, d := range level {
			for _, sub := range subDirs(d) {
				if isRealDir(filepath.Join(sub, "private", "var")) || isRealDir(filepath.Join(sub, "var", "mobile")) {
					return sub
				}
				next = append(next, sub)
			}
		}
		level = next
	}
	return dir
}

// onlyEntry reports whether dir holds exactly one entry.
func onlyEntry(dir string) bool {
	ents, err := os.ReadDir(dir)
	return err == nil && len(ents) == 1
}

func isRealDir(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.IsDir()
}

func subDirs(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// folder is a dump on disk, reached only through an os.Root so that no
// path or link can lead outside it.
type folder struct {
	root *os.Root
	dir  string
	// aliased are top-level var, tmp, etc folders shown as private/var ...
	// because the dump has no private/<name> of its own.
	aliased map[string]bool
	// synthPrivate: the dump has no private folder; one is shown.
	synthPrivate bool
	// plain: not an iOS root, no aliases.
	plain bool
}

func openFolder(dir string, warn func(string), ios bool) (*folder, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	f := &folder{root: root, dir: dir, aliased: map[string]bool{}, plain: !ios}
	if !ios {
		return f, nil
	}
	_, err = root.Lstat("private")
	hasPrivate := err == nil
	for _, a := range aliases {
		st, err := root.Lstat(a)
		if err != nil || !st.IsDir() {
			continue
		}
		if _, err := root.Lstat("private/" + a); err == nil {
			warn("folder " + a + " is hidden: private/" + a + " exists too")
			continue
		}
		f.aliased[a] = true
	}
	f.synthPrivate = !hasPrivate && len(f.aliased) > 0
	return f, nil
}

// rel maps a device path to a path inside the folder.
func (f *folder) rel(p string) string {
	if rest, ok := strings.CutPrefix(p, "private/"); ok {
		first, _, _ := strings.Cut(rest, "/")
		if f.aliased[first] {
			return rest
		}
	}
	if p == "" {
		return "."
	}
	return p
}

// local is the path on the analyst's disk of a device path.
func (f *folder) local(p string) string {
	return filepath.Join(f.dir, filepath.FromSlash(f.rel(p)))
}

func (f *folder) lstat(p string) (File, error) {
	if p == "private" && f.synthPrivate {
		return File{DevicePath: p, Mode: fs.ModeDir | 0o755, IsDir: true}, nil
	}
	if first, _, _ := strings.Cut(p, "/"); !f.plain && isAlias(first) {
		return File{}, fs.ErrNotExist
	}
	st, err := f.root.Lstat(f.rel(p))
	if err != nil {
		return File{}, err
	}
	return f.fileOf(p, st), nil
}

func (f *folder) fileOf(p string, st fs.FileInfo) File {
	file := File{DevicePath: p, Size: st.Size(), Mode: st.Mode(), ModTime: st.ModTime(), IsDir: st.IsDir()}
	if !st.Mode().IsRegular() {
		file.Size = 0
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		file.Link, _ = f.root.Readlink(f.rel(p))
	}
	return file
}

func (f *folder) readDir(p string) ([]File, error) {
	names, err := f.names(p)
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(names))
	for _, n := range names {
		file, err := f.lstat(path.Join(p, n))
		if err != nil {
			continue // vanished or unreadable: not listed
		}
		out = append(out, file)
	}
	return out, nil
}

// names lists folder p in the device view: top-level var, tmp and etc are
// hidden (they are links into private, or shown inside it).
func (f *folder) names(p string) ([]string, error) {
	var names []string
	if p != "private" || !f.synthPrivate {
		d, err := f.root.Open(f.rel(p))
		if err != nil {
			return nil, err
		}
		names, err = d.Readdirnames(-1)
		d.Close()
		if err != nil {
			return nil, err
		}
	}
	switch p {
	case "":
		if !f.plain {
			names = dropAliases(names)
		}
		if f.synthPrivate {
			names = append(names, "private")
		}
	case "private":
		for a := range f.aliased {
			names = append(names, a)
		}
	}
	sort.Strings(names)
	return names, nil
}

func dropAliases(names []string) []string {
	out := names[:0]
	for _, n := range names {
		if !isAlias(n) {
			out = append(out, n)
		}
	}
	return out
}

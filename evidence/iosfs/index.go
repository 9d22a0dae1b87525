package iosfs

import (
	"archive/zip"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// File describes one entry of the dump: a folder, a file, a symbolic link
// (recorded, never followed) or a special file.
type File struct {
	// DevicePath is relative to the device root: private/var/mobile/....
	DevicePath string
	// Size is the size of a regular file; 0 for anything else.
	Size    int64
	Mode    fs.FileMode
	ModTime time.Time
	IsDir   bool
	// Link is a symbolic link's target as stored, when known.
	Link string
}

// Name is the last element of the device path.
func (f File) Name() string { return path.Base(f.DevicePath) }

// Regular reports whether the entry is a regular file (the only kind Open
// reads).
func (f File) Regular() bool { return f.Mode.IsRegular() }

// tree is what the generic Find, Walk and Stat need from a layout.
type tree interface {
	// lstat describes p ("" is the root) without following a final link.
	lstat(p string) (File, error)
	// readDir lists the entries of folder p, sorted by name.
	readDir(p string) ([]File, error)
}

// member is one archive entry in the index.
type member struct {
	File
	seq      int    // position in the archive (tar header order)
	offset   int64  // tar: where the data starts
	sparse   bool   // tar: sparse member, read sequentially
	hardlink string // tar: device path of a hard link's target
	zf       *zip.File
	synth    bool // folder implied by deeper names, not a member
	children []string
}

// index is the in-memory tree of an archive.
type index struct {
	byPath map[string]*member
	warn   func(string)
}

func newIndex(warn func(string)) *index {
	root := &member{File: File{Mode: fs.ModeDir | 0o755, IsDir: true}, synth: true}
	return &index{byPath: map[string]*member{"": root}, warn: warn}
}

// add puts m in the tree, creating the folders above it. A folder wins
// over a file of the same name; of two non-folders the later one wins.
func (ix *index) add(m *member) {
	parent := ix.ensureDir(path.Dir(m.DevicePath))
	old, ok := ix.byPath[m.DevicePath]
	if !ok {
		ix.byPath[m.DevicePath] = m
		parent.children = append(parent.children, path.Base(m.DevicePath))
		return
	}
	switch {
	case old.IsDir && m.IsDir:
		if old.synth {
			m.children = old.children
			ix.byPath[m.DevicePath] = m
		}
	case old.IsDir:
		if !isAliasLink(m) {
			ix.warn("duplicate name " + m.DevicePath + ": a folder and a non-folder; the folder is kept")
		}
	case m.IsDir:
		ix.warn("duplicate name " + m.DevicePath + ": a folder and a non-folder; the folder is kept")
		ix.byPath[m.DevicePath] = m
	default:
		ix.warn("duplicate name " + m.DevicePath + ": the later member is used")
		ix.byPath[m.DevicePath] = m
	}
}

// isAliasLink is the var -> private/var link every iOS root holds.
func isAliasLink(m *member) bool {
	if m.Mode&fs.ModeSymlink == 0 {
		return false
	}
	rest, ok := strings.CutPrefix(m.DevicePath, "private/")
	return ok && isAlias(rest)
}

func (ix *index) ensureDir(p string) *member {
	if p == "." {
		p = ""
	}
	if m, ok := ix.byPath[p]; ok && m.IsDir {
		return m
	} else if ok {
		ix.warn("name " + p + " is both a file and a folder; the folder is kept")
	}
	d := &member{File: File{DevicePath: p, Mode: fs.ModeDir | 0o755, IsDir: true}, synth: true}
	parent := ix.ensureDir(path.Dir(p))
	if _, ok := ix.byPath[p]; !ok {
		parent.children = append(parent.children, path.Base(p))
	}
	ix.byPath[p] = d
	return d
}

// finish sorts every folder's children and resolves hard links.
func (ix *index) finish() {
	for _, m := range ix.byPath {
		if m.IsDir {
			sort.Strings(m.children)
			m.children = compact(m.children)
		}
		if m.hardlink != "" {
			if t, ok := ix.byPath[m.hardlink]; ok && t.Regular() && t.hardlink == "" {
				m.Size = t.Size
			}
		}
	}
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func (ix *index) lstat(p string) (File, error) {
	m, ok := ix.byPath[p]
	if !ok {
		return File{}, fs.ErrNotExist
	}
	return m.File, nil
}

func (ix *index) readDir(p string) ([]File, error) {
	m, ok := ix.byPath[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	if !m.IsDir {
		return nil, errNotDir
	}
	out := make([]File, 0, len(m.children))
	for _, c := range m.children {
		out = append(out, ix.byPath[path.Join(p, c)].File)
	}
	return out, nil
}

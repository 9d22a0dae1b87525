// Package iosfs reads a full-filesystem dump of an iPhone (and, with
// Options.Kind, any other acquisition that is a tree of files: androidqf,
// bug reports, unpacked Android backups) as an
// evidence.Source, from a folder or straight from a .tar, .tar.gz/.tgz or
// .zip archive, without unpacking the archive.
//
// # Device paths
//
// Every entry is named by its path relative to the device root, in the
// form private/var/mobile/Library/SMS/sms.db: no leading slash, and the
// top-level var, tmp and etc (links into /private on the device) folded
// into private/var, private/tmp and private/etc. [Normalize] turns what a
// module or an indicator writes (/var/mobile/..., ./private/var/...) into
// that form. Query.DevicePaths globs match one path element per pattern
// element, as path.Match does; backup-only Query fields are ignored.
//
// # Where the root is
//
// A folder: the folder itself when it holds private/var or var; else the
// first sub-folder (breadth first, name order, at most three levels down)
// holding private/var or var/mobile; else the folder itself (a folder
// without private/var is its own root, as MVT treats it).
//
// An archive: the part of a member name before the first private/var
// element pair, in archive order (so entries may sit at the archive root,
// under one top folder, or under any prefix); else the root when a name
// starts with var/; else the single top folder all names share, unless it
// is an iOS root folder itself (private, System, usr ...). Members outside
// the root are skipped with a warning.
//
// # Archives, and what they cost
//
// A zip is random access: its central directory is the index and members
// are decompressed on demand. A plain tar is indexed in one sequential
// pass (member offsets), then read through io.SectionReader. A .tar.gz
// cannot be read at an offset, so Open makes one sequential pass that
// indexes every member and extracts into the private temporary folder
// only the members Options.Want asks for; opening any other member later
// costs one more full pass (which also takes that member's -wal, -shm and
// -journal siblings). Callers that know what modules will read should say
// so in Want: one pass instead of one per file. Walk, Find, Stat and
// FindName never read member data. The index costs about 1 KB of memory
// per member (a 100k-member .tar.gz indexes in about a second).
//
// A folder is not indexed: Find expands globs element by element (a
// pattern without wildcards costs a few lstat calls), while Walk,
// FindName and BaseNames list the whole tree each time they are called.
//
// Every archive is hashed whole once, at Open (for a zip and a tar this is
// one more read of the file). Members read are hashed and recorded as
// "archive!private/var/...".
//
// # Hostile input
//
// Nothing is ever written into the input. A folder is read through an
// os.Root, so no name or link leads outside it. Symbolic links in an
// archive are recorded (File.Link) but never followed; hard links in a tar
// read as their target member. Member names with NUL, a ".." element, a
// Windows drive or UNC prefix, or that are not local paths are skipped
// with a warning ([FS.Warnings]); member names are never used as names on
// disk. Each member is capped at Options.MaxMemberSize and at its declared
// size, and the bytes expanded from an archive in total at
// Options.MaxTotal ([ErrTooLarge]). A corrupt archive gives an
// *evidence.FileError wrapping evidence.ErrCorrupt; a tar or .tar.gz cut
// short keeps the members before the damage and reports it as a warning.
package iosfs

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/spycheck/spycheck/evidence"
)

// Options tunes how an archive is read. The zero value is usable.
type Options struct {
	// Want says which .tar.gz members to extract during the indexing pass
	// (by device path). nil extracts nothing up front.
	Want func(devicePath string) bool
	// MaxMemberSize caps one member's size (0: DefaultMaxMemberSize).
	MaxMemberSize int64
	// MaxTotal caps the bytes expanded from compressed members and written
	// to the private folder, in total (0: DefaultMaxTotal).
	MaxTotal int64
	// Kind is the acquisition kind the source reports (default
	// evidence.IOSFS). Any other kind reads the tree as it is: the root
	// is the folder itself, or an archive's single top folder, and no iOS
	// path aliases (var → private/var) apply. Android acquisitions
	// (androidqf, bug reports, unpacked backups) are read that way.
	Kind evidence.Kind
}

type format int

const (
	formatFolder format = iota
	formatZip
	formatTar
	formatTarGz
)

// FS is a filesystem dump. It is safe for concurrent use.
type FS struct {
	path   string
	format format
	opts   Options
	ws     *evidence.Workspace
	tree   tree

	folder *folder // formatFolder
	idx    *index  // archives
	file   *os.File
	prefix string // archives: where the root is inside

	budget    budget
	linksRead int

	mu        sync.Mutex // guards the fields below
	warnings  []string
	dropped   int
	tmp       string
	extracted map[int]string
	failed    map[int]error
	passMu    sync.Mutex // one extraction pass at a time
}

// Open opens the dump at path: a folder, or a .tar, .tar.gz/.tgz or .zip
// archive (recognised by its first bytes, else by its extension).
func Open(path string, opts Options) (*FS, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open dump %s: %w", path, err)
	}
	if opts.MaxMemberSize <= 0 {
		opts.MaxMemberSize = DefaultMaxMemberSize
	}
	if opts.MaxTotal <= 0 {
		opts.MaxTotal = DefaultMaxTotal
	}
	if opts.Kind == "" {
		opts.Kind = evidence.IOSFS
	}
	s := &FS{path: abs, opts: opts, ws: evidence.NewWorkspace(), extracted: map[int]string{}, failed: map[int]error{}}
	s.budget.max = opts.MaxTotal
	if err := s.open(); err != nil {
		s.Close()
		return nil, openError(abs, err)
	}
	return s, nil
}

func openError(path string, err error) error {
	var fe *evidence.FileError
	switch {
	case errors.As(err, &fe):
		return err
	case errors.Is(err, errCorruptArchive):
		err = fmt.Errorf("%w: %w", evidence.ErrCorrupt, err)
	case errors.Is(err, fs.ErrNotExist):
		err = evidence.ErrNotFound
	}
	return &evidence.FileError{Op: "open dump", Evidence: path, Err: err}
}

func (s *FS) open() error {
	st, err := os.Stat(s.path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return s.openFolder()
	}
	s.format, err = sniff(s.path)
	if err != nil {
		return err
	}
	s.idx = newIndex(s.warn)
	s.tree = s.idx
	if s.format == formatZip {
		return s.indexZip()
	}
	if err := s.indexTar(); err != nil {
		return err
	}
	if s.format == formatTar {
		f, err := os.Open(s.path)
		s.file = f
		return err
	}
	return s.extractWanted()
}

// extractWanted makes one more pass for the wanted members of a .tar.gz
// that the first pass could not place yet (names seen before the root
// prefix was known).
func (s *FS) extractWanted() error {
	if s.opts.Want == nil {
		return nil
	}
	want := map[int]*member{}
	for p, m := range s.idx.byPath {
		if m.Regular() && m.hardlink == "" && s.opts.Want(p) {
			if _, _, done := s.copyState(m); !done {
				want[m.seq] = m
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	s.passMu.Lock()
	defer s.passMu.Unlock()
	return s.extractPass(want)
}

func (s *FS) openFolder() error {
	s.format = formatFolder
	dir := s.path
	if s.ios() {
		dir = findRoot(s.path)
	} else if subs := subDirs(dir); len(subs) == 1 && onlyEntry(dir) && s.opts.Kind != evidence.AndroidBackup {
		// A folder holding just the acquisition's own top folder (an
		// unpacked Android backup's apps/ is part of its layout).
		dir = subs[0]
	}
	f, err := openFolder(dir, s.warn, s.ios())
	if err != nil {
		return err
	}
	s.folder, s.tree = f, f
	return nil
}

// sniff tells the archive format from the first bytes, then the name.
func sniff(p string) (format, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var head [512]byte
	n, _ := io.ReadFull(f, head[:])
	if n == 0 {
		return 0, fmt.Errorf("%w: empty file", errCorruptArchive)
	}
	b := head[:n]
	name := strings.ToLower(p)
	switch {
	case len(b) >= 4 && string(b[:4]) == "PK\x03\x04", len(b) >= 4 && string(b[:4]) == "PK\x05\x06":
		return formatZip, nil
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		return formatTarGz, nil
	case n == 512 && string(b[257:262]) == "ustar", strings.HasSuffix(name, ".tar"):
		return formatTar, nil
	case strings.HasSuffix(name, ".zip"):
		return formatZip, nil
	case strings.HasSuffix(name, ".tar.gz"), strings.HasSuffix(name, ".tgz"):
		return formatTarGz, nil
	}
	return 0, fmt.Errorf("%w: not a folder, zip, tar or tar.gz", errCorruptArchive)
}

func (s *FS) warn(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.warnings) >= maxWarnings {
		s.dropped++
		return
	}
	s.warnings = append(s.warnings, msg)
}

// Warnings lists what was skipped or damaged while reading the dump
// (refused member names, truncation, duplicates), oldest first.
func (s *FS) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.warnings...)
	if s.dropped > 0 {
		out = append(out, fmt.Sprintf("and %d more warnings", s.dropped))
	}
	return out
}

// Kind implements evidence.Source.
func (s *FS) Kind() evidence.Kind { return s.opts.Kind }

// ios reports whether the tree is an iOS device root (with its aliases).
func (s *FS) ios() bool { return s.opts.Kind == evidence.IOSFS }

// normalize is Normalize for this tree's layout.
func (s *FS) normalize(p string) (string, error) {
	c, err := cleanName(p)
	if err != nil {
		return "", err
	}
	return devicePath(c, s.ios())
}

// Path is the folder or archive, as an absolute path.
func (s *FS) Path() string { return s.path }

// Root says where the device root was found: a folder path, or the
// archive path followed by "!" and the prefix of member names.
func (s *FS) Root() string {
	if s.folder != nil {
		return s.folder.dir
	}
	return s.path + "!" + s.prefix
}

// Workspace implements evidence.Source.
func (s *FS) Workspace() *evidence.Workspace { return s.ws }

// Close releases the dump and removes every temporary copy.
func (s *FS) Close() error {
	var err error
	if s.folder != nil {
		err = s.folder.root.Close()
	}
	if s.file != nil {
		if cerr := s.file.Close(); err == nil {
			err = cerr
		}
	}
	if cerr := s.ws.Close(); err == nil {
		err = cerr
	}
	return err
}

// Entry is the evidence entry of a file of the dump.
func (s *FS) Entry(f File) evidence.Entry {
	return evidence.Entry{DevicePath: f.DevicePath, Local: s.local(f.DevicePath)}
}

// local is the file on disk (folder) or archive!member (archive).
func (s *FS) local(dev string) string {
	if s.folder != nil {
		return s.folder.local(dev)
	}
	return s.memberName(dev)
}

func (s *FS) entries(files []File) []evidence.Entry {
	out := make([]evidence.Entry, len(files))
	for i, f := range files {
		out[i] = s.Entry(f)
	}
	return out
}

// Find implements evidence.Source: the regular files matching any of
// q.DevicePaths, sorted by device path. Other Query fields are ignored.
func (s *FS) Find(ctx context.Context, q evidence.Query) ([]evidence.Entry, error) {
	files, err := findGlobs(ctx, s.tree, q.DevicePaths, s.normalize)
	if err != nil {
		return nil, fmt.Errorf("find in %s: %w", s.path, err)
	}
	return s.entries(files), nil
}

// Stat describes one entry by device path, without following a final
// symbolic link.
func (s *FS) Stat(devicePath string) (File, error) {
	p, err := s.normalize(devicePath)
	if err == nil {
		var f File
		if f, err = s.tree.lstat(p); err == nil {
			return f, nil
		}
	}
	return File{}, s.pathError("stat", devicePath, err)
}

// ReadDir lists a folder of the dump, sorted by name.
func (s *FS) ReadDir(devicePath string) ([]File, error) {
	p, err := s.normalize(devicePath)
	if err == nil {
		var files []File
		if files, err = s.tree.readDir(p); err == nil {
			return files, nil
		}
	}
	return nil, s.pathError("list", devicePath, err)
}

func (s *FS) pathError(op, dev string, err error) error {
	if isNotExist(err) {
		err = evidence.ErrNotFound
	}
	return &evidence.FileError{Op: op, Path: dev, Evidence: s.path, Err: err}
}

// Walk calls fn for every entry of the dump (folders, files, links,
// special files), depth first, each folder's entries in name order and a
// folder before its contents. Links are not followed. An error from fn
// stops the walk and is returned.
func (s *FS) Walk(ctx context.Context, fn func(File) error) error {
	return walk(ctx, s.tree, "", fn, s.warn)
}

// FindName returns every regular file whose base name is name, anywhere in
// the dump (Cache.db for the CacheFiles module), sorted by device path.
func (s *FS) FindName(ctx context.Context, name string) ([]evidence.Entry, error) {
	var files []File
	err := s.Walk(ctx, func(f File) error {
		if f.Regular() && path.Base(f.DevicePath) == name {
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].DevicePath < files[j].DevicePath })
	return s.entries(files), nil
}

// BaseNames is the set of base names of every entry that is not a folder
// (what MVT compares process names with to flag a process whose binary is
// nowhere in the dump).
func (s *FS) BaseNames(ctx context.Context) (map[string]bool, error) {
	names := map[string]bool{}
	err := s.Walk(ctx, func(f File) error {
		if !f.IsDir {
			names[path.Base(f.DevicePath)] = true
		}
		return nil
	})
	return names, err
}

// Open implements evidence.Source: it reads a regular file of the dump by
// e.DevicePath. What is read is hashed into the workspace.
func (s *FS) Open(e evidence.Entry) (io.ReadCloser, error) {
	p, err := s.normalize(e.DevicePath)
	if err != nil || p == "" {
		return nil, &evidence.FileError{Op: "open", Path: e.DevicePath, Evidence: s.path, Err: fmt.Errorf("%w: bad device path", evidence.ErrNotFound)}
	}
	if s.folder != nil {
		return s.openFolderFile(p)
	}
	return s.openMember(p)
}

func (s *FS) openFolderFile(p string) (io.ReadCloser, error) {
	local := s.folder.local(p)
	fail := func(err error) error {
		if isNotExist(err) {
			err = evidence.ErrNotFound
		}
		return &evidence.FileError{Op: "open", Path: p, Evidence: local, Err: err}
	}
	if first, _, _ := strings.Cut(p, "/"); s.ios() && isAlias(first) {
		return nil, fail(fs.ErrNotExist)
	}
	rel := s.folder.rel(p)
	st, err := s.folder.root.Stat(rel)
	if err != nil {
		return nil, fail(err)
	}
	if !st.Mode().IsRegular() {
		return nil, fail(fmt.Errorf("not a regular file (%s)", st.Mode().Type()))
	}
	f, err := s.folder.root.Open(rel)
	if err != nil {
		return nil, fail(err)
	}
	wrap := func(err error) error { return &evidence.FileError{Op: "read", Path: p, Evidence: local, Err: err} }
	return newHashReader(f, f, local, s.ws, wrap), nil
}

// openMember reads an archive member: a zip member or a plain tar member
// in place, anything else from its private copy.
func (s *FS) openMember(p string) (io.ReadCloser, error) {
	wrap := func(err error) error {
		if isNotExist(err) {
			err = evidence.ErrNotFound
		} else if isCorrupt(err) {
			err = fmt.Errorf("%w: %w", evidence.ErrCorrupt, err)
		}
		return &evidence.FileError{Op: "open", Path: p, Evidence: s.path, Err: err}
	}
	m, ok := s.idx.byPath[p]
	if ok && m.hardlink != "" {
		m, ok = s.idx.byPath[m.hardlink]
		if ok && m.hardlink != "" {
			return nil, wrap(errors.New("hard link to a hard link"))
		}
	}
	switch {
	case !ok:
		return nil, wrap(fs.ErrNotExist)
	case !m.Regular():
		return nil, wrap(fmt.Errorf("not a regular file (%s)", m.Mode.Type()))
	case m.zf != nil:
		return s.openZip(m, wrap)
	case s.format == formatTar && !m.sparse:
		sr := io.NewSectionReader(s.file, m.offset, m.Size)
		in := &capReader{r: sr, left: m.Size}
		return newHashReader(in, nopCloser{}, s.memberName(m.DevicePath), s.ws, wrap), nil
	}
	local, err := s.extractedCopy(m)
	if err != nil {
		return nil, wrap(err)
	}
	f, err := os.Open(local)
	if err != nil {
		return nil, wrap(err)
	}
	return f, nil
}

func isCorrupt(err error) bool {
	for _, e := range []error{errCorruptArchive, io.ErrUnexpectedEOF, zip.ErrFormat, zip.ErrChecksum, zip.ErrAlgorithm, tar.ErrHeader, gzip.ErrChecksum, gzip.ErrHeader} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

var _ evidence.Source = (*FS)(nil)

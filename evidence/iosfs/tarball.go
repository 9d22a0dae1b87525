package iosfs

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// countReader counts the bytes read through it (the tar data offsets).
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// tarStream opens the archive for one sequential pass: the tar reader, the
// counter of uncompressed bytes and the file (to close).
func (s *FS) tarStream(tee io.Writer) (*tar.Reader, *countReader, *os.File, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, nil, nil, err
	}
	var r io.Reader = f
	if tee != nil {
		r = io.TeeReader(f, tee)
	}
	if s.format == formatTarGz {
		gz, err := gzip.NewReader(r)
		if err != nil {
			f.Close()
			return nil, nil, nil, fmt.Errorf("%w: not gzip data: %v", errCorruptArchive, err)
		}
		r = gz
	}
	cr := &countReader{r: r}
	return tar.NewReader(cr), cr, f, nil
}

var errCorruptArchive = errors.New("corrupt archive")

// next is tar.Reader.Next that accepts names archive/tar calls insecure
// (this package checks names itself).
func next(tr *tar.Reader) (*tar.Header, error) {
	h, err := tr.Next()
	if errors.Is(err, tar.ErrInsecurePath) && h != nil {
		err = nil
	}
	return h, err
}

// indexTar reads the whole tar or tar.gz once: it hashes the archive,
// lists every member and, for a tar.gz, extracts the wanted ones.
func (s *FS) indexTar() error {
	h := sha256.New()
	tr, cr, f, err := s.tarStream(h)
	if err != nil {
		return err
	}
	defer f.Close()
	var (
		members []*member
		names   []string
		rp      = rootPrefix{plain: !s.ios()}
	)
	for seq := 0; ; seq++ {
		hdr, err := next(tr)
		if err == io.EOF {
			break
		}
		if err != nil {
			if seq == 0 {
				return fmt.Errorf("%w: %v", errCorruptArchive, err)
			}
			s.warn(fmt.Sprintf("read %s: %v after %d members; the rest is not listed", s.path, err, seq))
			break
		}
		m, name := s.tarMember(hdr, seq, cr.n)
		if m == nil {
			continue
		}
		members, names = append(members, m), append(names, name)
		rp.observe(name)
		s.extractEarly(&rp, m, name, tr)
	}
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	s.ws.Record(s.path, hex.EncodeToString(h.Sum(nil)))
	rp.finish(names)
	s.prefix = rp.prefix
	for i, m := range members {
		if s.place(&rp, m, names[i]) {
			s.idx.add(m)
		}
	}
	s.idx.finish()
	return nil
}

// tarMember turns a header into an index member (without its device path
// yet) and its cleaned name; nil for names that are refused.
func (s *FS) tarMember(hdr *tar.Header, seq int, offset int64) (*member, string) {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil, ""
	}
	name, err := cleanName(hdr.Name)
	if err != nil {
		s.warn(fmt.Sprintf("skip member %q of %s: %v", hdr.Name, s.path, err))
		return nil, ""
	}
	fi := hdr.FileInfo()
	m := &member{
		File:   File{Size: hdr.Size, Mode: fi.Mode(), ModTime: hdr.ModTime, IsDir: fi.IsDir()},
		seq:    seq,
		offset: offset,
		sparse: isSparse(hdr),
	}
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		m.Link, m.Size = hdr.Linkname, 0
	case tar.TypeLink:
		m.hardlink = hdr.Linkname // reads as its target, a regular file
	}
	if !m.Regular() && m.hardlink == "" {
		m.Size = 0
	}
	return m, name
}

func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// place sets a member's device path; false when it is skipped.
func (s *FS) place(rp *rootPrefix, m *member, name string) bool {
	dev, above, err := rp.strip(name)
	if err != nil {
		s.warn(fmt.Sprintf("skip member %q of %s: %v", name, s.path, err))
		return false
	}
	if above {
		return false
	}
	m.DevicePath = dev
	if m.hardlink != "" {
		target, err := cleanName(m.hardlink)
		if err == nil {
			target, _, err = rp.strip(target)
		}
		if err != nil || target == "" {
			s.warn(fmt.Sprintf("hard link %s of %s points outside the dump: %q", dev, s.path, m.hardlink))
			target = ""
		}
		m.hardlink = target
		if target == "" {
			m.Mode = fs.ModeIrregular
		}
	}
	return true
}

// extractEarly extracts a tar.gz member during the indexing pass when the
// caller's Options.Want asks for it and the root prefix is already known.
func (s *FS) extractEarly(rp *rootPrefix, m *member, name string, tr *tar.Reader) {
	if s.format != formatTarGz || s.opts.Want == nil || !m.Regular() || m.hardlink != "" || !rp.known {
		return
	}
	dev, above, err := rp.strip(name)
	if err != nil || above || !s.opts.Want(dev) {
		return
	}
	m.DevicePath = dev
	s.store(m, tr)
}

// store copies the current member of tr into the private folder and
// records where it went, or why it failed.
func (s *FS) store(m *member, tr io.Reader) {
	local, err := s.extractTo(m, tr)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.failed[m.seq] = err
		return
	}
	s.extracted[m.seq] = local
}

func (s *FS) extractTo(m *member, r io.Reader) (string, error) {
	if m.Size > s.opts.MaxMemberSize {
		return "", fmt.Errorf("%w: %d bytes (Options.MaxMemberSize is %d)", ErrTooLarge, m.Size, s.opts.MaxMemberSize)
	}
	dir, err := s.extractDir()
	if err != nil {
		return "", err
	}
	local := filepath.Join(dir, "m"+strconv.Itoa(m.seq))
	out, err := os.OpenFile(local, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	in := &capReader{r: r, left: m.Size, budget: &s.budget}
	_, err = io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(local)
		return "", err
	}
	s.ws.Record(s.memberName(m.DevicePath), hex.EncodeToString(h.Sum(nil)))
	return local, nil
}

// extractDir is the private folder for extracted members (made once).
func (s *FS) extractDir() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tmp != "" {
		return s.tmp, nil
	}
	root, err := s.ws.TempDir()
	if err != nil {
		return "", err
	}
	s.tmp, err = os.MkdirTemp(root, "iosfs-")
	return s.tmp, err
}

// extracted returns the private copy of m, making one more sequential pass
// over the archive when it is not there yet. The pass also takes the
// member's -wal, -shm and -journal siblings, which SQLite readers ask for
// next.
func (s *FS) extractedCopy(m *member) (string, error) {
	if local, err, ok := s.copyState(m); ok {
		return local, err
	}
	s.passMu.Lock()
	defer s.passMu.Unlock()
	if local, err, ok := s.copyState(m); ok {
		return local, err
	}
	want := map[int]*member{m.seq: m}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if sib, ok := s.idx.byPath[m.DevicePath+suffix]; ok && sib.Regular() && sib.hardlink == "" {
			if _, _, done := s.copyState(sib); !done {
				want[sib.seq] = sib
			}
		}
	}
	if err := s.extractPass(want); err != nil {
		return "", err
	}
	local, err, _ := s.copyState(m)
	return local, err
}

func (s *FS) copyState(m *member) (string, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err, ok := s.failed[m.seq]; ok {
		return "", err, true
	}
	local, ok := s.extracted[m.seq]
	return local, nil, ok
}

// extractPass reads the archive from the start and stores the members in
// want (by position); members it does not reach are marked failed.
func (s *FS) extractPass(want map[int]*member) error {
	tr, _, f, err := s.tarStream(nil)
	if err != nil {
		return err
	}
	defer f.Close()
	left := len(want)
	for seq := 0; left > 0; seq++ {
		if _, err := next(tr); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			s.failAll(want, err)
			return nil
		}
		if m, ok := want[seq]; ok {
			s.store(m, tr)
			delete(want, seq)
			left--
		}
	}
	return nil
}

func (s *FS) failAll(want map[int]*member, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for seq := range want {
		s.failed[seq] = err
	}
}

// memberName is how a member is named in the hashes: archive!device/path.
func (s *FS) memberName(dev string) string { return s.path + "!" + path.Clean(dev) }

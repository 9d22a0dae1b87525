package iosfs

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// indexZip hashes the whole zip once and lists its central directory.
func (s *FS) indexZip() error {
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	s.file = f
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return err
	}
	s.ws.Record(s.path, hex.EncodeToString(h.Sum(nil)))
	zr, err := zip.NewReader(f, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return fmt.Errorf("%w: %v", errCorruptArchive, err)
	}
	var (
		members []*member
		names   []string
		rp      = rootPrefix{plain: !s.ios()}
	)
	for i, zf := range zr.File {
		name, err := cleanName(zf.Name)
		if err != nil {
			s.warn(fmt.Sprintf("skip member %q of %s: %v", zf.Name, s.path, err))
			continue
		}
		members, names = append(members, s.zipMember(zf, i)), append(names, name)
		rp.observe(name)
	}
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

func (s *FS) zipMember(zf *zip.File, seq int) *member {
	mode := zf.Mode()
	m := &member{
		File: File{Size: clampSize(zf.UncompressedSize64), Mode: mode, ModTime: zf.Modified, IsDir: mode.IsDir()},
		seq:  seq,
		zf:   zf,
	}
	if !mode.IsRegular() {
		m.Size = 0
	}
	if mode&os.ModeSymlink != 0 {
		m.Link = s.zipLink(zf)
	}
	return m
}

func clampSize(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}

// zipLink reads a symbolic link's target (stored as the member's data),
// at most maxLinkTarget bytes, for the first maxLinksRead links; "" when
// unreadable or past that count.
func (s *FS) zipLink(zf *zip.File) string {
	if zf.UncompressedSize64 > maxLinkTarget || s.linksRead >= maxLinksRead {
		return ""
	}
	s.linksRead++
	rc, err := zf.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget))
	if err != nil {
		return ""
	}
	return string(b)
}

// openZip streams a zip member, capped at its declared size and at
// Options.MaxMemberSize.
func (s *FS) openZip(m *member, wrap func(error) error) (io.ReadCloser, error) {
	if m.Size > s.opts.MaxMemberSize {
		return nil, wrap(fmt.Errorf("%w: declares %d bytes (Options.MaxMemberSize is %d)", ErrTooLarge, m.Size, s.opts.MaxMemberSize))
	}
	rc, err := m.zf.Open()
	if err != nil {
		return nil, wrap(fmt.Errorf("%w: %v", errCorruptArchive, err))
	}
	in := &capReader{r: rc, left: m.Size, budget: &s.budget}
	return newHashReader(in, rc, s.memberName(m.DevicePath), s.ws, wrap), nil
}

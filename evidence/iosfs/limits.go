package iosfs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync/atomic"

	"github.com/spycheck/spycheck/evidence"
)

// Default limits against archive bombs (see Options).
const (
	DefaultMaxMemberSize = 4 << 30
	DefaultMaxTotal      = 32 << 30
	maxWarnings          = 1000
	maxLinkTarget        = 4096
	maxLinksRead         = 10000
)

// ErrTooLarge means an archive member is larger than allowed or expands
// beyond its declared size (a likely archive bomb).
var ErrTooLarge = errors.New("larger than allowed")

// budget counts the bytes taken out of compressed archive members.
type budget struct {
	used atomic.Int64
	max  int64
}

func (b *budget) take(n int64) error {
	if b.used.Add(n) > b.max {
		return fmt.Errorf("%w: more than %d bytes expanded from the archive in total (Options.MaxTotal)", ErrTooLarge, b.max)
	}
	return nil
}

// capReader passes exactly want bytes of r: fewer is io.ErrUnexpectedEOF,
// more is ErrTooLarge. Every byte is charged to the budget (if any).
type capReader struct {
	r      io.Reader
	left   int64
	budget *budget
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: expands beyond its declared size", ErrTooLarge)
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.budget != nil && n > 0 {
		if berr := c.budget.take(int64(n)); berr != nil {
			return n, berr
		}
	}
	if err == io.EOF && c.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// hashReader hashes what it passes; on Close it reads the rest so that the
// sum is of the whole member, and records it under name.
type hashReader struct {
	r      io.Reader
	closer io.Closer
	h      hash.Hash
	name   string
	ws     *evidence.Workspace
	failed error
	wrap   func(error) error
}

func newHashReader(r io.Reader, closer io.Closer, name string, ws *evidence.Workspace, wrap func(error) error) *hashReader {
	return &hashReader{r: r, closer: closer, h: sha256.New(), name: name, ws: ws, wrap: wrap}
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	if err != nil && err != io.EOF {
		h.failed = err
		err = h.wrap(err)
	}
	return n, err
}

func (h *hashReader) Close() error {
	err := h.failed
	if err == nil {
		_, err = io.Copy(h.h, h.r)
	}
	if h.closer != nil {
		if cerr := h.closer.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if err == h.failed {
			return nil // already reported by Read
		}
		return h.wrap(err)
	}
	h.ws.Record(h.name, hex.EncodeToString(h.h.Sum(nil)))
	return nil
}

// nopCloser is a closer that does nothing.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }

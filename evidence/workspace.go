package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Workspace records the SHA-256 of every input file read and owns the
// private temporary folder where databases are copied before opening.
// It is safe for concurrent use.
type Workspace struct {
	mu     sync.Mutex
	hashes map[string]string
	dir    string
	copies map[string]*copyOnce
}

type copyOnce struct {
	once sync.Once
	path string
	err  error
}

// FileHash is one input file and its SHA-256.
type FileHash struct {
	Path   string `json:"file_path"`
	SHA256 string `json:"sha256"`
}

// NewWorkspace returns an empty workspace; its folder is made on first use.
func NewWorkspace() *Workspace {
	return &Workspace{hashes: map[string]string{}, copies: map[string]*copyOnce{}}
}

// Record notes the SHA-256 of a file that was read.
func (w *Workspace) Record(path, sum string) {
	w.mu.Lock()
	w.hashes[path] = sum
	w.mu.Unlock()
}

// Hashes lists every recorded input, sorted by path.
func (w *Workspace) Hashes() []FileHash {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]FileHash, 0, len(w.hashes))
	for p, s := range w.hashes {
		out = append(out, FileHash{Path: p, SHA256: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// TempDir returns the private temporary folder, creating it if needed.
func (w *Workspace) TempDir() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dir == "" {
		d, err := os.MkdirTemp("", "spycheck-")
		if err != nil {
			return "", fmt.Errorf("create temporary folder: %w", err)
		}
		w.dir = d
	}
	return w.dir, nil
}

// Close removes the temporary folder and everything in it.
func (w *Workspace) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dir == "" {
		return nil
	}
	err := os.RemoveAll(w.dir)
	w.dir = ""
	w.copies = map[string]*copyOnce{}
	return err
}

// OpenFile opens a file on disk for reading; the bytes read are hashed and
// the sum recorded when the reader is closed (the rest of the file is read
// first if the caller stopped early, so the sum is always of the whole file).
func (w *Workspace) OpenFile(local, name string) (io.ReadCloser, error) {
	f, err := os.Open(local)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = ErrNotFound
		}
		return nil, &FileError{Op: "open", Path: name, Evidence: local, Err: err}
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, &FileError{Op: "open", Path: name, Evidence: local, Err: errors.New("is a folder")}
	}
	return &hashingReader{r: f, h: sha256.New(), path: local, ws: w}, nil
}

type hashingReader struct {
	r    *os.File
	h    hash.Hash
	path string
	ws   *Workspace
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

func (h *hashingReader) Close() error {
	_, err := io.Copy(h.h, h.r)
	if cerr := h.r.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		h.ws.Record(h.path, hex.EncodeToString(h.h.Sum(nil)))
	}
	return err
}

// once runs make the first time key is seen and returns its result on
// every call (temporary copies are made once per source).
func (w *Workspace) once(key string, make func() (string, error)) (string, error) {
	w.mu.Lock()
	c, ok := w.copies[key]
	if !ok {
		c = &copyOnce{}
		w.copies[key] = c
	}
	w.mu.Unlock()
	c.once.Do(func() { c.path, c.err = make() })
	return c.path, c.err
}

// copyEntry copies an entry's bytes (hashed on the way) to dst.
func copyEntry(src Source, e Entry, dst string) error {
	in, err := src.Open(e)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		in.Close()
		return &FileError{Op: "copy", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	_, err = io.Copy(out, in)
	if cerr := in.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &FileError{Op: "copy", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return nil
}

// CopyOut copies an entry (once per source) into the source's private
// folder under its base name and returns the copy's path: for an
// acquisition nested in another (androidqf's bugreport.zip and backup.ab),
// which is then opened as a source of its own.
func CopyOut(src Source, e Entry) (string, error) {
	ws := src.Workspace()
	return ws.once("out:"+e.Local+"!"+e.Name(), func() (string, error) {
		root, err := ws.TempDir()
		if err != nil {
			return "", err
		}
		dir, err := os.MkdirTemp(root, "nested-")
		if err != nil {
			return "", err
		}
		dst := filepath.Join(dir, filepath.Base(filepath.FromSlash(e.Name())))
		return dst, copyEntry(src, e, dst)
	})
}

// Package ab reads Android backups ("adb backup" .ab files, and the tar
// inside them unpacked into a folder) as an evidence.Source of Kind
// evidence.AndroidBackup.
//
// # The .ab format
//
// A backup starts with four text lines: "ANDROID BACKUP", the format
// version (1 to 5), the compression flag (0 or 1) and the encryption
// ("none" or "AES-256"). An encrypted backup then has five more lines: the
// user salt, the checksum salt, the PBKDF2 round count, the user IV and the
// encrypted master key blob (hex). The key derived from the password with
// PBKDF2-HMAC-SHA1 decrypts (AES-256-CBC) the blob into the master IV,
// master key and a checksum of the master key; the checksum (PBKDF2 over
// the master key, which since version 2 is first turned into Java chars of
// signed bytes and UTF-8 encoded, as Android's own code does) is always
// verified, so a wrong password gives evidence.ErrWrongPassword rather than
// garbage. The rest is the payload: AES-256-CBC with PKCS#7 padding if
// encrypted, zlib if compressed, and inside a tar archive whose members are
// named like apps/com.android.providers.telephony/d_f/000000_sms_backup.
//
// # Reading
//
// [Open] streams the file once: header, decryption, inflation and tar
// walk, never holding the payload in memory. Each regular tar member is
// copied into the source's private temporary folder and hashed (recorded
// as "backup.ab!member/name"); the .ab file itself is hashed whole. Members
// are found by Query.DevicePaths globs over their tar names (path.Match per
// element). The bytes expanded from the payload are capped
// ([Options.MaxSize], against zip bombs); member names that are absolute,
// climb with "..", or hold NUL are skipped. Errors name the file and wrap
// evidence.ErrCorrupt (bad header, truncated or damaged payload, corrupt
// zlib stream), evidence.ErrEncrypted (no password), evidence.ErrWrongPassword
// or [ErrTooLarge].
//
// A folder holding an unpacked backup (apps/<package>/...) is read in
// place through the generic folder reader of evidence/iosfs, with the same
// relative paths.
package ab

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosfs"
)

// DefaultMaxSize caps the bytes of the tar stream expanded from a backup.
const DefaultMaxSize = 16 << 30

// Options tunes [OpenWith]. The zero value is usable.
type Options struct {
	// MaxSize caps the bytes expanded from the payload (0: DefaultMaxSize).
	MaxSize int64
}

// Backup is an Android backup. It is safe for concurrent use once open.
type Backup struct {
	path   string
	header Header
	ws     *evidence.Workspace
	// members maps tar member names to their copies on disk (.ab input).
	members map[string]string
	names   []string
	// folder reads an unpacked backup folder.
	folder *iosfs.FS
}

// Open opens an .ab file (decrypting it with password if it is
// encrypted) or a folder holding an unpacked backup.
func Open(path, password string) (*Backup, error) {
	return OpenWith(path, password, Options{})
}

// OpenWith is Open with options.
func OpenWith(path, password string, opts Options) (*Backup, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open android backup %s: %w", path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, &evidence.FileError{Op: "open android backup", Evidence: abs, Err: evidence.ErrNotFound}
	}
	if st.IsDir() {
		f, err := iosfs.Open(abs, iosfs.Options{Kind: evidence.AndroidBackup})
		if err != nil {
			return nil, err
		}
		return &Backup{path: abs, folder: f, ws: f.Workspace()}, nil
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	b := &Backup{path: abs, ws: evidence.NewWorkspace(), members: map[string]string{}}
	if err := b.unpack(opts.MaxSize, password); err != nil {
		b.Close()
		return nil, &evidence.FileError{Op: "read android backup", Evidence: abs, Err: err}
	}
	return b, nil
}

// Header is the backup's header; the zero Header for a folder.
func (b *Backup) Header() Header { return b.header }

func (b *Backup) unpack(max int64, password string) (err error) {
	f, err := b.ws.OpenFile(b.path, filepath.Base(b.path))
	if err != nil {
		return errors.Unwrap(err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	p, err := NewPayload(f, password, max)
	if err != nil {
		return err
	}
	defer p.Close()
	b.header = p.Header
	if err := b.readTar(tar.NewReader(p)); err != nil {
		return err
	}
	sort.Strings(b.names)
	return nil
}

func (b *Backup) readTar(tr *tar.Reader) error {
	dir, err := b.ws.TempDir()
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return tarError(err)
		}
		name, ok := memberName(hdr.Name)
		if !ok || hdr.Typeflag != tar.TypeReg {
			continue
		}
		local := filepath.Join(dir, "ab-"+strconv.Itoa(i))
		if err := b.extract(tr, name, local); err != nil {
			return err
		}
	}
}

// tarError names a damaged tar stream; decoding errors pass unchanged.
func tarError(err error) error {
	switch {
	case errors.Is(err, evidence.ErrCorrupt), errors.Is(err, ErrTooLarge):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return corrupt("tar archive", errTruncated)
	}
	return corrupt("tar archive", err)
}

// memberName cleans a tar member name; unsafe names are refused.
func memberName(n string) (string, bool) {
	n = strings.TrimPrefix(n, "./")
	if n == "" || strings.ContainsRune(n, 0) || !filepath.IsLocal(filepath.FromSlash(n)) || strings.HasPrefix(n, "/") {
		return "", false
	}
	return path.Clean(n), true
}

func (b *Backup) extract(tr *tar.Reader, name, local string) error {
	out, err := os.OpenFile(local, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), tr)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return tarError(err)
	}
	if _, dup := b.members[name]; !dup {
		b.names = append(b.names, name)
	}
	b.members[name] = local
	b.ws.Record(b.path+"!"+name, hex.EncodeToString(h.Sum(nil)))
	return nil
}

// Kind implements evidence.Source.
func (b *Backup) Kind() evidence.Kind { return evidence.AndroidBackup }

// Path implements evidence.Source.
func (b *Backup) Path() string { return b.path }

// Workspace implements evidence.Source.
func (b *Backup) Workspace() *evidence.Workspace { return b.ws }

// Close removes every temporary copy.
func (b *Backup) Close() error {
	if b.folder != nil {
		return b.folder.Close()
	}
	return b.ws.Close()
}

// Members lists the regular members of an .ab file, sorted by name.
func (b *Backup) Members() []string { return append([]string(nil), b.names...) }

// Find implements evidence.Source: the members matching any of
// q.DevicePaths, sorted by name.
func (b *Backup) Find(ctx context.Context, q evidence.Query) ([]evidence.Entry, error) {
	if b.folder != nil {
		return b.folder.Find(ctx, q)
	}
	var out []evidence.Entry
	for _, n := range b.names {
		for _, pat := range q.DevicePaths {
			if ok, _ := path.Match(pat, n); ok {
				out = append(out, evidence.Entry{DevicePath: n, Local: b.members[n]})
				break
			}
		}
	}
	return out, ctx.Err()
}

// Open implements evidence.Source.
func (b *Backup) Open(e evidence.Entry) (io.ReadCloser, error) {
	if b.folder != nil {
		return b.folder.Open(e)
	}
	local, ok := b.members[e.DevicePath]
	if !ok {
		return nil, &evidence.FileError{Op: "open", Path: e.Name(), Evidence: b.path, Err: evidence.ErrNotFound}
	}
	f, err := os.Open(local)
	if err != nil {
		return nil, &evidence.FileError{Op: "open", Path: e.Name(), Evidence: b.path, Err: err}
	}
	return f, nil
}

package iosbackup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"howett.net/plist"

	"github.com/spycheck/spycheck/evidence"
)

// CopyOptions choose what WriteDecrypted writes besides the backup layout.
type CopyOptions struct {
	// RealPaths also lays every file out as <dest>/<domain>/<relativePath>
	// (hard links to the backup-layout copy when the file system allows).
	RealPaths bool
}

// CopyStats counts what WriteDecrypted did.
type CopyStats struct {
	Files int // files written
	// Missing are files listed in the Manifest but absent from the backup
	// (a partial backup).
	Missing int
	// Unsafe are real paths refused because they would leave dest.
	Unsafe []string
}

// WriteDecrypted writes a plaintext copy of the backup to dest, which
// must not exist or be an empty folder outside the backup: the root
// property lists (Manifest.plist with IsEncrypted false), a plaintext
// Manifest.db, and each file at <id[:2]>/<id>, so the copy is itself a
// backup any tool reads. An iOS 9 backup comes out in the Manifest.db
// format. Everything is written through an os.Root on dest, so no path
// from the Manifest can lead outside it.
func (b *Backup) WriteDecrypted(ctx context.Context, dest string, o CopyOptions) (CopyStats, error) {
	var st CopyStats
	abs, err := filepath.Abs(dest)
	if err != nil {
		return st, err
	}
	if rel, err := filepath.Rel(b.root, abs); err == nil && (rel == "." || filepath.IsLocal(rel)) {
		return st, fmt.Errorf("write decrypted copy %s: inside the backup %s; choose a folder elsewhere", dest, b.root)
	}
	if ents, err := os.ReadDir(abs); err == nil && len(ents) > 0 {
		return st, fmt.Errorf("write decrypted copy %s: folder is not empty", dest)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return st, fmt.Errorf("write decrypted copy: %w", err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return st, fmt.Errorf("write decrypted copy: %w", err)
	}
	defer root.Close()
	if err := b.copyRootFiles(root); err != nil {
		return st, err
	}
	if err := b.copyEntry(root, b.ManifestEntry(), "Manifest.db"); err != nil {
		return st, err
	}
	err = b.WalkManifest(ctx, func(r Row) error {
		if r.Flags != 1 && r.Flags != 0 {
			return nil
		}
		local, ok := b.exists(r.FileID)
		if !ok {
			st.Missing++
			return nil
		}
		e := evidence.Entry{Domain: r.Domain, RelativePath: r.RelativePath, FileID: r.FileID, Local: local}
		name := filepath.Join(r.FileID[:2], r.FileID)
		if err := root.MkdirAll(r.FileID[:2], 0o700); err != nil {
			return fmt.Errorf("write decrypted copy: %w", err)
		}
		if err := b.copyEntry(root, e, name); err != nil {
			return err
		}
		st.Files++
		if !o.RealPaths {
			return nil
		}
		real := filepath.Join(r.Domain, filepath.FromSlash(r.RelativePath))
		if r.Domain == "" || strings.ContainsAny(r.Domain, `/\`) || !filepath.IsLocal(real) {
			st.Unsafe = append(st.Unsafe, r.Domain+"/"+r.RelativePath)
			return nil
		}
		if err := root.MkdirAll(filepath.Dir(real), 0o700); err != nil {
			return fmt.Errorf("write decrypted copy %s: %w", real, err)
		}
		if err := root.Link(name, real); err != nil {
			if err := b.copyEntry(root, e, real); err != nil {
				return err
			}
		}
		return nil
	})
	return st, err
}

// copyEntry writes the plaintext of e to name under root.
func (b *Backup) copyEntry(root *os.Root, e evidence.Entry, name string) error {
	in, err := b.Open(e)
	if err != nil {
		return err
	}
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		in.Close()
		return fmt.Errorf("write decrypted copy %s: %w", name, err)
	}
	_, err = io.Copy(out, in)
	if cerr := in.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write decrypted copy %s: %w", name, err)
	}
	return nil
}

// copyRootFiles copies the root-level property lists; Manifest.plist
// gets IsEncrypted false so the copy reads as the plaintext it is.
func (b *Backup) copyRootFiles(root *os.Root) error {
	ents, err := os.ReadDir(b.root)
	if err != nil {
		return fmt.Errorf("write decrypted copy: %w", err)
	}
	for _, ent := range ents {
		name := ent.Name()
		if !ent.Type().IsRegular() || !strings.HasSuffix(name, ".plist") {
			continue
		}
		data, err := evidence.ReadFile(b, evidence.Entry{RelativePath: name, Local: filepath.Join(b.root, name)}, maxPlistCopy)
		if err != nil {
			return err
		}
		if name == "Manifest.plist" {
			if data, err = markDecrypted(data); err != nil {
				return &evidence.FileError{Op: "rewrite", Evidence: filepath.Join(b.root, name), Err: err}
			}
		}
		if err := root.WriteFile(name, data, 0o600); err != nil {
			return fmt.Errorf("write decrypted copy %s: %w", name, err)
		}
	}
	return nil
}

const maxPlistCopy = 64 << 20

// markDecrypted sets IsEncrypted to false, keeping the plist's format.
func markDecrypted(data []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: malformed property list: %v", evidence.ErrCorrupt, r)
		}
	}()
	var m map[string]any
	format, err := plist.Unmarshal(data, &m)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)
	}
	if m == nil {
		return nil, errors.New("not a dictionary")
	}
	if enc, _ := m["IsEncrypted"].(bool); !enc {
		return data, nil
	}
	m["IsEncrypted"] = false
	var buf bytes.Buffer
	enc := plist.NewEncoderForFormat(&buf, format)
	if format == plist.XMLFormat {
		enc.Indent("\t")
	}
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

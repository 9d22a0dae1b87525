// Package iosbackup reads an iTunes/Finder backup folder as an
// evidence.Source.
//
// A backup stores each device file as <root>/<fileID[:2]>/<fileID>, where
// fileID is the SHA-1 of "<domain>-<relativePath>"; Manifest.db's Files
// table (fileID, domain, relativePath, flags, file) lists them, with the
// file's metadata in an NSKeyedArchiver property list. Info.plist,
// Manifest.plist and Status.plist sit at the root.
//
// Manifest.db is opened on a private copy (it is often in WAL mode);
// nothing is ever written into the backup folder.
//
// Encrypted backups open with a password ([WithPassword]) or the key
// derived from it ([WithKey]): the keybag in Manifest.plist is unlocked
// first (a wrong password fails there, before anything is written), then
// Manifest.db is decrypted into the private copy and each file is
// decrypted as a module reads it. The workspace hashes the encrypted
// files as they are on disk. Modules see no difference.
//
// Backups of iOS 9 and older list their files in Manifest.mbdb instead of
// Manifest.db and store them flat in the backup folder; they are read by
// turning Manifest.mbdb into a Manifest.db in the private folder.
package iosbackup

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spycheck/spycheck/evidence"
)

// Backup is an iOS backup, encrypted or not.
type Backup struct {
	root string
	ws   *evidence.Workspace

	// keybag is the unlocked keybag of an encrypted backup (nil: files
	// are plaintext); manifestKey decrypts Manifest.db (nil: plaintext).
	keybag      *Keybag
	manifestKey []byte
	// mbdb: the file list is Manifest.mbdb and files lie flat in root;
	// conv makes its Manifest.db equivalent once, at convPath.
	mbdb     bool
	conv     sync.Once
	convPath string
	convErr  error

	mu       sync.Mutex // guards manifest: one connection, one user at a time
	manifest *evidence.DB
}

// ErrNotBackup means a folder holds no iOS backup.
var ErrNotBackup = errors.New("does not look like an iOS backup folder (expected Manifest.db or Manifest.mbdb, and Info.plist)")

// Locate returns the backup folder for path: path itself when it holds
// Manifest.db and Info.plist, else its only sub-folder that does (the
// layout of MobileSync/Backup). Several candidates are an error.
func Locate(path string) (string, error) {
	if isBackup(path) {
		return path, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return "", fmt.Errorf("open backup %s: %w", path, err)
	}
	var found []string
	for _, e := range ents {
		sub := filepath.Join(path, e.Name())
		if e.IsDir() && isBackup(sub) {
			found = append(found, sub)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("open backup %s: %w", path, ErrNotBackup)
	}
	return "", fmt.Errorf("open backup %s: %d backups found in sub-folders (%s); give one of them", path, len(found), strings.Join(found, ", "))
}

func isBackup(dir string) bool {
	return isFile(filepath.Join(dir, "Info.plist")) &&
		(isFile(filepath.Join(dir, "Manifest.db")) || isFile(filepath.Join(dir, "Manifest.mbdb")))
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Open opens the backup at path (see Locate). An encrypted backup needs
// WithPassword or WithKey: without them the error wraps
// evidence.ErrEncrypted, with a wrong one evidence.ErrWrongPassword.
func Open(path string, opts ...Option) (*Backup, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	root, err := Locate(path)
	if err != nil {
		return nil, err
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	b := &Backup{root: root, ws: evidence.NewWorkspace()}
	b.mbdb = !isFile(filepath.Join(root, "Manifest.db"))
	plistPath := filepath.Join(root, "Manifest.plist")
	mp, err := readManifestPlist(plistPath)
	if err != nil {
		return nil, err
	}
	// A copy decrypted by MVT keeps IsEncrypted and ManifestKey but holds
	// a plaintext Manifest.db (and plaintext files).
	decryptedCopy := len(mp.ManifestKey) > 0 && hasSQLiteHeader(filepath.Join(root, "Manifest.db"))
	if mp.IsEncrypted && !decryptedCopy {
		if o.key == nil && !o.hasPassword {
			return nil, &evidence.FileError{Op: "open backup", Evidence: plistPath, Err: evidence.ErrEncrypted}
		}
		if err := b.unlock(mp, o, plistPath); err != nil {
			return nil, err
		}
	}
	if b.mbdb {
		if err := b.convertMBDB(); err != nil {
			b.ws.Close()
			return nil, err
		}
	}
	db, err := evidence.OpenDB(b, b.ManifestEntry())
	if err == nil {
		err = db.Query("SELECT fileID FROM Files LIMIT 1", nil)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		b.ws.Close()
		if errors.Is(err, evidence.ErrCorrupt) && b.keybag == nil {
			return nil, fmt.Errorf("%w (an encrypted backup's Manifest.db is not readable SQLite): %w", evidence.ErrEncrypted, err)
		}
		return nil, err
	}
	b.manifest = db
	return b, nil
}

// Encrypted reports whether the backup's files are encrypted (and were
// unlocked when it was opened).
func (b *Backup) Encrypted() bool { return b.keybag != nil }

// Kind implements evidence.Source.
func (b *Backup) Kind() evidence.Kind { return evidence.IOSBackup }

// Path is the backup folder.
func (b *Backup) Path() string { return b.root }

// Workspace implements evidence.Source.
func (b *Backup) Workspace() *evidence.Workspace { return b.ws }

// Close closes Manifest.db and removes temporary copies.
func (b *Backup) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var err error
	if b.manifest != nil {
		err = b.manifest.Close()
		b.manifest = nil
	}
	if cerr := b.ws.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open implements evidence.Source. Entries must stay inside the backup.
// Files of an encrypted backup are decrypted as they are read.
func (b *Backup) Open(e evidence.Entry) (io.ReadCloser, error) {
	rel, err := filepath.Rel(b.root, e.Local)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, &evidence.FileError{Op: "open", Path: e.Name(), Evidence: e.Local, Err: errors.New("outside the backup folder")}
	}
	if rel == "Manifest.db" {
		switch {
		case b.mbdb:
			return b.openConverted(e)
		case b.manifestKey != nil:
			return b.decryptingReader(e.Local, e.Name(), b.manifestKey, sizeSQLite)
		}
	}
	if b.keybag == nil || !b.isBlob(rel) || !isFile(e.Local) {
		return b.ws.OpenFile(e.Local, e.Name())
	}
	return b.openEncrypted(e)
}

// isBlob reports whether rel (relative to the root) is where a backup
// stores a device file: <id[:2]>/<id>, or <id> in an iOS 9 backup.
func (b *Backup) isBlob(rel string) bool {
	if b.mbdb {
		return filepath.Dir(rel) == "." && isFileID(rel)
	}
	return filepath.Dir(rel) != "."
}

func isFileID(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// openEncrypted decrypts one file with the key from its Manifest metadata.
func (b *Backup) openEncrypted(e evidence.Entry) (io.ReadCloser, error) {
	id := e.FileID
	if id == "" {
		id = filepath.Base(e.Local)
	}
	fail := func(err error) error {
		return &evidence.FileError{Op: "decrypt", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	var meta []byte
	found := false
	b.mu.Lock()
	if b.manifest == nil {
		b.mu.Unlock()
		return nil, fail(errors.New("backup is closed"))
	}
	err := b.manifest.Query("SELECT file FROM Files WHERE fileID = ?", func(r evidence.Row) error {
		found = true
		meta, _ = r.Get("file").([]byte)
		return nil
	}, id)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if !found || len(meta) == 0 {
		return nil, fail(fmt.Errorf("%w: Manifest has no metadata (and so no key) for file ID %s", evidence.ErrEncrypted, id))
	}
	fk, ok, err := parseFileMeta(meta)
	if err != nil {
		return nil, fail(fmt.Errorf("read file metadata: %w", err))
	}
	if !ok {
		if st, err := os.Stat(e.Local); err == nil && st.Size() == 0 {
			return b.ws.OpenFile(e.Local, e.Name())
		}
		return nil, fail(fmt.Errorf("%w: no EncryptionKey in the file's Manifest metadata", evidence.ErrCorrupt))
	}
	key, err := b.keybag.UnwrapKey(fk.class, fk.key)
	if err != nil {
		return nil, fail(err)
	}
	return b.decryptingReader(e.Local, e.Name(), key, fk.size)
}

// FileID is the backup file ID of a domain and relative path.
func FileID(domain, relativePath string) string {
	sum := sha1.Sum([]byte(domain + "-" + relativePath))
	return hex.EncodeToString(sum[:])
}

func (b *Backup) blobPath(id string) (string, bool) {
	if len(id) < 2 || strings.ContainsAny(id, `/\.`) {
		return "", false
	}
	if b.mbdb {
		return filepath.Join(b.root, id), isFileID(id)
	}
	return filepath.Join(b.root, id[:2], id), true
}

func (b *Backup) exists(id string) (string, bool) {
	p, ok := b.blobPath(id)
	if !ok {
		return "", false
	}
	st, err := os.Stat(p)
	return p, err == nil && st.Mode().IsRegular()
}

// Find implements evidence.Source: root files, then Manifest matches (only
// files present in the backup), then file IDs not already found.
func (b *Backup) Find(ctx context.Context, q evidence.Query) ([]evidence.Entry, error) {
	var out []evidence.Entry
	seen := map[string]bool{}
	for _, name := range q.RootFiles {
		p := filepath.Join(b.root, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && filepath.IsLocal(name) {
			out = append(out, evidence.Entry{RelativePath: name, Local: p})
		}
	}
	add := func(r Row) {
		if seen[r.FileID] {
			return
		}
		if p, ok := b.exists(r.FileID); ok {
			seen[r.FileID] = true
			out = append(out, evidence.Entry{Domain: r.Domain, RelativePath: r.RelativePath, FileID: r.FileID, Local: p})
		}
	}
	patterns := q.RelativePaths
	if len(patterns) == 0 && q.Domain != "" {
		patterns = []string{"*"}
	}
	for _, pat := range patterns {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := b.query(q.Domain, pat, func(r Row) error {
			if r.Flags == 1 {
				add(r)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, id := range q.BackupIDs {
		if seen[id] {
			continue
		}
		r, err := b.lookupID(id)
		if err != nil {
			return nil, err
		}
		add(r)
	}
	return out, nil
}

// Row is one row of Manifest.db's Files table.
type Row struct {
	FileID       string
	Domain       string
	RelativePath string
	Flags        int64
	// File is the NSKeyedArchiver metadata blob (decode with evidence.DecodeKeyedArchive).
	File []byte
}

func scanRow(r evidence.Row) Row {
	row := Row{FileID: r.Text("fileID"), Domain: r.Text("domain"), RelativePath: r.Text("relativePath")}
	if f, ok := r.Get("flags").(int64); ok {
		row.Flags = f
	}
	if blob, ok := r.Get("file").([]byte); ok {
		row.File = blob
	}
	return row
}

// globPattern turns a '*' pattern into an SQLite GLOB pattern that treats
// every other character literally.
func globPattern(p string) string {
	r := strings.NewReplacer("[", "[[]", "?", "[?]")
	return r.Replace(p)
}

func (b *Backup) query(domain, pattern string, fn func(Row) error) error {
	sql := "SELECT fileID, domain, relativePath, flags FROM Files WHERE relativePath GLOB ?"
	args := []any{globPattern(pattern)}
	if domain != "" {
		sql += " AND domain = ?"
		args = append(args, domain)
	}
	sql += " ORDER BY domain, relativePath"
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.manifest == nil {
		return errors.New("backup is closed")
	}
	return b.manifest.Query(sql, func(r evidence.Row) error { return fn(scanRow(r)) }, args...)
}

func (b *Backup) lookupID(id string) (Row, error) {
	row := Row{FileID: id, Flags: 1}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.manifest == nil {
		return row, errors.New("backup is closed")
	}
	err := b.manifest.Query("SELECT fileID, domain, relativePath, flags FROM Files WHERE fileID = ?", func(r evidence.Row) error {
		row = scanRow(r)
		return nil
	}, id)
	return row, err
}

// WalkManifest calls fn for every row of Manifest.db's Files table, in
// table order, with the metadata blob.
func (b *Backup) WalkManifest(ctx context.Context, fn func(Row) error) error {
	db, err := evidence.OpenDB(b, b.ManifestEntry())
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Query("SELECT fileID, domain, relativePath, flags, file FROM Files", func(r evidence.Row) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(scanRow(r))
	})
}

// ManifestEntry is the evidence entry of Manifest.db itself.
func (b *Backup) ManifestEntry() evidence.Entry {
	return evidence.Entry{RelativePath: "Manifest.db", Local: filepath.Join(b.root, "Manifest.db")}
}

var _ evidence.Source = (*Backup)(nil)

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
	"howett.net/plist"
)

// Backup is an unencrypted iOS backup.
type Backup struct {
	root string
	ws   *evidence.Workspace

	mu       sync.Mutex // guards manifest: one connection, one user at a time
	manifest *evidence.DB
}

// ErrNotBackup means a folder holds no iOS backup.
var ErrNotBackup = errors.New("does not look like an iOS backup folder (expected Manifest.db and Info.plist)")

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
	for _, name := range []string{"Manifest.db", "Info.plist"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

// Open opens the backup at path (see Locate). An encrypted backup gives an
// error wrapping evidence.ErrEncrypted.
func Open(path string) (*Backup, error) {
	root, err := Locate(path)
	if err != nil {
		return nil, err
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	b := &Backup{root: root, ws: evidence.NewWorkspace()}
	if b.encryptedFlag() {
		return nil, &evidence.FileError{Op: "open backup", Evidence: filepath.Join(root, "Manifest.plist"), Err: evidence.ErrEncrypted}
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
		if errors.Is(err, evidence.ErrCorrupt) {
			return nil, fmt.Errorf("%w (an encrypted backup's Manifest.db is not readable SQLite): %w", evidence.ErrEncrypted, err)
		}
		return nil, err
	}
	b.manifest = db
	return b, nil
}

// encryptedFlag reads IsEncrypted from Manifest.plist (absent = false).
func (b *Backup) encryptedFlag() bool {
	data, err := os.ReadFile(filepath.Join(b.root, "Manifest.plist"))
	if err != nil {
		return false
	}
	var m struct {
		IsEncrypted bool `plist:"IsEncrypted"`
	}
	defer func() { _ = recover() }()
	if _, err := plist.Unmarshal(data, &m); err != nil {
		return false
	}
	return m.IsEncrypted
}

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
func (b *Backup) Open(e evidence.Entry) (io.ReadCloser, error) {
	rel, err := filepath.Rel(b.root, e.Local)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, &evidence.FileError{Op: "open", Path: e.Name(), Evidence: e.Local, Err: errors.New("outside the backup folder")}
	}
	return b.ws.OpenFile(e.Local, e.Name())
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

package iosbackup_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
)

func TestFileID(t *testing.T) {
	if got := iosbackup.FileID("HomeDomain", "Library/SMS/sms.db"); got != "3d0d7e5fb2ce288813306e4d4636395e047a3d28" {
		t.Errorf("FileID = %s", got)
	}
}

func TestFind(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "Library/Safari/History.db", []byte("a"))
	b.Add("AppDomain-com.apple.mobilesafari", "Library/Safari/Profiles/P1/History.db", []byte("b"))
	b.Add("HomeDomain", "Library/Safari/Bookmarks.db", []byte("c"))
	b.Blob("e794f6ffcc3c222535f47684a63d5178da3c4500", []byte("unlisted"))
	src := b.Open()
	ctx := context.Background()

	got, err := src.Find(ctx, evidence.Query{
		RelativePaths: []string{"Library/Safari/History.db", "Library/Safari/Profiles/*/History.db"},
		BackupIDs:     []string{iosbackup.FileID("HomeDomain", "Library/Safari/History.db"), "e794f6ffcc3c222535f47684a63d5178da3c4500", "0000000000000000000000000000000000000000"},
		RootFiles:     []string{"Info.plist", "Status.plist"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range got {
		names = append(names, e.Name())
	}
	// Root files, then each pattern's Manifest matches, then unlisted IDs.
	want := []string{
		"Info.plist",
		"HomeDomain/Library/Safari/History.db",
		"AppDomain-com.apple.mobilesafari/Library/Safari/Profiles/P1/History.db",
		filepath.Join(src.Path(), "e7", "e794f6ffcc3c222535f47684a63d5178da3c4500"),
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("Find (-want +got):\n%s", diff)
	}

	dom, err := src.Find(ctx, evidence.Query{Domain: "HomeDomain", RelativePaths: []string{"Library/Safari/*"}})
	if err != nil || len(dom) != 2 {
		t.Errorf("domain query: %d entries, %v", len(dom), err)
	}
	// Glob metacharacters other than '*' are literal.
	lit, err := src.Find(ctx, evidence.Query{RelativePaths: []string{"Library/Safari/?istory.db"}})
	if err != nil || len(lit) != 0 {
		t.Errorf("'?' should be literal: %d entries, %v", len(lit), err)
	}
}

func TestOpenHashesWhatIsRead(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "a.txt", []byte("hello"))
	src := b.Open()
	es, err := src.Find(context.Background(), evidence.Query{RelativePaths: []string{"a.txt"}})
	if err != nil || len(es) != 1 {
		t.Fatalf("find: %v %v", es, err)
	}
	rc, err := src.Open(es[0])
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2) // read only part: the hash must still cover the file
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	found := false
	for _, h := range src.Workspace().Hashes() {
		if h.Path == es[0].Local {
			found = true
			if h.SHA256 != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
				t.Errorf("sha256 = %s", h.SHA256)
			}
		}
	}
	if !found {
		t.Errorf("hash of %s not recorded: %+v", es[0].Local, src.Workspace().Hashes())
	}
}

func TestOpenRefusesPathsOutsideBackup(t *testing.T) {
	src := testkit.NewBackup(t, nil).Open()
	_, err := src.Open(evidence.Entry{Local: filepath.Join(src.Path(), "..", "secret")})
	if err == nil || !strings.Contains(err.Error(), "outside the backup") {
		t.Errorf("err = %v", err)
	}
	es, err := src.Find(context.Background(), evidence.Query{BackupIDs: []string{"../../etc/passwd"}, RootFiles: []string{"../x"}})
	if err != nil || len(es) != 0 {
		t.Errorf("traversal IDs found %v, %v", es, err)
	}
}

func TestLocate(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	root := b.Finish()
	parent := filepath.Dir(root)
	if got, err := iosbackup.Locate(parent); err != nil || got != root {
		t.Errorf("Locate(parent) = %q, %v", got, err)
	}
	if _, err := iosbackup.Locate(t.TempDir()); !errors.Is(err, iosbackup.ErrNotBackup) {
		t.Errorf("empty folder: %v", err)
	}
	other := filepath.Join(parent, "second")
	if err := os.CopyFS(other, os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	if _, err := iosbackup.Locate(parent); err == nil || !strings.Contains(err.Error(), "2 backups") {
		t.Errorf("two backups: %v", err)
	}
}

func TestCorruptManifestNamesFile(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	root := b.Finish()
	if err := os.WriteFile(filepath.Join(root, "Manifest.db"), []byte(strings.Repeat("not sqlite ", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := iosbackup.Open(root)
	if !errors.Is(err, evidence.ErrEncrypted) || !strings.Contains(err.Error(), "Manifest.db") {
		t.Errorf("err = %v", err)
	}
}

func TestEncryptedFlag(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.RootFile("Manifest.plist", testkit.Plist(t, map[string]any{"IsEncrypted": true}))
	_, err := iosbackup.Open(b.Finish())
	if !errors.Is(err, evidence.ErrEncrypted) {
		t.Errorf("err = %v", err)
	}
}

// A database in WAL mode whose newest rows are only in the -wal file must
// be read whole, and neither file may change nor a -shm appear.
func TestWALDatabaseReadWithoutTouchingEvidence(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	id := b.Add("HomeDomain", "Library/SMS/sms.db", []byte("placeholder"))
	root := b.Finish()
	blob := filepath.Join(root, id[:2], id)
	writeWALDatabase(t, blob)
	before := testkit.HashTree(t, root)
	if _, err := os.Stat(blob + "-wal"); err != nil {
		t.Fatalf("fixture has no -wal: %v", err)
	}

	src, err := iosbackup.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	es, err := src.Find(context.Background(), evidence.Query{BackupIDs: []string{id}})
	if err != nil || len(es) != 1 {
		t.Fatalf("find: %v %v", es, err)
	}
	db, err := evidence.OpenDB(src, es[0])
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	err = db.Query("SELECT text FROM message ORDER BY ROWID", func(r evidence.Row) error {
		texts = append(texts, r.Text("text"))
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"checkpointed", "only in the WAL"}, texts); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, root)); diff != "" {
		t.Errorf("evidence changed (-before +after):\n%s", diff)
	}
	if _, err := os.Stat(blob + "-shm"); err == nil {
		t.Errorf("a -shm file appeared next to the evidence")
	}
}

// writeWALDatabase leaves at path a WAL-mode database with one row in the
// main file and one only in path-wal (the -shm is removed, as it would be
// on a copied acquisition).
func writeWALDatabase(t *testing.T, path string) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "db")
	conn, err := sqlite.OpenConn(p, sqlite.OpenReadWrite|sqlite.OpenCreate)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"PRAGMA journal_mode=WAL",
		"PRAGMA wal_autocheckpoint=0",
		"CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)",
		"INSERT INTO message (text) VALUES ('checkpointed')",
		"PRAGMA wal_checkpoint(TRUNCATE)",
		"INSERT INTO message (text) VALUES ('only in the WAL')",
	} {
		if err := sqlitex.ExecuteTransient(conn, sql, nil); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(p + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, data, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
}

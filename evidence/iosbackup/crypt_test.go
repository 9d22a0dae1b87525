package iosbackup_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/evidence/iosbackup/backuptest"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module/ios"
	"github.com/spycheck/spycheck/module/list"
	"github.com/spycheck/spycheck/record"
)

const tccScript = `CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER, auth_reason INTEGER, last_modified INTEGER);
INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.app', 0, 2, 2, 1626566400);
INSERT INTO access VALUES ('kTCCServiceLiverpool', 'Launch', 1, 2, 4, 1626566500);`

// plainAndEncrypted builds the same small backup twice, the second
// encrypted with password "secret".
func plainAndEncrypted(t *testing.T, o backuptest.Options) (plain, enc string) {
	t.Helper()
	build := func() string {
		b := testkit.NewBackup(t, nil)
		b.Add("HomeDomain", "Library/TCC/TCC.db", testkit.SQLite(t, tccScript))
		b.Add("HomeDomain", "Library/Preferences/a.txt", []byte("sixteen bytes!!!")) // a whole block: padding is a full block
		b.Add("HomeDomain", "Library/Preferences/empty.txt", nil)
		return b.Finish()
	}
	plain, enc = build(), build()
	if o.Password == "" {
		o.Password = "secret"
	}
	if err := backuptest.Encrypt(enc, o); err != nil {
		t.Fatal(err)
	}
	return plain, enc
}

func extractTCC(t *testing.T, src evidence.Source) []record.Record {
	t.Helper()
	recs, err := testkit.Extract(t, ios.TCC{}, src)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func readEntry(t *testing.T, src evidence.Source, domain, rel string) []byte {
	t.Helper()
	es, err := src.Find(context.Background(), evidence.Query{Domain: domain, RelativePaths: []string{rel}})
	if err != nil || len(es) != 1 {
		t.Fatalf("find %s/%s: %v %v", domain, rel, es, err)
	}
	data, err := evidence.ReadFile(src, es[0], 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestEncryptedRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    backuptest.Options
	}{
		{"iOS 10.2+", backuptest.Options{}},
		{"before iOS 10.2", backuptest.Options{Legacy: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plainDir, encDir := plainAndEncrypted(t, tc.o)
			before := testkit.HashTree(t, encDir)
			plain, err := iosbackup.Open(plainDir)
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			enc, err := iosbackup.Open(encDir, iosbackup.WithPassword("secret"))
			if err != nil {
				t.Fatal(err)
			}
			if !enc.Encrypted() || plain.Encrypted() {
				t.Errorf("Encrypted() = %v (encrypted), %v (plain)", enc.Encrypted(), plain.Encrypted())
			}
			want := extractTCC(t, plain)
			if len(want) != 2 {
				t.Fatalf("plaintext records: %v", want)
			}
			if diff := cmp.Diff(want, extractTCC(t, enc)); diff != "" {
				t.Errorf("records differ (-plain +encrypted):\n%s", diff)
			}
			for _, rel := range []string{"Library/Preferences/a.txt", "Library/Preferences/empty.txt"} {
				if got, want := readEntry(t, enc, "HomeDomain", rel), readEntry(t, plain, "HomeDomain", rel); !bytes.Equal(got, want) {
					t.Errorf("%s = %q, want %q", rel, got, want)
				}
			}
			// The workspace hashes the encrypted files as they are on disk.
			hashes := map[string]string{}
			for _, h := range enc.Workspace().Hashes() {
				rel, _ := filepath.Rel(encDir, h.Path)
				hashes[rel] = h.SHA256
			}
			for rel, sum := range hashes {
				if before[rel] != sum {
					t.Errorf("hash of %s = %s, want the on-disk %s", rel, sum, before[rel])
				}
			}
			if _, ok := hashes["Manifest.db"]; !ok {
				t.Errorf("Manifest.db not hashed: %v", hashes)
			}
			tmp, err := enc.Workspace().TempDir()
			if err != nil {
				t.Fatal(err)
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("private folder %s left behind: %v", tmp, err)
			}
			if diff := cmp.Diff(before, testkit.HashTree(t, encDir)); diff != "" {
				t.Errorf("evidence changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestEncryptedWithKey(t *testing.T) {
	_, encDir := plainAndEncrypted(t, backuptest.Options{})
	kb := keybagOf(t, encDir)
	key, err := kb.DeriveKey("secret")
	if err != nil {
		t.Fatal(err)
	}
	src, err := iosbackup.Open(encDir, iosbackup.WithKey(key))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if got := extractTCC(t, src); len(got) != 2 {
		t.Errorf("records: %v", got)
	}
	key[0] ^= 1
	_, err = iosbackup.Open(encDir, iosbackup.WithKey(key))
	if !errors.Is(err, evidence.ErrWrongPassword) || !strings.Contains(err.Error(), "key") {
		t.Errorf("wrong key: %v", err)
	}
}

func keybagOf(t *testing.T, dir string) *iosbackup.Keybag {
	t.Helper()
	v, err := evidence.DecodePlist(mustRead(t, filepath.Join(dir, "Manifest.plist")))
	if err != nil {
		t.Fatal(err)
	}
	kb, err := iosbackup.ParseKeybag(v.(map[string]any)["BackupKeyBag"].([]byte))
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestEncryptedWrongPassword(t *testing.T) {
	_, encDir := plainAndEncrypted(t, backuptest.Options{})
	before := testkit.HashTree(t, encDir)
	tmpBefore, _ := os.ReadDir(os.TempDir())
	_, err := iosbackup.Open(encDir, iosbackup.WithPassword("not it"))
	if !errors.Is(err, evidence.ErrWrongPassword) || !strings.Contains(err.Error(), "Manifest.plist") {
		t.Errorf("err = %v", err)
	}
	_, err = iosbackup.Open(encDir)
	if !errors.Is(err, evidence.ErrEncrypted) {
		t.Errorf("no password: %v", err)
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, encDir)); diff != "" {
		t.Errorf("evidence changed:\n%s", diff)
	}
	tmpAfter, _ := os.ReadDir(os.TempDir())
	if len(tmpAfter) > len(tmpBefore) {
		var names []string
		for _, e := range tmpAfter {
			if strings.HasPrefix(e.Name(), "spycheck-") {
				names = append(names, e.Name())
			}
		}
		t.Logf("temporary entries appeared (maybe other tests): %v", names)
	}
}

// Every module gives the same records on MVT's test backup and on an
// encrypted copy of it (except Manifest metadata, which encryption adds).
func TestEncryptedMVTBackupSameRecords(t *testing.T) {
	src := testkit.SharedTestdata(t, "mvt", "ios_backup")
	copyTo := func() string {
		dir := filepath.Join(t.TempDir(), "backup")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		// Not listed in Manifest.db, so it has no key in an encrypted backup.
		if err := os.Remove(filepath.Join(dir, "e7", "e794f6ffcc3c222535f47684a63d5178da3c4500")); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	plainDir, encDir := copyTo(), copyTo()
	if err := backuptest.Encrypt(encDir, backuptest.Options{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	plain, err := iosbackup.Open(plainDir)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	enc, err := iosbackup.Open(encDir, iosbackup.WithPassword("pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	total := 0
	for _, m := range list.For(evidence.IOSBackup) {
		name := m.Info().Name
		want, werr := testkit.Extract(t, m, plain)
		got, gerr := testkit.Extract(t, m, enc)
		if (werr == nil) != (gerr == nil) || errors.Is(werr, evidence.ErrNotFound) != errors.Is(gerr, evidence.ErrNotFound) {
			t.Errorf("%s: errors differ: plain %v, encrypted %v", name, werr, gerr)
		}
		if name == "manifest" {
			want, got = manifestKeys(want), manifestKeys(got)
		}
		total += len(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: records differ (-plain +encrypted):\n%s", name, diff)
		}
	}
	if total < 3700 {
		t.Errorf("only %d records compared", total)
	}
}

func manifestKeys(recs []record.Record) []record.Record {
	out := make([]record.Record, len(recs))
	for i, r := range recs {
		out[i] = record.Record{Module: r.Module, Data: map[string]any{"file_id": r.Data["file_id"], "domain": r.Data["domain"], "relative_path": r.Data["relative_path"]}}
	}
	return out
}

// pyiosbackup's synthetic iOS 10.2+ backup: DPIC 10,000,000.
func TestSyntheticEncryptedBackup(t *testing.T) {
	if testing.Short() {
		t.Skip("DPIC 10,000,000: slow key derivation, skipped with -short")
	}
	dir := testkit.SharedTestdata(t, "third-party", "ios-encrypted-backup-synthetic")
	if _, err := iosbackup.Open(dir, iosbackup.WithPassword("1234")); !errors.Is(err, evidence.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	start := time.Now()
	src, err := iosbackup.Open(dir, iosbackup.WithPassword("0000"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("opened (key derivation with DPIC 10,000,000) in %v", time.Since(start).Round(time.Millisecond))
	defer src.Close()
	var rows []string
	err = src.WalkManifest(context.Background(), func(r iosbackup.Row) error {
		rows = append(rows, r.Domain+"/"+r.RelativePath)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"MyTestDomain/Media/Test.txt"}, rows); diff != "" {
		t.Errorf("Manifest rows (-want +got):\n%s", diff)
	}
	id := iosbackup.FileID("MyTestDomain", "Media/Test.txt")
	es, err := src.Find(context.Background(), evidence.Query{BackupIDs: []string{id}})
	if err != nil || len(es) != 1 {
		t.Fatalf("find: %v %v", es, err)
	}
	data, err := evidence.ReadFile(src, es[0], 1<<20)
	if err != nil || string(data) != "Test data" {
		t.Errorf("Test.txt = %q, %v", data, err)
	}
}

// The iOS 9 backup of Hackvent 2020 (Manifest.mbdb, flat layout): its
// databases decrypt to the answer key's bytes.
func TestHV20MBDBBackup(t *testing.T) {
	base := testkit.SharedTestdata(t, "third-party", "ios9-encrypted-backup-hv20")
	dir := filepath.Join(base, "Backup")
	before := testkit.HashTree(t, dir)
	if _, err := iosbackup.Open(dir); !errors.Is(err, evidence.ErrEncrypted) {
		t.Errorf("no password: %v", err)
	}
	if _, err := iosbackup.Open(dir, iosbackup.WithPassword("20201224")); !errors.Is(err, evidence.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	src, err := iosbackup.Open(dir, iosbackup.WithPassword("20201225"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows := 0
	if err := src.WalkManifest(context.Background(), func(iosbackup.Row) error { rows++; return nil }); err != nil {
		t.Fatal(err)
	}
	if rows != 757 {
		t.Errorf("%d Manifest rows, want 757", rows)
	}
	answers := filepath.Join(base, "Decrypted_Backup")
	compared := 0
	err = filepath.WalkDir(answers, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(answers, p)
		domain, path, _ := strings.Cut(filepath.ToSlash(rel), "/")
		got, want := readEntry(t, src, domain, path), mustRead(t, p)
		if strings.HasSuffix(p, ".plist") {
			// The answer key holds its property lists converted to XML.
			gv, gerr := evidence.DecodePlist(got)
			wv, werr := evidence.DecodePlist(want)
			if gerr != nil || werr != nil {
				t.Fatalf("%s: %v, %v", rel, gerr, werr)
			}
			// XML dates have whole seconds.
			secs := cmp.Comparer(func(a, b time.Time) bool { return a.Truncate(time.Second).Equal(b.Truncate(time.Second)) })
			if diff := cmp.Diff(wv, gv, secs); diff != "" {
				t.Errorf("%s differs from the answer key (-want +got):\n%s", rel, diff)
			}
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from the answer key's %d", rel, len(got), len(want))
		}
		compared++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if compared < 10 {
		t.Errorf("compared %d files", compared)
	}
	// A real module reads it as any backup.
	if recs := extractTCC(t, src); len(recs) == 0 {
		t.Errorf("no TCC records")
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, dir)); diff != "" {
		t.Errorf("evidence changed:\n%s", diff)
	}
}

func TestWriteDecrypted(t *testing.T) {
	plainDir, encDir := plainAndEncrypted(t, backuptest.Options{})
	before := testkit.HashTree(t, encDir)
	src, err := iosbackup.Open(encDir, iosbackup.WithPassword("secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.WriteDecrypted(context.Background(), filepath.Join(encDir, "out"), iosbackup.CopyOptions{}); err == nil || !strings.Contains(err.Error(), "inside the backup") {
		t.Errorf("dest inside the backup: %v", err)
	}
	dest := filepath.Join(t.TempDir(), "dec")
	st, err := src.WriteDecrypted(context.Background(), dest, iosbackup.CopyOptions{RealPaths: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 3 || st.Missing != 0 || len(st.Unsafe) != 0 {
		t.Errorf("stats = %+v", st)
	}
	if diff := cmp.Diff(before, testkit.HashTree(t, encDir)); diff != "" {
		t.Errorf("evidence changed:\n%s", diff)
	}
	if got := mustRead(t, filepath.Join(dest, "HomeDomain", "Library", "Preferences", "a.txt")); string(got) != "sixteen bytes!!!" {
		t.Errorf("real-path copy = %q", got)
	}
	// The copy is a plaintext backup: it opens without a password and
	// gives the same records.
	dec, err := iosbackup.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	plain, err := iosbackup.Open(plainDir)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if diff := cmp.Diff(extractTCC(t, plain), extractTCC(t, dec)); diff != "" {
		t.Errorf("records of the decrypted copy (-plain +copy):\n%s", diff)
	}
	if _, err := src.WriteDecrypted(context.Background(), dest, iosbackup.CopyOptions{}); err == nil {
		t.Errorf("writing into a non-empty folder: no error")
	}
}

func TestWriteDecryptedRefusesPathEscapes(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "../../escape.txt", []byte("x"))
	b.Add("HomeDomain", "ok.txt", []byte("y"))
	dir := b.Finish()
	if err := backuptest.Encrypt(dir, backuptest.Options{Password: "p"}); err != nil {
		t.Fatal(err)
	}
	src, err := iosbackup.Open(dir, iosbackup.WithPassword("p"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	parent := t.TempDir()
	dest := filepath.Join(parent, "a", "b")
	st, err := src.WriteDecrypted(context.Background(), dest, iosbackup.CopyOptions{RealPaths: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"HomeDomain/../../escape.txt"}, st.Unsafe); diff != "" {
		t.Errorf("unsafe (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(parent, "escape.txt")); err == nil {
		t.Errorf("a file escaped the destination")
	}
}

// A copy decrypted by MVT keeps IsEncrypted and ManifestKey in
// Manifest.plist but holds plaintext: it opens without a password.
func TestMVTDecryptedCopyOpens(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("HomeDomain", "Library/TCC/TCC.db", testkit.SQLite(t, tccScript))
	b.RootFile("Manifest.plist", testkit.Plist(t, map[string]any{"IsEncrypted": true, "ManifestKey": bytes.Repeat([]byte{1}, 44), "BackupKeyBag": []byte("x")}))
	src := b.Open()
	if got := extractTCC(t, src); len(got) != 2 {
		t.Errorf("records: %v", got)
	}
}

// A file whose blob is damaged gives an error naming it, not a panic.
func TestEncryptedDamagedFile(t *testing.T) {
	_, encDir := plainAndEncrypted(t, backuptest.Options{})
	id := iosbackup.FileID("HomeDomain", "Library/Preferences/a.txt")
	p := filepath.Join(encDir, id[:2], id)
	if err := os.WriteFile(p, []byte("not a block multiple"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := iosbackup.Open(encDir, iosbackup.WithPassword("secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	es, _ := src.Find(context.Background(), evidence.Query{BackupIDs: []string{id}})
	if len(es) != 1 {
		t.Fatalf("find: %v", es)
	}
	rc, err := src.Open(es[0])
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "a.txt") {
		t.Errorf("err = %v", err)
	}
}

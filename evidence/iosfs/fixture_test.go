package iosfs

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/spycheck/spycheck/internal/testkit"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

var fixtureTime = time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)

const smsPath = "private/var/mobile/Library/SMS/sms.db"

// dumpFiles is the content of the test dump, by device path.
func dumpFiles(t testing.TB) map[string][]byte {
	db, wal := walDB(t)
	return map[string][]byte{
		smsPath:          db,
		smsPath + "-wal": wal,
		"private/var/mobile/Containers/Data/Application/AAAA/Library/Safari/History.db": testkit.SQLite(t,
			"CREATE TABLE history_items(id INTEGER PRIMARY KEY, url TEXT); INSERT INTO history_items(url) VALUES ('https://example.org/');"),
		"private/var/mobile/Containers/Data/Application/BBBB/Library/Caches/com.x/Cache.db": testkit.SQLite(t, "CREATE TABLE cfurl_cache_response(url TEXT);"),
		"private/var/mobile/Library/Caches/Cache.db":                                        testkit.SQLite(t, "CREATE TABLE cfurl_cache_response(url TEXT);"),
		"private/var/db/diagnostics/shutdown.log":                                           []byte("remaining client pid: 1 (/usr/sbin/bh)\nSIGTERM: [1700000000]\n"),
		"private/var/containers/Bundle/Application/CCCC/Foo.app/roleaccountd":               bytes.Repeat([]byte{0xcf, 0xfa, 0xed, 0xfe}, 300),
		"System/Library/CoreServices/SystemVersion.plist":                                   []byte("<plist><dict/></plist>"),
	}
}

// walDB makes a WAL-mode database whose second row is only in the -wal.
func walDB(t testing.TB) (db, wal []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "w.db")
	conn, err := sqlite.OpenConn(p, sqlite.OpenReadWrite, sqlite.OpenCreate)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
		"CREATE TABLE message(ROWID INTEGER PRIMARY KEY, text TEXT)",
		"INSERT INTO message(text) VALUES ('in the database')",
		"PRAGMA wal_checkpoint(TRUNCATE)",
		"INSERT INTO message(text) VALUES ('only in the wal')",
	} {
		if err := sqlitex.ExecuteTransient(conn, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db, err = os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	wal, err = os.ReadFile(p + "-wal")
	if err != nil || len(wal) == 0 {
		t.Fatalf("no wal: %v", err)
	}
	return db, wal
}

// forms holds the same dump as a folder and as three archives, each with
// its entries under a top folder "dump/".
type forms struct {
	parent string // the folder holding dump/
	files  map[string][]byte
	paths  map[string]string // "folder", "tar", "tgz", "zip" -> path
}

func buildForms(t testing.TB) forms {
	t.Helper()
	base := t.TempDir()
	parent := filepath.Join(base, "in")
	files := dumpFiles(t)
	writeFolder(t, filepath.Join(parent, "dump"), files)
	f := forms{parent: parent, files: files, paths: map[string]string{"folder": parent}}
	tarData := tarOf(t, parent)
	f.paths["tar"] = writeFile(t, filepath.Join(base, "dump.tar"), tarData)
	f.paths["tgz"] = writeFile(t, filepath.Join(base, "dump.tar.gz"), gzipOf(t, tarData))
	f.paths["zip"] = writeFile(t, filepath.Join(base, "dump.zip"), zipOf(t, parent))
	return f
}

func writeFile(t testing.TB, p string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeFolder writes files under root, an empty folder, a link to the
// device's /private/var (as iOS has), a link leading outside the dump,
// and sets every time to fixtureTime.
func writeFolder(t testing.TB, root string, files map[string][]byte) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, full, data)
	}
	must(t, os.MkdirAll(filepath.Join(root, "private/var/empty"), 0o755))
	must(t, os.Symlink("private/var", filepath.Join(root, "var")))
	must(t, os.Symlink("../../../../../outside.txt", filepath.Join(root, "private/var/mobile/escape")))
	writeFile(t, filepath.Join(filepath.Dir(root), "..", "outside.txt"), []byte("secret"))
	var all []string
	must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		all = append(all, p)
		return err
	}))
	sort.Sort(sort.Reverse(sort.StringSlice(all)))
	for _, p := range all {
		st, err := os.Lstat(p)
		must(t, err)
		if st.Mode()&fs.ModeSymlink == 0 {
			must(t, os.Chtimes(p, fixtureTime, fixtureTime))
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tarOf archives everything under dir (names relative to dir).
func tarOf(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	must(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		link, _ := os.Readlink(p)
		hdr, err := tar.FileInfoHeader(st, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr.Name = filepath.ToSlash(rel)
		if st.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if st.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		}
		return nil
	}))
	must(t, tw.Close())
	return buf.Bytes()
}

func gzipOf(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

// zipOf zips everything under dir (names relative to dir).
func zipOf(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	must(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		hdr, err := zip.FileInfoHeader(st)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr.Name = filepath.ToSlash(rel)
		if st.IsDir() {
			hdr.Name += "/"
		} else {
			hdr.Method = zip.Deflate
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			_, err = io.WriteString(w, link)
			return err
		case st.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		}
		return nil
	}))
	must(t, zw.Close())
	return buf.Bytes()
}

// zipRaw builds a zip from raw members: name -> content (stored).
func zipRaw(t testing.TB, members []rawMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.Create(m.name)
		must(t, err)
		_, err = w.Write(m.data)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

type rawMember struct {
	name string
	data []byte
}

func tarRaw(t testing.TB, members []rawMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		must(t, tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg, ModTime: fixtureTime, Format: tar.FormatPAX}))
		_, err := tw.Write(m.data)
		must(t, err)
	}
	must(t, tw.Close())
	return buf.Bytes()
}

func openT(t testing.TB, p string, opts Options) *FS {
	t.Helper()
	s, err := Open(p, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", p, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readAll(t testing.TB, s *FS, dev string) []byte {
	t.Helper()
	rc, err := s.Open(s.Entry(File{DevicePath: dev}))
	if err != nil {
		t.Fatalf("Open(%s): %v", dev, err)
	}
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", dev, err)
	}
	must(t, rc.Close())
	return data
}

// zipLying is a zip whose one member declares size bytes but expands to
// real bytes of zeros (an archive bomb).
func zipLying(t testing.TB, name string, real, declared int) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	must(t, err)
	_, err = fw.Write(make([]byte, real))
	must(t, err)
	must(t, fw.Close())
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(make([]byte, declared)),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: uint64(declared),
	})
	must(t, err)
	_, err = w.Write(comp.Bytes())
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

// treeState records every entry under dir: the SHA-256 of files, link
// targets, and modification times, so a test can prove nothing changed.
func treeState(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	must(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		v := st.Mode().String() + " " + st.ModTime().String()
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			link, _ := os.Readlink(p)
			v += " -> " + link
		case st.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			v += " " + hex.EncodeToString(sum[:])
		}
		out[p] = v
		return nil
	}))
	return out
}

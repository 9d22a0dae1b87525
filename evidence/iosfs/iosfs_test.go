package iosfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
)

var formNames = []string{"folder", "tar", "tgz", "zip"}

// walkLine is what Walk must report identically on every form.
type walkLine struct {
	Path  string
	Dir   bool
	Size  int64
	Type  fs.FileMode
	Perm  fs.FileMode
	MTime int64
	Link  string
}

func walkLines(t *testing.T, s *FS) []walkLine {
	t.Helper()
	var out []walkLine
	must(t, s.Walk(context.Background(), func(f File) error {
		l := walkLine{f.DevicePath, f.IsDir, f.Size, f.Mode.Type(), f.Mode.Perm(), f.ModTime.Unix(), f.Link}
		if f.Link != "" {
			l.MTime = 0 // the fixture cannot set a link's time; tar rounds it
		}
		out = append(out, l)
		return nil
	}))
	return out
}

func devicePaths(es []evidence.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.DevicePath)
	}
	return out
}

func TestFormsAgree(t *testing.T) {
	fx := buildForms(t)
	before := treeState(t, filepath.Dir(fx.parent))
	ctx := context.Background()
	q := evidence.Query{
		DevicePaths: []string{
			"/var/mobile/Library/SMS/sms.db",
			"private/var/mobile/Containers/Data/Application/*/Library/Safari/History.db",
			"private/var/db/diagnostics/shutdown*.log",
			"private/var/mobile/escape",      // a link: never a file
			"private/var/*/Library/Caches/*", // folders and files: files only
		},
		BackupIDs: []string{"3d0d7e5fb2ce288813306e4d4636395e047a3d28"}, // ignored
	}
	wantFind := []string{
		"private/var/db/diagnostics/shutdown.log",
		"private/var/mobile/Containers/Data/Application/AAAA/Library/Safari/History.db",
		"private/var/mobile/Library/Caches/Cache.db",
		"private/var/mobile/Library/SMS/sms.db",
	}
	var walks [][]walkLine
	for _, form := range formNames {
		s := openT(t, fx.paths[form], Options{})
		if w := s.Warnings(); len(w) != 0 {
			t.Errorf("%s: warnings %q", form, w)
		}
		found, err := s.Find(ctx, q)
		must(t, err)
		if d := cmp.Diff(wantFind, devicePaths(found)); d != "" {
			t.Errorf("%s: Find (-want +got):\n%s", form, d)
		}
		for dev, want := range fx.files {
			if got := readAll(t, s, dev); !bytes.Equal(got, want) {
				t.Errorf("%s: %s: read %d bytes, want %d", form, dev, len(got), len(want))
			}
		}
		caches, err := s.FindName(ctx, "Cache.db")
		must(t, err)
		if len(caches) != 2 {
			t.Errorf("%s: FindName(Cache.db) = %q", form, devicePaths(caches))
		}
		names, err := s.BaseNames(ctx)
		must(t, err)
		if !names["roleaccountd"] || names["Foo.app"] || !names["escape"] {
			t.Errorf("%s: BaseNames misses roleaccountd/escape or lists a folder", form)
		}
		walks = append(walks, walkLines(t, s))
		checkHashes(t, s, form)
	}
	for i := 1; i < len(walks); i++ {
		if d := cmp.Diff(walks[0], walks[i]); d != "" {
			t.Errorf("Walk folder vs %s (-folder +%s):\n%s", formNames[i], formNames[i], d)
		}
	}
	if len(walks[0]) != 36 {
		t.Errorf("Walk gave %d entries, want 36: %v", len(walks[0]), walks[0])
	}
	if d := cmp.Diff(before, treeState(t, filepath.Dir(fx.parent))); d != "" {
		t.Errorf("inputs changed:\n%s", d)
	}
}

// checkHashes: a folder records each file read; an archive records itself
// and archive!member for each member read.
func checkHashes(t *testing.T, s *FS, form string) {
	t.Helper()
	got := map[string]bool{}
	for _, h := range s.Workspace().Hashes() {
		got[h.Path] = true
	}
	member := s.Path() + "!" + smsPath
	if form == "folder" {
		member = filepath.Join(s.Root(), filepath.FromSlash(smsPath))
	} else if !got[s.Path()] {
		t.Errorf("%s: archive itself not hashed: %v", form, got)
	}
	if !got[member] {
		t.Errorf("%s: %s not hashed: %v", form, member, got)
	}
}

func TestOpenDBWithWAL(t *testing.T) {
	fx := buildForms(t)
	cases := map[string]Options{
		"folder": {}, "tar": {}, "zip": {}, "tgz": {},
		"tgz-want": {Want: func(p string) bool { return strings.HasPrefix(p, smsPath) }},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			s := openT(t, fx.paths[strings.TrimSuffix(name, "-want")], opts)
			es, err := s.Find(context.Background(), evidence.Query{DevicePaths: []string{smsPath}})
			must(t, err)
			if len(es) != 1 {
				t.Fatalf("Find: %v", es)
			}
			db, err := evidence.OpenDB(s, es[0])
			must(t, err)
			defer db.Close()
			var texts []string
			must(t, db.Query("SELECT text FROM message ORDER BY ROWID", func(r evidence.Row) error {
				texts = append(texts, r.Text("text"))
				return nil
			}))
			if d := cmp.Diff([]string{"in the database", "only in the wal"}, texts); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
		})
	}
}

func TestTarGzWantExtractsInOnePass(t *testing.T) {
	fx := buildForms(t)
	s := openT(t, fx.paths["tgz"], Options{Want: func(p string) bool { return strings.HasSuffix(p, ".db") }})
	n := len(s.extracted)
	if n != 4 {
		t.Errorf("extracted %d members up front, want 4 (.db files)", n)
	}
	readAll(t, s, smsPath+"-wal") // one more pass, cached
	readAll(t, s, smsPath+"-wal")
	if len(s.extracted) != n+1 {
		t.Errorf("extracted %d, want %d", len(s.extracted), n+1)
	}
}

func TestRootDetection(t *testing.T) {
	base := t.TempDir()
	// var-style dump, two levels below the folder given.
	writeFile(t, mkdirs(t, filepath.Join(base, "a", "b", "var", "mobile", "Library", "SMS"), "sms.db"), []byte("x"))
	s := openT(t, base, Options{})
	if s.Root() != filepath.Join(base, "a", "b") {
		t.Errorf("Root = %s", s.Root())
	}
	if got := readAll(t, s, "/var/mobile/Library/SMS/sms.db"); string(got) != "x" {
		t.Errorf("read %q", got)
	}
	lines := walkLines(t, s)
	if lines[0].Path != "private" || lines[1].Path != "private/var" {
		t.Errorf("walk of a var-style dump: %v", lines)
	}
	// archive with a deep prefix before private/var.
	p := writeFile(t, filepath.Join(base, "x.tar"), tarRaw(t, []rawMember{
		{"README", []byte("r")},
		{"x/y/z/private/var/mobile/a", []byte("a")},
		{"x/y/z/System/b", []byte("b")},
	}))
	s = openT(t, p, Options{})
	if s.Root() != p+"!x/y/z/" {
		t.Errorf("Root = %s", s.Root())
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "README") {
		t.Errorf("warnings %q", w)
	}
	if got := readAll(t, s, "System/b"); string(got) != "b" {
		t.Errorf("read %q", got)
	}
}

func mkdirs(t *testing.T, dir, name string) string {
	must(t, os.MkdirAll(dir, 0o755))
	return filepath.Join(dir, name)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"/var/mobile/x":        "private/var/mobile/x",
		"./private/var/x/":     "private/var/x",
		"var":                  "private/var",
		"/tmp/a":               "private/tmp/a",
		"etc/hosts":            "private/etc/hosts",
		"private/var//a/./b":   "private/var/a/b",
		"System/Library":       "System/Library",
		"/":                    "",
		"variable/x":           "variable/x",
		"private/var/mobile/*": "private/var/mobile/*",
	} {
		got, err := Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"../x", "a/../../b", "a/..", "C:\\x", "c:/x", `\\srv\share`, "a\x00b"} {
		if got, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}

func TestHostileNames(t *testing.T) {
	members := []rawMember{
		{"../evil", []byte("e1")},
		{"dump/../../evil2", []byte("e2")},
		{"/abs/private/var/ok", []byte("ok")},
		{`C:\evil3`, []byte("e3")},
		{`\\server\share\evil4`, []byte("e4")},
		{"nul\x00evil5", []byte("e5")},
		{"/abs/private/var/../../evil6", []byte("e6")},
	}
	base := t.TempDir()
	tarMembers := members[:len(members)-2] // tar cannot store a NUL in a name
	tarMembers = append(tarMembers, members[len(members)-1])
	for _, form := range []string{"zip", "tar", "tgz"} {
		t.Run(form, func(t *testing.T) {
			data, warnings := zipRaw(t, members), 6
			switch form {
			case "tar":
				data, warnings = tarRaw(t, tarMembers), 5
			case "tgz":
				data, warnings = gzipOf(t, tarRaw(t, tarMembers)), 5
			}
			p := writeFile(t, filepath.Join(base, "hostile."+form), data)
			s := openT(t, p, Options{Want: func(string) bool { return true }})
			var paths []string
			must(t, s.Walk(context.Background(), func(f File) error {
				paths = append(paths, f.DevicePath)
				return nil
			}))
			if d := cmp.Diff([]string{"private", "private/var", "private/var/ok"}, paths); d != "" {
				t.Errorf("walk (-want +got):\n%s", d)
			}
			if got := readAll(t, s, "private/var/ok"); string(got) != "ok" {
				t.Errorf("read %q", got)
			}
			if w := s.Warnings(); len(w) != warnings {
				t.Errorf("want %d warnings, got %q", warnings, w)
			}
			for _, dev := range []string{"../evil", "../../evil2", "private/var/../../evil6"} {
				if _, err := s.Open(evidence.Entry{DevicePath: dev}); !errors.Is(err, evidence.ErrNotFound) {
					t.Errorf("Open(%q) = %v, want not found", dev, err)
				}
			}
		})
	}
	// Nothing named evil* anywhere near the temp folders.
	for _, dir := range []string{base, filepath.Dir(base), os.TempDir()} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "evil") {
				t.Errorf("%s written to %s", e.Name(), dir)
			}
		}
	}
}

func TestSymlinkOutsideFolder(t *testing.T) {
	fx := buildForms(t)
	for _, form := range formNames {
		s := openT(t, fx.paths[form], Options{})
		st, err := s.Stat("private/var/mobile/escape")
		must(t, err)
		if st.Mode&fs.ModeSymlink == 0 || !strings.HasSuffix(st.Link, "outside.txt") {
			t.Errorf("%s: link recorded as %+v", form, st)
		}
		rc, err := s.Open(evidence.Entry{DevicePath: "private/var/mobile/escape"})
		if err == nil {
			data, _ := io.ReadAll(rc)
			rc.Close()
			t.Errorf("%s: read through a link leading outside: %q", form, data)
		}
	}
}

func TestZipBomb(t *testing.T) {
	base := t.TempDir()
	// Declared 10 bytes, expands to 8 MiB.
	p := writeFile(t, filepath.Join(base, "bomb.zip"), zipLying(t, "private/var/bomb", 8<<20, 10))
	s := openT(t, p, Options{})
	rc, err := s.Open(evidence.Entry{DevicePath: "private/var/bomb"})
	must(t, err)
	n, err := io.Copy(io.Discard, rc)
	rc.Close()
	if err == nil || n > 10 {
		t.Fatalf("read %d bytes, err %v; want an error after 10 bytes", n, err)
	}
	if !strings.Contains(err.Error(), "private/var/bomb") || !strings.Contains(err.Error(), p) {
		t.Errorf("error does not name the archive and member: %v", err)
	}
	if !errors.Is(err, ErrTooLarge) && !errors.Is(err, evidence.ErrCorrupt) {
		t.Errorf("error %v, want ErrTooLarge or ErrCorrupt", err)
	}
	// Per-member and total caps.
	data := bytes.Repeat([]byte("A"), 600<<10)
	p = writeFile(t, filepath.Join(base, "big.zip"), zipRaw(t, []rawMember{{"private/var/a", data}, {"private/var/b", data}}))
	s = openT(t, p, Options{MaxMemberSize: 100 << 10})
	if _, err := s.Open(evidence.Entry{DevicePath: "private/var/a"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("member cap: %v", err)
	}
	s = openT(t, p, Options{MaxTotal: 1 << 20})
	readAll(t, s, "private/var/a")
	rc, err = s.Open(evidence.Entry{DevicePath: "private/var/b"})
	must(t, err)
	_, err = io.Copy(io.Discard, rc)
	rc.Close()
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("total cap: %v", err)
	}
	// The same for extraction from a tar.gz.
	p = writeFile(t, filepath.Join(base, "big.tgz"), gzipOf(t, tarRaw(t, []rawMember{{"private/var/a", data}, {"private/var/b", data}})))
	s = openT(t, p, Options{MaxTotal: 1 << 20, Want: func(string) bool { return true }})
	readAll(t, s, "private/var/a")
	if _, err := s.Open(evidence.Entry{DevicePath: "private/var/b"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("tar.gz total cap: %v", err)
	}
}

func TestTruncatedTarGz(t *testing.T) {
	fx := buildForms(t)
	data, err := os.ReadFile(fx.paths["tgz"])
	must(t, err)
	p := writeFile(t, filepath.Join(t.TempDir(), "cut.tar.gz"), data[:len(data)*6/10])
	s := openT(t, p, Options{})
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], p) {
		t.Errorf("warnings %q", w)
	}
	lines := walkLines(t, s)
	full := walkLines(t, openT(t, fx.paths["tgz"], Options{}))
	if len(lines) == 0 || len(lines) >= len(full) {
		t.Errorf("truncated archive lists %d of %d entries", len(lines), len(full))
	}
	for _, l := range lines {
		if l.Type.IsRegular() {
			rc, err := s.Open(evidence.Entry{DevicePath: l.Path})
			if err == nil {
				_, err = io.Copy(io.Discard, rc)
				rc.Close()
			}
			_ = err // either is fine; no panic, no hang
		}
	}
	// The same cut on a plain tar.
	data, err = os.ReadFile(fx.paths["tar"])
	must(t, err)
	p = writeFile(t, filepath.Join(t.TempDir(), "cut.tar"), data[:len(data)/2+100])
	s = openT(t, p, Options{})
	if len(s.Warnings()) != 1 {
		t.Errorf("tar warnings %q", s.Warnings())
	}
}

func TestCorruptArchives(t *testing.T) {
	base := t.TempDir()
	for name, data := range map[string][]byte{
		"corrupt.zip":    append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xAB}, 300)...),
		"corrupt.tar.gz": {0x1f, 0x8b, 0x08, 0, 1, 2, 3},
		"notgzip.tgz":    []byte("hello"),
		"empty.tar":      {},
	} {
		p := writeFile(t, filepath.Join(base, name), data)
		_, err := Open(p, Options{})
		var fe *evidence.FileError
		if !errors.As(err, &fe) || !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v; want a FileError naming the archive, wrapping ErrCorrupt", name, err)
		}
	}
	if _, err := Open(filepath.Join(base, "missing.zip"), Options{}); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}

// MVT's own tests use its ios_backup folder as a fake filesystem dump.
func TestConformanceMVTBackupAsDump(t *testing.T) {
	dir := testkit.SharedTestdata(t, "mvt", "ios_backup")
	before := testkit.HashTree(t, dir)
	s := openT(t, dir, Options{})
	dirs, files := 0, 0
	must(t, s.Walk(context.Background(), func(f File) error {
		if f.IsDir {
			dirs++
		} else {
			files++
		}
		return nil
	}))
	if dirs != 10 || files != 13 {
		t.Errorf("walk: %d folders, %d files; want 10 and 13", dirs, files)
	}
	es, err := s.Find(context.Background(), evidence.Query{DevicePaths: []string{"3d/*"}})
	must(t, err)
	if len(es) != 1 {
		t.Fatalf("Find 3d/*: %v", es)
	}
	db, err := evidence.OpenDB(s, es[0])
	must(t, err)
	db.Close()
	if d := cmp.Diff(before, testkit.HashTree(t, dir)); d != "" {
		t.Errorf("testdata changed:\n%s", d)
	}
}

func TestWalkStopsOnError(t *testing.T) {
	fx := buildForms(t)
	stop := errors.New("stop")
	for _, form := range formNames {
		s := openT(t, fx.paths[form], Options{})
		n := 0
		err := s.Walk(context.Background(), func(File) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("%s: %v after %d", form, err, n)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.FindName(ctx, "x"); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: cancelled FindName: %v", form, err)
		}
	}
}

func TestConcurrentOpen(t *testing.T) {
	fx := buildForms(t)
	for _, form := range formNames {
		s := openT(t, fx.paths[form], Options{})
		errs := make(chan error, 8)
		for range 8 {
			go func() {
				rc, err := s.Open(evidence.Entry{DevicePath: smsPath})
				if err == nil {
					var got []byte
					got, err = io.ReadAll(rc)
					rc.Close()
					if err == nil && !bytes.Equal(got, fx.files[smsPath]) {
						err = errors.New("wrong bytes")
					}
				}
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Errorf("%s: %v", form, err)
			}
		}
	}
}

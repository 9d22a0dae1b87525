package ios

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence/iosfs"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// dumpFixtureTime is the modification time of every file dumpFixture writes.
var dumpFixtureTime = time.Date(2021, 7, 18, 10, 0, 0, 0, time.UTC)

// dumpFixture writes files (device path → content) into a folder and
// opens it as a filesystem dump.
func dumpFixture(t *testing.T, files map[string][]byte) *iosfs.FS {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for d := p; d != root; d = filepath.Dir(d) {
			if err := os.Chtimes(d, dumpFixtureTime, dumpFixtureTime); err != nil {
				t.Fatal(err)
			}
		}
	}
	return openDump(t, root)
}

func openDump(t *testing.T, dir string) *iosfs.FS {
	t.Helper()
	src, err := iosfs.Open(dir, iosfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func TestFilesystemWalk(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/db/com.apple.xpc.roleaccountd.staging/bh": []byte("x"),
		"private/var/mobile/notes.txt":                         []byte("y"),
	})
	recs, err := testkit.Extract(t, Filesystem{}, src)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range recs {
		paths = append(paths, r.String("path"))
		if r.String("modified") != "2021-07-18 10:00:00.000000" {
			t.Errorf("%s modified %q", r.String("path"), r.String("modified"))
		}
	}
	want := "[private private/var private/var/db private/var/db/com.apple.xpc.roleaccountd.staging " +
		"private/var/db/com.apple.xpc.roleaccountd.staging/bh private/var/mobile private/var/mobile/notes.txt]"
	if got := fmtList(paths); got != want {
		t.Errorf("paths %s, want %s", got, want)
	}
	ix := loadIOCs(t, map[string]string{"processes.txt": "bh\n", "file_paths.txt": "/private/var/mobile/notes.txt\n"})
	got := matches(ix, Filesystem{}, recs)
	if len(got) != 2 || got[0].Kind != record.ProcessPath || got[1].Kind != record.FilePath || got[0].Severity != record.High {
		t.Errorf("matches %+v", got)
	}
	if ev := timeline(Filesystem{}, recs); len(ev) != 7 || ev[0].Event != "entry_modified" || ev[0].Data != "private" {
		t.Errorf("timeline %+v", ev)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}

func TestFilesystemNeedsDump(t *testing.T) {
	b := testkit.NewBackup(t, nil).Open()
	if _, err := testkit.Extract(t, Filesystem{}, b); err == nil {
		t.Error("a backup walked as a dump")
	}
}

// TestFilesystemConformance: MVT runs Filesystem over its backup fixture
// as a fake dump: 23 entries, 23 events, and a process indicator named
// like the TCC.db file ID matches as a path element.
func TestFilesystemConformance(t *testing.T) {
	recs, err := testkit.Extract(t, Filesystem{}, openDump(t, sharedBackupDir(t)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 23 {
		t.Errorf("R=%d, want 23", len(recs))
	}
	if ev := timeline(Filesystem{}, recs); len(ev) != 23 {
		t.Errorf("T=%d, want 23", len(ev))
	}
	if got := matches(loadIOCs(t, map[string]string{"processes.txt": "Launch\n"}), Filesystem{}, recs); len(got) != 0 {
		t.Errorf("A=%d without the process indicator", len(got))
	}
	ix := loadIOCs(t, map[string]string{"processes.txt": "64d0019cb3d46bfc8cce545a8ba54b93e7ea9347\n"})
	if got := matches(ix, Filesystem{}, recs); len(got) != 1 {
		t.Errorf("A=%d, want 1", len(got))
	}
}

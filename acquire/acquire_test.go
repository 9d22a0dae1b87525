package acquire

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/spycheck/spycheck/evidence"
)

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func zipped(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, data := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(data))
	}
	w.Close()
	return buf.Bytes()
}

func readsKind(p Part, kind evidence.Kind) bool {
	for _, m := range p.Modules {
		for _, k := range m.Info().Kinds {
			if k == kind {
				return true
			}
		}
	}
	return false
}

// The dumpsys modules read androidqf's dumpsys.txt unless a bug report is
// nested, which then has them; a broken nested backup is a note.
func TestAndroidQFNesting(t *testing.T) {
	ctx := context.Background()
	plain := t.TempDir()
	writeFiles(t, plain, map[string][]byte{"getprop.txt": []byte("[a]: [b]\n"), "dumpsys.txt": []byte("x\n")})
	acq, err := Open(ctx, plain, evidence.AndroidQF, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(acq.Parts) != 1 || !readsKind(acq.Parts[0], evidence.Bugreport) {
		t.Errorf("plain androidqf: %d parts, dumpsys modules kept: %v", len(acq.Parts), readsKind(acq.Parts[0], evidence.Bugreport))
	}
	acq.Close()

	nested := t.TempDir()
	writeFiles(t, nested, map[string][]byte{
		"getprop.txt":   []byte("[a]: [b]\n"),
		"bugreport.zip": zipped(t, map[string]string{"bugreport-x/main_entry.txt": "dumpstate.txt", "bugreport-x/dumpstate.txt": "x\n"}),
		"backup.ab":     nil,
	})
	acq, err = Open(ctx, nested, evidence.AndroidQF, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer acq.Close()
	if len(acq.Parts) != 3 {
		t.Fatalf("parts = %+v", acq.Parts)
	}
	if readsKind(acq.Parts[0], evidence.Bugreport) {
		t.Errorf("dumpsys modules should read the nested bug report, not dumpsys.txt")
	}
	if got := acq.Kinds(); len(got) != 2 || got[1] != string(evidence.Bugreport) {
		t.Errorf("kinds = %v", got)
	}
	if acq.Parts[2].Source != nil || acq.Parts[2].Note == "" {
		t.Errorf("empty backup.ab should be a note: %+v", acq.Parts[2])
	}
}

func TestOpenMissing(t *testing.T) {
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "nope"), evidence.IOSFS, Options{}); err == nil {
		t.Errorf("a missing path opened")
	}
}

func TestIntrusionLogWarnings(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"log.txt": []byte(`{"strange_event": {"x": 1}}` + "\n")})
	acq, err := Open(context.Background(), dir, evidence.IntrusionLogs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer acq.Close()
	if len(acq.Parts[0].Warnings) == 0 {
		t.Errorf("no warning about an unknown event type")
	}
}

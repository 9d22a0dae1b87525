package android

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestTmpFiles(t *testing.T) {
	recs := aqfExtract(t, TmpFiles{}, map[string]string{"tmp/dropper": "ELF", "tmp/sub/x.dex": "dex", "tmp/collector": "c"})
	if len(recs) != 3 {
		t.Fatalf("records %v", recs)
	}
	want := map[string]any{"path": "/data/local/tmp/dropper", "local_path": "tmp/dropper", "size": int64(3), "sha256": sum("ELF")}
	if diff := cmp.Diff(want, recs[1].Data); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var got []string
	for _, f := range aqfFindings(TmpFiles{}, recs) {
		if f.Severity != record.Medium {
			t.Errorf("severity %v", f.Severity)
		}
		got = append(got, f.Message)
	}
	if want := `Found file in /data/local/tmp: "/data/local/tmp/dropper"|Found file in /data/local/tmp: "/data/local/tmp/sub/x.dex"`; strings.Join(got, "|") != want {
		t.Errorf("findings %q", got)
	}
	obs := TmpFiles{}.Observables(recs[1])
	if len(obs) != 2 || obs[0].Kind != record.FileHash || obs[0].Value != sum("ELF") || obs[1].Kind != record.FilePath {
		t.Errorf("observables %v", obs)
	}
}

func TestTmpFilesOtherTmpDir(t *testing.T) {
	recs := aqfExtract(t, TmpFiles{}, map[string]string{"tmp/a": "a", "acquisition.json": `{"uuid":"x","tmp_dir":"/data/user/0/tmp"}`})
	if len(recs) != 1 || recs[0].String("path") != "/data/user/0/tmp/a" {
		t.Fatalf("records %v", recs)
	}
	if f := aqfFindings(TmpFiles{}, recs); len(f) != 0 {
		t.Errorf("findings %v", f)
	}
	_, err := testkit.Extract(t, TmpFiles{}, aqfSource(t, map[string]string{"tmp/a": "a", "acquisition.json": "{broken"}))
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "acquisition.json") {
		t.Errorf("corrupt acquisition.json: %v", err)
	}
}

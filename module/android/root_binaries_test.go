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

func TestRootBinaries(t *testing.T) {
	recs := aqfExtract(t, RootBinaries{}, map[string]string{"root_binaries.json": `["/system/bin/su\n/system/xbin/su\n", "", 7, " /sbin/Superuser.apk ", "/x/weird"]`})
	var got []map[string]any
	for _, r := range recs {
		got = append(got, r.Data)
	}
	want := []map[string]any{
		{"path": "/system/bin/su", "binary_name": "su", "description": "SuperUser binary"},
		{"path": "/system/xbin/su", "binary_name": "su", "description": "SuperUser binary"},
		{"path": "/sbin/Superuser.apk", "binary_name": "superuser.apk", "description": "Superuser app"},
		{"path": "/x/weird", "binary_name": "weird", "description": "Unknown root binary"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	f := aqfFindings(RootBinaries{}, recs)
	if len(f) != 4 || f[2].Severity != record.High || f[2].Message != `Found root binary "superuser.apk" at path "/sbin/Superuser.apk"` {
		t.Errorf("findings %+v", f)
	}
	ev := RootBinaries{}.Timeline(recs[0])
	if len(ev) != 1 || ev[0].Event != "root_binary_found" || ev[0].Module != "RootBinaries" || ev[0].Data != "Root binary found: /system/bin/su (binary: su)" {
		t.Errorf("timeline %+v", ev)
	}
	if recs := aqfExtract(t, RootBinaries{}, map[string]string{"root_binaries.json": "[]"}); len(recs) != 0 || len(aqfFindings(RootBinaries{}, recs)) != 0 {
		t.Errorf("empty list: %v", recs)
	}
}

func TestRootBinariesCorrupt(t *testing.T) {
	_, err := testkit.Extract(t, RootBinaries{}, aqfSource(t, map[string]string{"root_binaries.json": `["/su", `}))
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "root_binaries.json") {
		t.Errorf("corrupt: %v", err)
	}
}

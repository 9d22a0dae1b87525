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

func TestMountsParsing(t *testing.T) {
	recs := aqfExtract(t, Mounts{}, map[string]string{"mounts.json": `[
		"/dev/block/dm-12 on / type ext4 (ro,seclabel,noatime)",
		"/dev/block/by-name/system on /system type ext4 (rw,seclabel,noatime)",
		"/dev/block/by-name/data on /data type f2fs (rw,nosuid,nodev,noatime)",
		"/dev/block/by-name/system /system ext4 rw,seclabel,noatime 0 0",
		"/dev/block/dm-3 /vendor ext4 ro,seclabel,noatime 0 0",
		"not a mount line"]`})
	if len(recs) != 4 {
		t.Fatalf("%d records: %v", len(recs), recs)
	}
	want := map[string]any{"device": "/dev/block/by-name/system", "mount_point": "/system", "filesystem_type": "ext4",
		"mount_options": "rw,seclabel,noatime", "options_list": []string{"rw", "seclabel", "noatime"},
		"is_system_partition": true, "is_read_write": true}
	if diff := cmp.Diff(want, recs[1].Data); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if recs[3].String("mount_point") != "/vendor" || recs[3].Data["is_read_write"] != false {
		t.Errorf("/proc/mounts line: %v", recs[3].Data)
	}
	obs := Mounts{}.Observables(recs[1])
	if len(obs) != 2 || obs[0].Value != "/system" || obs[1].Value != "/dev/block/by-name/system" || obs[0].Kind != record.FilePath {
		t.Errorf("observables %v", obs)
	}
}

func TestMountsHeuristics(t *testing.T) {
	recs := aqfExtract(t, Mounts{}, map[string]string{"mounts.json": `[
		"/dev/block/by-name/system on /system type ext4 (rw,seclabel,noatime)",
		"/dev/block/dm-1 on /product type ext4 (rw,noatime)",
		"/dev/block/dm-2 on /vendor type ext4 (ro,noatime)",
		"/dev/block/dm-4 on /system_ext type ext4 (ro,nodiratime)",
		"/dev/block/dm-5 on /system_dlkm type ext4 (ro,noatime)",
		"/dev/block/data on /data type f2fs (rw,noatime)"]`})
	var got []string
	for _, f := range aqfFindings(Mounts{}, recs) {
		got = append(got, f.Severity.String()+" "+f.Message)
	}
	want := []string{
		"HIGH Root detected /system partition is mounted as read-write (rw)",
		"MEDIUM Suspicious mount options found for /system: rw, noatime",
		"HIGH System partition /product is mounted as read-write (rw). This may indicate system modifications.",
		"MEDIUM Suspicious mount options found for /system_ext: nodiratime",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
}

func TestMountsErrors(t *testing.T) {
	for _, content := range []string{`{"not":"a list"}`, `[1]`, `["x"`} {
		_, err := testkit.Extract(t, Mounts{}, aqfSource(t, map[string]string{"mounts.json": content}))
		if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "mounts.json") {
			t.Errorf("%s: %v", content, err)
		}
	}
	if _, err := testkit.Extract(t, Mounts{}, aqfSource(t, nil)); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

func FuzzParseMountLine(f *testing.F) {
	f.Add("/dev/block/dm-12 on / type ext4 (ro,seclabel,noatime)")
	f.Add("/dev/block/dm-3 /vendor ext4 ro,seclabel 0 0")
	f.Fuzz(func(t *testing.T, line string) {
		if m := parseMountLine(line); m != nil && (m["device"] == "" || m["mount_point"] == "") {
			t.Fatalf("incomplete mount from %q", line)
		}
	})
}

package android

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// sharedBugreport is MVT's bug report test folder as a source (files keep
// their modification times), and a check that the folder is unchanged at
// the end of the test.
func sharedBugreport(t *testing.T) *testkit.Source {
	t.Helper()
	return sharedTree(t, evidence.Bugreport, "mvt", "android_data", "bugreport")
}

// sharedTree copies a shared test folder, recursively, into a source.
func sharedTree(t *testing.T, kind evidence.Kind, parts ...string) *testkit.Source {
	t.Helper()
	dir := testkit.SharedTestdata(t, parts...)
	before := testkit.HashTree(t, dir)
	files := map[string][]byte{}
	times := map[string]time.Time{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)], times[filepath.ToSlash(rel)] = data, st.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src := testkit.NewSource(t, kind, files)
	for rel, mt := range times {
		if err := os.Chtimes(filepath.Join(src.Path(), filepath.FromSlash(rel)), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if after := testkit.HashTree(t, dir); len(after) != len(before) {
			t.Errorf("evidence folder changed: %d files before, %d after", len(before), len(after))
		} else {
			for k, v := range before {
				if after[k] != v {
					t.Errorf("evidence file %s changed", k)
				}
			}
		}
	})
	return src
}

// dumpstateSource is a bug report whose dumpstate (named by main_entry.txt)
// holds text.
func dumpstateSource(t *testing.T, text string) *testkit.Source {
	t.Helper()
	return testkit.NewSource(t, evidence.Bugreport, map[string][]byte{
		"main_entry.txt": []byte("bugreport-x.txt\n"), "bugreport-x.txt": []byte(text)})
}

// section wraps body as the dumpsys section of service name.
func section(name, body string) string {
	return "------------------------------------------------------------------------------\n" +
		"DUMP OF SERVICE " + name + ":\n" + body +
		"--------- 0.001s was the duration of dumpsys " + name + "\n" +
		"------------------------------------------------------------------------------\n"
}

func TestBugReportTimestamps(t *testing.T) {
	src := testkit.NewSource(t, evidence.Bugreport, map[string][]byte{
		"FS/data/anr/anr_1": []byte("x"), "FS/data/tombstones/tombstone_00": []byte("y"), "version.txt": []byte("2.0")})
	mt := time.Date(2021, 9, 29, 17, 43, 49, 0, time.Local)
	for _, p := range []string{"FS/data/anr/anr_1", "FS/data/tombstones/tombstone_00"} {
		if err := os.Chtimes(filepath.Join(src.Path(), p), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := testkit.Extract(t, BugReportTimestamps{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].String("path") != "FS/data/anr/anr_1" || recs[1].String("modified_time") != "2021-09-29 17:43:49.000000" {
		t.Fatalf("records = %+v", recs)
	}
	ev := BugReportTimestamps{}.Timeline(recs[0])
	if len(ev) != 1 || ev[0].Event != "M---" || ev[0].Data != "FS/data/anr/anr_1" || ev[0].Timestamp != "2021-09-29 17:43:49.000000" {
		t.Errorf("timeline = %+v", ev)
	}
	if _, err := testkit.Extract(t, BugReportTimestamps{}, testkit.NewSource(t, evidence.Bugreport, nil)); err == nil {
		t.Error("no FS folder: want an error wrapping ErrNotFound")
	}
}

func TestBugReportTimestampsConformance(t *testing.T) {
	recs, err := testkit.Extract(t, BugReportTimestamps{}, sharedBugreport(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(aqfTimeline(BugReportTimestamps{}, recs)) != 2 {
		t.Errorf("got %d records, want the 2 tombstones under FS/", len(recs))
	}
	for _, r := range recs {
		if _, err := time.Parse(record.TimeLayout, r.String("modified_time")); err != nil {
			t.Errorf("modified_time %q: %v", r.String("modified_time"), err)
		}
	}
}

package ios

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/internal/testkit"
)

func TestAnalyticsIOSVersions(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/Keychains/Analytics/ckks_analytics.db": analyticsDB(t, true, map[string][][2]any{
			"hard_failures": {{1626566400, map[string]any{"build": "18F72"}}, {1626000000, map[string]any{"build": "18F72"}}},
			"soft_failures": {{1600000000, map[string]any{"build": "17A577"}}, {"NULL", map[string]any{"build": "16A366"}}},
			"all_events":    {{1630000000, map[string]any{"build": "99Z999"}}, {1630000001, map[string]any{"event": "x"}}},
		}),
	})
	recs, err := testkit.Extract(t, AnalyticsIOSVersions{}, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	for _, r := range recs {
		got = append(got, r.Data)
	}
	want := []map[string]any{
		{"isodate": "2020-09-13 12:26:40.000000", "build": "17A577", "version": "13.0"},
		{"isodate": "2021-07-11 10:40:00.000000", "build": "18F72", "version": "14.6"},
		{"isodate": "2021-08-26 17:46:40.000000", "build": "99Z999", "version": ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	ev := timeline(AnalyticsIOSVersions{}, recs)
	if len(ev) != 3 || ev[1].Event != "analytics_ios_version" || ev[1].Data != "Seen iOS version 14.6 (18F72)" {
		t.Errorf("timeline %+v", ev)
	}
}

func TestIOSBuildVersions(t *testing.T) {
	for build, version := range map[string]string{"18C66": "14.3", "17A577": "13.0", "1C25": "1.0.1"} {
		if got := iosBuildVersions[build]; got != version {
			t.Errorf("%s: %q, want %q", build, got, version)
		}
	}
}

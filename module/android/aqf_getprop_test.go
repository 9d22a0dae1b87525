package android

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestAQFGetPropParsing(t *testing.T) {
	recs := aqfExtract(t, AQFGetProp{}, map[string]string{"getprop.txt": "[ro.product.model]: [Pixel 7]\r\n" +
		"[empty.value]: []\n" + // skipped, as MVT's pattern needs a value
		"[multi.line]: [first\nsecond]\n" + // a value over two lines gives nothing
		"\n  [persist.sys.timezone]: [Europe/Rome]  \n"})
	var got []map[string]any
	for _, r := range recs {
		got = append(got, r.Data)
	}
	want := []map[string]any{{"name": "ro.product.model", "value": "Pixel 7"}, {"name": "persist.sys.timezone", "value": "Europe/Rome"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	obs := AQFGetProp{}.Observables(recs[0])
	if len(obs) != 1 || obs[0].Kind != record.AndroidProperty || obs[0].Value != "ro.product.model" || obs[0].Severity != record.Critical {
		t.Errorf("observables %v", obs)
	}
	if _, err := testkit.Extract(t, AQFGetProp{}, aqfSource(t, nil)); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

func TestAQFGetPropSecurityPatch(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC) }
	m := AQFGetProp{now: now}
	tests := []struct {
		value string
		want  string
	}{
		{"2025-12-01", "This phone has not received security updates for more than six months (last update: 2025-12-01)."},
		{"2026-03-01", ""},
		{"not a date", ""},
	}
	for _, tc := range tests {
		recs := aqfExtract(t, m, map[string]string{"getprop.txt": "[ro.build.version.security_patch]: [" + tc.value + "]\n[other]: [2001-01-01]\n"})
		f := aqfFindings(m, recs)
		switch {
		case tc.want == "" && len(f) != 0:
			t.Errorf("%s: findings %v", tc.value, f)
		case tc.want != "" && (len(f) != 1 || f[0].Message != tc.want || f[0].Severity != record.Medium || f[0].Event["value"] != tc.value):
			t.Errorf("%s: findings %+v", tc.value, f)
		}
	}
}

func FuzzParseGetPropLine(f *testing.F) {
	f.Add([]byte("[ro.build.version.sdk]: [34]"))
	f.Fuzz(func(t *testing.T, line []byte) {
		if name, value, ok := parseGetPropLine(line); ok && (name == "" || value == "") {
			t.Fatalf("empty property from %q", line)
		}
	})
}

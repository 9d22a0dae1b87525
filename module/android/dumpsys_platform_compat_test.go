package android

import (
	"testing"

	"github.com/spycheck/spycheck/record"
)

func TestDumpsysPlatformCompatSample(t *testing.T) {
	recs := extractOK(t, DumpsysPlatformCompat{}, mvtSample(t, "dumpsys_platform_compat.txt", ""))
	if len(recs) != 2 || recs[0].String("package_name") != "org.torproject.torbrowser" || recs[1].String("package_name") != "org.article19.circulo.next" {
		t.Fatalf("records = %+v", recs)
	}
	obs := DumpsysPlatformCompat{}.Observables(recs[1])
	if len(obs) != 1 || obs[0].Kind != record.AppID || obs[0].Value != "org.article19.circulo.next" {
		t.Errorf("observables = %+v", obs)
	}
}

func TestDownscaledPackages(t *testing.T) {
	for line, want := range map[string]int{
		"ChangeId(168419799; name=DOWNSCALED; disabled; rawOverrides={a=1, b=2}; x)": 2,
		"ChangeId(168419799; name=DOWNSCALED; disabled)":                             0,
		"ChangeId(1; name=OTHER; rawOverrides={a=1}; x)":                             0,
	} {
		if got := downscaledPackages(line); len(got) != want {
			t.Errorf("%q: %q", line, got)
		}
	}
}

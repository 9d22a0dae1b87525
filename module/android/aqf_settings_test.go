package android

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestAQFSettings(t *testing.T) {
	recs := aqfExtract(t, AQFSettings{}, map[string]string{
		"settings_secure.txt": "accessibility_enabled=1\nno separator\npackage_verifier_user_consent=1\n",
		"settings_global.txt": "package_verifier_enable=0\nupload_apk_enable=1\nwith=equals=sign\nempty=\n",
	})
	if len(recs) != 1 {
		t.Fatalf("records %v", recs)
	}
	want := map[string]any{
		"secure": map[string]any{"accessibility_enabled": "1", "package_verifier_user_consent": "1"},
		"global": map[string]any{"package_verifier_enable": "0", "upload_apk_enable": "1", "with": "equals=sign", "empty": ""},
	}
	if diff := cmp.Diff(want, recs[0].Data); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	f := aqfFindings(AQFSettings{}, recs)
	if len(f) != 2 {
		t.Fatalf("findings %+v", f)
	}
	if f[0].Message != `Found suspicious "global" setting "package_verifier_enable = 0" (disabled Google Play Protect)` || f[0].Severity != record.Medium {
		t.Errorf("finding %+v", f[0])
	}
	if f[1].Message != `Found suspicious "secure" setting "accessibility_enabled = 1" (enabled accessibility services)` {
		t.Errorf("finding %+v", f[1])
	}
	wantEvent := map[string]any{"namespace": "secure", "key": "accessibility_enabled", "value": "1", "description": "enabled accessibility services"}
	if diff := cmp.Diff(wantEvent, f[1].Event); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if _, err := testkit.Extract(t, AQFSettings{}, aqfSource(t, map[string]string{"getprop.txt": ""})); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

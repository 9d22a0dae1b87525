package android

import (
	"errors"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestSELinux(t *testing.T) {
	tests := []struct{ content, want string }{
		{"Permissive\n", "SELinux is not enforcing (status: Permissive)"},
		{"Disabled", "SELinux is not enforcing (status: Disabled)"},
		{"Enforcing\r\n", ""},
		{"", ""},
	}
	for _, tc := range tests {
		recs := aqfExtract(t, SELinux{}, map[string]string{"selinux.txt": tc.content})
		if len(recs) != 1 {
			t.Fatalf("records %v", recs)
		}
		f := aqfFindings(SELinux{}, recs)
		switch {
		case tc.want == "" && len(f) != 0:
			t.Errorf("%q: findings %v", tc.content, f)
		case tc.want != "" && (len(f) != 1 || f[0].Message != tc.want || f[0].Severity != record.High):
			t.Errorf("%q: findings %+v", tc.content, f)
		}
	}
	if _, err := testkit.Extract(t, SELinux{}, aqfSource(t, nil)); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

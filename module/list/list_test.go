package list

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
)

// Every module is well described, and within one kind of acquisition no
// two modules write the same results file.
func TestRegistry(t *testing.T) {
	for _, m := range All() {
		info := m.Info()
		if info.Name == "" || info.Title == "" || len(info.Kinds) == 0 {
			t.Errorf("%T: incomplete info %+v", m, info)
		}
		if strings.ToLower(info.Name) != info.Name || strings.ContainsAny(info.Name, " /.") {
			t.Errorf("%T: result name %q is not a file-safe slug", m, info.Name)
		}
	}
	for _, kind := range Kinds() {
		seen := map[string]string{}
		for _, m := range For(kind) {
			name := m.Info().Name
			if other, dup := seen[name]; dup {
				t.Errorf("%s: %s and %T both write %s.json", kind, other, m, name)
			}
			seen[name] = m.Info().Title
		}
	}
	for _, kind := range []evidence.Kind{evidence.IOSBackup, evidence.IOSFS, evidence.IOSSysdiagnose,
		evidence.AndroidQF, evidence.Bugreport, evidence.AndroidBackup, evidence.IntrusionLogs} {
		if len(For(kind)) == 0 {
			t.Errorf("no module reads %s", kind)
		}
	}
}

func TestValidateAndKeep(t *testing.T) {
	if err := Validate([]string{"sms", "TCC", "SafariHistory"}); err != nil {
		t.Errorf("valid names refused: %v", err)
	}
	err := Validate([]string{"sms", "nope"})
	if err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "tcc") {
		t.Errorf("unknown name: %v", err)
	}
	kept := Keep(For(evidence.IOSBackup), []string{"TCC", "sms"})
	if len(kept) != 2 {
		t.Errorf("Keep = %d modules", len(kept))
	}
	if n := len(ForKinds([]evidence.Kind{evidence.IOSBackup, evidence.AndroidBackup})); n != len(For(evidence.IOSBackup)) {
		t.Errorf("ForKinds should keep one module per result name (iOS sms first): %d", n)
	}
}

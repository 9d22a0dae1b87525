package check

import (
	"context"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

type lookingModule struct{ fakeModule }

func (lookingModule) Extract(ctx context.Context, src evidence.Source, _ func(record.Record)) error {
	_, err := module.FindOne(ctx, src, evidence.Query{DevicePaths: []string{"private/var/mobile/Library/SMS/sms.db"}, BackupIDs: []string{"x"}})
	return err
}

func TestWanted(t *testing.T) {
	pats := Wanted(context.Background(), evidence.IOSFS, []module.Module{lookingModule{}, fakeModule{name: "panicky", panics: true}})
	want := WantFunc(pats)
	for p, ok := range map[string]bool{
		"private/var/mobile/Library/SMS/sms.db":     true,
		"private/var/mobile/Library/SMS/sms.db-wal": true,
		"private/var/mobile/Library/SMS/other.db":   false,
	} {
		if want(p) != ok {
			t.Errorf("want(%q) = %v", p, !ok)
		}
	}
}

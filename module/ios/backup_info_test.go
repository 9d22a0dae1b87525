package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
)

func TestBackupInfo(t *testing.T) {
	b := testkit.NewBackup(t, map[string]any{"Build Version": "20A362", "IMEI": "1234", "Unrelated": 1})
	recs, err := testkit.Extract(t, BackupInfo{}, b.Open())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || len(recs[0].Data) != len(backupInfoFields) {
		t.Fatalf("records %v", recs)
	}
	d := recs[0].Data
	if d["Build Version"] != "20A362" || d["IMEI"] != "1234" || d["MEID"] != nil {
		t.Errorf("record %v", d)
	}
	if _, ok := d["Unrelated"]; ok {
		t.Errorf("unexpected key in %v", d)
	}
}

func TestBackupInfoCorrupt(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	src := b.Open()
	b.RootFile("Info.plist", []byte("\x00\x01 definitely not a plist"))
	_, err := testkit.Extract(t, BackupInfo{}, src)
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "Info.plist") {
		t.Errorf("err = %v", err)
	}
}

func TestBackupInfoConformance(t *testing.T) {
	recs, err := testkit.Extract(t, BackupInfo{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Data["Build Version"] != "18C66" || recs[0].Data["IMEI"] != "42" {
		t.Errorf("records %v", recs)
	}
}

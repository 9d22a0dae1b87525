package ios

// BackupInfo: device and backup details from the backup's Info.plist.
//
//   backup: <backup folder>/Info.plist (not listed in Manifest.db)
//
// All iOS versions; keys the device did not write are nil.

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// BackupInfo reads Info.plist at the root of a backup.
type BackupInfo struct{}

var infoPlistQuery = evidence.Query{RootFiles: []string{"Info.plist"}}

// backupInfoFields are the Info.plist keys MVT reports.
var backupInfoFields = []string{
	"Build Version", "Device Name", "Display Name", "GUID", "ICCID", "IMEI", "MEID",
	"Installed Applications", "Last Backup Date", "Phone Number", "Product Name",
	"Product Type", "Product Version", "Serial Number", "Target Identifier",
	"Target Type", "Unique Identifier", "iTunes Version",
}

// Info implements module.Module.
func (BackupInfo) Info() module.Info {
	return module.Info{Name: "backup_info", Title: "BackupInfo", Kinds: backupOnly, Dict: true}
}

// Extract implements module.Module: one record holding every field.
func (BackupInfo) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, infoPlistQuery)
	if err != nil {
		return err
	}
	info, _, err := readPlistDict(src, e)
	if err != nil {
		return err
	}
	data := make(map[string]any, len(backupInfoFields))
	for _, k := range backupInfoFields {
		data[k] = evidence.Plain(info[k])
	}
	emit(record.Record{Data: data})
	return nil
}

// Observables implements module.Module: nothing to match.
func (BackupInfo) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: no events.
func (BackupInfo) Timeline(record.Record) []record.Event { return nil }

// Command mkdemo writes the demo acquisition the README runs spycheck on:
// a small iOS backup (Info.plist, Manifest.db, sms.db, TCC.db,
// .GlobalPreferences.plist) with planted traces of a fictional spyware,
// and the STIX2 indicator file that names them.
//
//	go run ./cmd/mkdemo testdata/demo
//
// Everything in it is made up: the domains use the reserved .example top
// level domain and "DemoSpy" does not exist.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spycheck/spycheck/internal/fixture"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkdemo OUTPUT_FOLDER")
		os.Exit(2)
	}
	if err := build(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "mkdemo:", err)
		os.Exit(1)
	}
}

// The planted traces.
const (
	plantedDomain  = "demo-spyware.example"
	plantedURL     = "https://cdn." + plantedDomain + "/l/4f1c9a?lang=en"
	plantedProcess = "demoimplantd"
)

func build(dir string) error {
	backupDir := filepath.Join(dir, "backup")
	if err := os.RemoveAll(backupDir); err != nil {
		return err
	}
	b, err := fixture.NewBackup(backupDir)
	if err != nil {
		return err
	}
	info, err := fixture.Plist(map[string]any{
		"Build Version": "21F90", "Device Name": "Demo iPhone", "Display Name": "Demo iPhone",
		"Product Name": "iPhone 13 Pro", "Product Type": "iPhone14,2", "Product Version": "17.5.1",
		"IMEI": "000000000000000", "Serial Number": "DEMO00000000", "GUID": "00000000000000000000000000000000",
		"Target Identifier": "00008110-000000000000DEMO", "Unique Identifier": "00008110-000000000000DEMO",
		"Target Type": "Device", "iTunes Version": "12.13",
	})
	if err != nil {
		return err
	}
	if err := b.RootFile("Info.plist", info); err != nil {
		return err
	}
	for _, f := range []struct {
		domain, rel string
		make        func() ([]byte, error)
	}{
		{"HomeDomain", "Library/SMS/sms.db", func() ([]byte, error) { return fixture.SQLite(smsScript) }},
		{"HomeDomain", "Library/TCC/TCC.db", func() ([]byte, error) { return fixture.SQLite(tccScript) }},
		{"HomeDomain", "Library/Preferences/.GlobalPreferences.plist", func() ([]byte, error) {
			return fixture.Plist(map[string]any{"AppleLanguages": []string{"en-US"}, "AppleLocale": "en_US", "LDMGlobalEnabled": false})
		}},
	} {
		data, err := f.make()
		if err != nil {
			return fmt.Errorf("%s: %w", f.rel, err)
		}
		if _, err := b.Add(f.domain, f.rel, data, nil); err != nil {
			return err
		}
	}
	if err := b.Finish(); err != nil {
		return err
	}
	return writeIndicators(filepath.Join(dir, "demo.stix2"))
}

// Message dates are nanoseconds since 2001-01-01, as iOS 11+ writes them.
const smsScript = `
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, item_type INTEGER DEFAULT 0, group_title TEXT, associated_message_guid TEXT, balloon_bundle_id TEXT, payload_data BLOB, message_summary_info BLOB);
INSERT INTO handle (ROWID, id, country, service) VALUES (1, '+15555550123', 'us', 'iMessage'), (2, 'ParcelNotice', 'us', 'SMS');
INSERT INTO message (ROWID, guid, text, handle_id, service, date, date_read, is_from_me, is_read, is_sent, is_delivered, is_finished) VALUES
 (1, 'DEMO-0001', 'See you at the press conference tomorrow, here is the agenda: https://www.example.com/agenda', 1, 'iMessage', 738892800000000000, 738893100000000000, 0, 1, 0, 1, 1),
 (2, 'DEMO-0002', 'Thanks, I will be there.', 1, 'iMessage', 738893400000000000, 0, 1, 0, 1, 1, 1),
 (3, 'DEMO-0003', 'Your parcel is held at customs. Pay the fee here: ` + plantedURL + `', 2, 'SMS', 738979200000000000, 738979500000000000, 0, 1, 0, 1, 1);
`

const tccScript = `
CREATE TABLE access (service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL, auth_value INTEGER NOT NULL, auth_reason INTEGER NOT NULL, auth_version INTEGER NOT NULL, csreq BLOB, policy_id INTEGER, indirect_object_identifier_type INTEGER, indirect_object_identifier TEXT NOT NULL DEFAULT 'UNUSED', indirect_object_code_identity BLOB, flags INTEGER, last_modified INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)), pid INTEGER, pid_version INTEGER, boot_uuid TEXT NOT NULL DEFAULT 'UNUSED', last_reminded INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (service, client, client_type, indirect_object_identifier));
INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES
 ('kTCCServiceCamera', 'com.apple.camera', 0, 2, 2, 1, 1717236000),
 ('kTCCServiceMicrophone', 'net.whatsapp.WhatsApp', 0, 2, 2, 1, 1717239600),
 ('kTCCServiceMicrophone', '` + plantedProcess + `', 0, 2, 4, 1, 1717322400),
 ('kTCCServicePhotos', 'org.example.news', 0, 0, 2, 1, 1717326000);
`

func writeIndicators(path string) error {
	malware := "malware--6f0f1c3e-0d6b-4e8a-9a57-1b2c3d4e5f60"
	obj := []map[string]any{
		{"type": "malware", "spec_version": "2.1", "id": malware, "name": "DemoSpy (fictional, for the spycheck demo)", "is_family": false,
			"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"},
	}
	for i, p := range []string{
		"[domain-name:value='" + plantedDomain + "']",
		"[process:name='" + plantedProcess + "']",
	} {
		id := fmt.Sprintf("indicator--6f0f1c3e-0d6b-4e8a-9a57-00000000000%d", i+1)
		obj = append(obj,
			map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "pattern": p, "pattern_type": "stix",
				"valid_from": "2026-01-01T00:00:00Z", "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"},
			map[string]any{"type": "relationship", "spec_version": "2.1", "id": fmt.Sprintf("relationship--6f0f1c3e-0d6b-4e8a-9a57-00000000010%d", i+1),
				"relationship_type": "indicates", "source_ref": id, "target_ref": malware,
				"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"})
	}
	data, err := json.MarshalIndent(map[string]any{"type": "bundle", "id": "bundle--6f0f1c3e-0d6b-4e8a-9a57-000000000000", "objects": obj}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

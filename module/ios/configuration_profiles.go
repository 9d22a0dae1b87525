package ios

// ConfigurationProfiles: the installed configuration profiles (MDM,
// VPN, notification settings …), one property list each.
//
//   backup: domain SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles,
//           files whose name starts with "profile-" (Library/ConfigurationProfiles/profile-*.stub)
//
// All iOS versions with configuration profiles (iOS 4+).

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// ConfigurationProfiles reads the configuration profile plists.
type ConfigurationProfiles struct{}

var configurationProfilesQuery = evidence.Query{Domain: "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"}

// Info implements module.Module.
func (ConfigurationProfiles) Info() module.Info {
	return module.Info{Name: "configuration_profiles", Title: "ConfigurationProfiles", Kinds: backupOnly}
}

// Extract implements module.Module. A profile that is not a readable
// property list still gives a record, with an empty plist (as MVT); the
// files that could not be read are reported as an error at the end.
func (ConfigurationProfiles) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, configurationProfilesQuery)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if !strings.HasPrefix(path.Base(e.RelativePath), "profile-") {
			continue
		}
		plist, installed, err := readProfile(src, e)
		if err != nil {
			errs = append(errs, err)
		}
		emit(record.Record{Data: map[string]any{"file_id": e.FileID, "relative_path": e.RelativePath,
			"domain": e.Domain, "plist": plist, "install_date": installed}})
	}
	return errors.Join(errs...)
}

// readProfile reads one profile: its plain plist and install date.
func readProfile(src evidence.Source, e evidence.Entry) (map[string]any, string, error) {
	v, err := evidence.ReadPlist(src, e)
	if err != nil {
		return map[string]any{}, "", err
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return map[string]any{}, "", &evidence.FileError{Op: "parse profile", Path: e.Name(), Evidence: e.Local,
			Err: fmt.Errorf("%w: top level is %T, not a dictionary", evidence.ErrCorrupt, v)}
	}
	installed := ""
	if t, ok := raw["InstallDate"].(time.Time); ok {
		installed = record.ISO(t)
	}
	return profilePlist(raw), installed, nil
}

// profilePlist base64-encodes the binary keys MVT encodes (certificates,
// push tokens, keychain references) and makes the rest plain values.
func profilePlist(p map[string]any) map[string]any {
	base64List(p, "SignerCerts")
	base64Keys(p, "PushTokenDataSentToServerKey", "LastPushTokenHash")
	if stub, ok := p["OTAProfileStub"].(map[string]any); ok {
		base64List(stub, "SignerCerts")
		if content, ok := stub["PayloadContent"].(map[string]any); ok {
			base64Keys(content, "EnrollmentIdentityPersistentID")
		}
	}
	if content, ok := p["PayloadContent"].([]any); ok {
		for _, c := range content {
			if m, ok := c.(map[string]any); ok {
				base64Keys(m, "PERSISTENT_REF", "IdentityPersistentRef")
			}
		}
	}
	plain, _ := evidence.Plain(p).(map[string]any)
	return plain
}

func base64Keys(m map[string]any, keys ...string) {
	for _, k := range keys {
		if b, ok := m[k].([]byte); ok {
			m[k] = base64.StdEncoding.EncodeToString(b)
		}
	}
}

func base64List(m map[string]any, key string) {
	list, ok := m[key].([]any)
	if !ok {
		return
	}
	for i, x := range list {
		if b, ok := x.([]byte); ok {
			list[i] = base64.StdEncoding.EncodeToString(b)
		}
	}
}

// profileField reads a key of the record's plist.
func profileField(r record.Record, key string) any {
	p, _ := r.Data["plist"].(map[string]any)
	return p[key]
}

// Observables implements module.Module: the profile's UUID.
func (ConfigurationProfiles) Observables(r record.Record) []record.Observable {
	uuid, _ := profileField(r, "PayloadUUID").(string)
	return module.Observe(record.Critical, record.ProfileUUID, "plist.PayloadUUID", uuid)
}

// Timeline implements module.Module: the installation, when dated.
func (m ConfigurationProfiles) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("%s installed: %s - %s: %s", pyText(profileField(r, "PayloadType")), pyText(profileField(r, "PayloadUUID")),
		pyText(profileField(r, "PayloadDisplayName")), pyText(profileField(r, "PayloadDescription")))
	return module.Event(m.Info().Title, r.String("install_date"), "configuration_profile_install", data)
}

// NewInspector implements module.Heuristic: a profile whose first payload
// configures notifications can be used to hide them.
func (ConfigurationProfiles) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		if !record.Truthy(profileField(r, "PayloadUUID")) {
			return
		}
		content, _ := profileField(r, "PayloadContent").([]any)
		if len(content) == 0 {
			return
		}
		first, _ := content[0].(map[string]any)
		if kind, _ := first["PayloadType"].(string); kind == "com.apple.notificationsettings" {
			raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Found a potentially suspicious configuration profile \"%s\" with payload type %s",
				pyText(profileField(r, "PayloadDisplayName")), kind)))
		}
	})
}

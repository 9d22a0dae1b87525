package android

// AQFSettings: the system, secure and global settings tables.
//
//   androidqf: settings_system.txt, settings_secure.txt, settings_global.txt
//   (`cmd settings list <namespace>`, since 2021)
//
// Lines are "key=value"; the namespace is the file name between its last
// '_' and ".txt". The result is one dictionary {namespace: {key: value}},
// as MVT writes it.

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// AQFSettings reads settings_*.txt.
type AQFSettings struct{}

// Info implements module.Module.
func (AQFSettings) Info() module.Info {
	return module.Info{Name: "aqf_settings", Title: "AQFSettings", Kinds: androidQF, Dict: true}
}

// dangerousSetting is a security setting and the one value that is safe.
type dangerousSetting struct {
	safe, description string
}

// androidDangerousSettings is MVT's ANDROID_DANGEROUS_SETTINGS, by key.
var androidDangerousSettings = map[string]dangerousSetting{
	"verifier_verify_adb_installs":  {"1", "disabled Google Play Services apps verification"},
	"package_verifier_enable":       {"1", "disabled Google Play Protect"},
	"package_verifier_state":        {"1", "disabled APK package verification"},
	"package_verifier_user_consent": {"1", "disabled Google Play Protect"},
	"upload_apk_enable":             {"1", "disabled Google Play Protect"},
	"adb_install_need_confirm":      {"1", "disabled confirmation of adb apps installation"},
	"send_security_reports":         {"1", "disabled sharing of security reports"},
	"samsung_errorlog_agree":        {"1", "disabled sharing of crash logs with manufacturer"},
	"send_action_app_error":         {"1", "disabled applications errors reports"},
	"accessibility_enabled":         {"0", "enabled accessibility services"},
}

// Extract implements module.Module: one record holding every namespace.
func (AQFSettings) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, rootFile("settings_*.txt"))
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find settings_*.txt: %w", evidence.ErrNotFound)
	}
	all := map[string]any{}
	for _, e := range entries {
		base := path.Base(e.DevicePath)
		namespace := strings.TrimSuffix(base[strings.LastIndex(base, "_")+1:], ".txt")
		settings := map[string]any{}
		err := eachLine(src, e, func(line []byte) error {
			key, value, ok := strings.Cut(strings.TrimSpace(string(line)), "=")
			if ok {
				settings[key] = value
			}
			return nil
		})
		if err != nil {
			return err
		}
		all[namespace] = settings
	}
	emit(record.Record{Data: all})
	return nil
}

// Observables implements module.Module: settings are not indicators.
func (AQFSettings) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: settings carry no time.
func (AQFSettings) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: a dangerous setting at any
// value but its safe one. Namespaces and keys are visited in sorted order.
func (AQFSettings) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		for _, ns := range settingsKeys(r.Data) {
			settings, _ := r.Data[ns].(map[string]any)
			for _, key := range settingsKeys(settings) {
				danger, known := androidDangerousSettings[key]
				value, _ := settings[key].(string)
				if !known || value == danger.safe {
					continue
				}
				raise(record.Finding{
					Severity: record.Medium, Module: r.Module,
					Message: fmt.Sprintf("Found suspicious \"%s\" setting \"%s = %s\" (%s)", ns, key, value, danger.description),
					Event:   map[string]any{"namespace": ns, "key": key, "value": value, "description": danger.description},
				})
			}
		}
	})
}

// settingsKeys lists a map's keys in order.
func settingsKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package android

// Intrusion logs, security events: security_event lines of the intrusion
// log files (format and lookup in intrusion_dns.go; Android 16+). Each
// event carries one tag of Android's SecurityLog (adb_shell_cmd,
// app_process_start, package_installed …) next to event_id, event_time
// and event_type.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SecurityEvent reads the security events of intrusion logs.
type SecurityEvent struct{}

// securityTags are the SecurityLog tags MVT knows, with their tag ids.
var securityTags = map[string]int{
	"adb_shell_interactive": 210001, "adb_shell_cmd": 210002, "adb_sync_recv_file": 210003,
	"adb_sync_send_file": 210004, "app_process_start": 210005, "keyguard_dismissed": 210006,
	"keyguard_dismiss_auth_attempt": 210007, "keyguard_secured": 210008, "os_startup": 210009,
	"os_shutdown": 210010, "logging_started": 210011, "logging_stopped": 210012,
	"media_mount": 210013, "media_unmount": 210014, "log_buffer_size_critical": 210015,
	"password_expiration_set": 210016, "password_complexity_set": 210017,
	"password_history_length_set": 210018, "max_screen_lock_timeout_set": 210019,
	"max_password_attempts_set": 210020, "keyguard_disabled_features_set": 210021,
	"remote_lock": 210022, "wipe_failure": 210023, "key_generated": 210024, "key_import": 210025,
	"key_destruction": 210026, "user_restriction_added": 210027, "user_restriction_removed": 210028,
	"cert_authority_installed": 210029, "cert_authority_removed": 210030,
	"crypto_self_test_completed": 210031, "key_integrity_violation": 210032,
	"cert_validation_failure": 210033, "camera_policy_set": 210034,
	"password_complexity_required": 210035, "password_changed": 210036, "wifi_connection": 210037,
	"wifi_disconnection": 210038, "bluetooth_connection": 210039, "bluetooth_disconnection": 210040,
	"package_installed": 210041, "package_updated": 210042, "package_uninstalled": 210043,
	"backup_service_toggled": 210044, "nfc_enabled": 210045, "nfc_disabled": 210046,
}

func knownSecurityTag(tag string) bool { _, ok := securityTags[tag]; return ok }

// securityMetadata are the event fields that are not its tag.
var securityMetadata = map[string]bool{"event_id": true, "event_time": true, "event_type": true, "timestamp": true}

// securityTag is the event's tag: its field other than the metadata (a
// known tag first should there be several, then by name, so records read
// back from JSON give the same answer).
func securityTag(d map[string]any) string {
	var other string
	for _, k := range slices.Sorted(maps.Keys(d)) {
		if securityMetadata[k] {
			continue
		}
		if knownSecurityTag(k) {
			return k
		}
		if other == "" {
			other = k
		}
	}
	return other
}

// Info implements module.Module.
func (SecurityEvent) Info() module.Info {
	return module.Info{Name: "security_event", Title: "SecurityEvent", Kinds: intrusionLogs, TimeField: "timestamp"}
}

// Extract implements module.Module.
func (SecurityEvent) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return extractIntrusionEvents(ctx, src, securityEventType, 1e9, emit)
}

// tagInfo is the tag's details (an empty map when not an object).
func tagInfo(d map[string]any, tag string) map[string]any {
	m, _ := d[tag].(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// Observables implements module.Module, in MVT's order: the started
// process and its ":"-separated parts, installed/updated/removed packages
// and adb shell commands as app ids, then adb push/pull paths.
func (SecurityEvent) Observables(r record.Record) []record.Observable {
	var out []record.Observable
	if _, ok := r.Data["app_process_start"]; ok {
		proc := textField(tagInfo(r.Data, "app_process_start"), "process")
		out = append(out, module.Observe(record.Critical, record.AppID, "app_process_start.process", proc)...)
		if parts := strings.Split(proc, ":"); len(parts) > 1 {
			out = append(out, module.Observe(record.Critical, record.AppID, "app_process_start.process", parts[1:]...)...)
		}
	}
	for _, tag := range []string{"package_installed", "package_updated", "package_uninstalled"} {
		out = append(out, module.Observe(record.Critical, record.AppID, tag+".package_name", textField(tagInfo(r.Data, tag), "package_name"))...)
	}
	out = append(out, module.Observe(record.Critical, record.AppID, "adb_shell_cmd.command", textField(tagInfo(r.Data, "adb_shell_cmd"), "command"))...)
	for _, tag := range []string{"adb_sync_recv_file", "adb_sync_send_file"} {
		out = append(out, module.Observe(record.Critical, record.FilePath, tag+".path", textField(tagInfo(r.Data, tag), "path"))...)
	}
	return out
}

// NewInspector implements module.Heuristic: events that are suspicious in
// themselves, judged with or without indicators.
func (SecurityEvent) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		when := r.String("timestamp")
		alert := func(msg string) { raise(module.Alert(record.Medium, r, when, msg)) }
		if v, ok := r.Data["cert_validation_failure"]; ok {
			alert("Certificate validation failure detected: " + intrusionText(v))
		}
		if v, ok := r.Data["key_integrity_violation"]; ok {
			alert("Key integrity violation detected: " + intrusionText(v))
		}
		if _, ok := r.Data["cert_authority_installed"]; ok {
			if info := tagInfo(r.Data, "cert_authority_installed"); flag(info, "success", true) {
				alert("Certificate authority installed: " + textOr(info, "subject", "unknown"))
			}
		}
		if _, ok := r.Data["wipe_failure"]; ok {
			alert("Device wipe failure detected")
		}
		if v, ok := r.Data["crypto_self_test_completed"]; ok && !selfTestPassed(v, true) {
			alert("Cryptographic self test failed")
		}
	})
}

// selfTestPassed reads crypto_self_test_completed: an object's success
// field (def when missing: MVT's heuristic assumes success, its timeline
// failure), else the value 1.
func selfTestPassed(v any, def bool) bool {
	if m, ok := v.(map[string]any); ok {
		return flag(m, "success", def)
	}
	n, ok := record.Num(v)
	return ok && n == 1
}

// Timeline implements module.Module: one event named after the tag.
func (SecurityEvent) Timeline(r record.Record) []record.Event {
	tag := securityTag(r.Data)
	if tag == "" {
		return module.Event("SecurityEvent", r.String("timestamp"), "unknown", intrusionText(r.Data))
	}
	return module.Event("SecurityEvent", r.String("timestamp"), tag, securityText(tag, r.Data[tag]))
}

// securityText is MVT's description of a security event.
func securityText(tag string, raw any) string {
	if !knownSecurityTag(tag) {
		return tag + ": " + intrusionText(raw)
	}
	in := tagInfo(map[string]any{tag: raw}, tag)
	s := func(k string) string { return textOr(in, k, "") }
	ok := func(yes, no string) string {
		if flag(in, "success", false) {
			return yes
		}
		return no
	}
	switch tag {
	case "adb_shell_interactive":
		return "ADB interactive shell opened"
	case "adb_shell_cmd":
		return "ADB shell command: " + s("command")
	case "adb_sync_recv_file":
		return "File pulled via ADB: " + s("path")
	case "adb_sync_send_file":
		return "File pushed via ADB: " + s("path")
	case "app_process_start":
		return fmt.Sprintf("Process started: %s (UID: %s, PID: %s)", s("process"), s("uid"), s("pid"))
	case "keyguard_dismiss_auth_attempt":
		return fmt.Sprintf("Auth attempt: %s (method strength: %s)", ok("Success", "Failed"), textOr(in, "method_strength", "0"))
	case "keyguard_dismissed":
		return "Keyguard dismissed"
	case "keyguard_secured":
		return "Device locked"
	case "keyguard_disabled_features_set":
		return fmt.Sprintf("Keyguard features disabled by %s: %s", s("admin_package"), s("disabled_features"))
	case "key_generated":
		return fmt.Sprintf("Key %s: %s (UID: %s)", ok("generated", "generation failed"), textOr(in, "key_id", "unknown"), s("uid"))
	case "key_destruction":
		return fmt.Sprintf("Key %s: %s (UID: %s)", ok("destroyed", "destruction failed"), textOr(in, "key_id", "unknown"), s("uid"))
	case "key_import":
		return fmt.Sprintf("Key %s: %s", ok("imported", "import failed"), textOr(in, "key_id", "unknown"))
	case "key_integrity_violation":
		return "Key integrity violation: " + textOr(in, "key_id", "unknown")
	case "cert_authority_installed":
		return fmt.Sprintf("Cert %s: %s", ok("installed", "install failed"), textOr(in, "subject", "unknown"))
	case "cert_authority_removed":
		return fmt.Sprintf("Cert %s: %s", ok("removed", "removal failed"), textOr(in, "subject", "unknown"))
	case "cert_validation_failure":
		return "Certificate validation failure: " + intrusionText(raw)
	case "crypto_self_test_completed":
		if selfTestPassed(raw, false) {
			return "Crypto self test: passed"
		}
		return "Crypto self test: FAILED"
	case "package_installed", "package_updated", "package_uninstalled":
		action := strings.TrimPrefix(tag, "package_")
		return fmt.Sprintf("Package %s: %s (v%s, user: %s)", strings.ToUpper(action[:1])+action[1:], s("package_name"), s("version_code"), s("user_id"))
	}
	return securityPolicyText(tag, in)
}

// securityPolicyText describes the device, policy and radio events.
func securityPolicyText(tag string, in map[string]any) string {
	s := func(k string) string { return textOr(in, k, "") }
	withReason := func(text string) string {
		if r := s("reason"); r != "" {
			return text + " - " + r
		}
		return text
	}
	admin := s("admin_package")
	switch tag {
	case "os_startup":
		return fmt.Sprintf("OS startup (verified boot: %s, dm-verity: %s)", s("verified_boot_state"), s("dm_verity_mode"))
	case "os_shutdown":
		return "OS shutdown"
	case "logging_started":
		return "Audit logging started"
	case "logging_stopped":
		return "Audit logging stopped"
	case "log_buffer_size_critical":
		return "Log buffer at 90% capacity"
	case "media_mount":
		return fmt.Sprintf("Media mounted: %s (%s)", s("mount_point"), s("volume_label"))
	case "media_unmount":
		return fmt.Sprintf("Media unmounted: %s (%s)", s("mount_point"), s("volume_label"))
	case "password_expiration_set":
		return fmt.Sprintf("Password expiration set by %s: %sms", admin, s("timeout_ms"))
	case "password_complexity_set":
		return "Password complexity set by " + admin
	case "password_complexity_required":
		return fmt.Sprintf("Password complexity required by %s: %s", admin, s("complexity"))
	case "password_history_length_set":
		return fmt.Sprintf("Password history length set by %s: %s", admin, s("length"))
	case "password_changed":
		return fmt.Sprintf("Password changed (complexity: %s, user: %s)", s("complexity"), s("user_id"))
	case "max_screen_lock_timeout_set":
		return fmt.Sprintf("Max screen lock timeout set by %s: %sms", admin, s("timeout_ms"))
	case "max_password_attempts_set":
		return fmt.Sprintf("Max password attempts set by %s: %s", admin, s("max_attempts"))
	case "remote_lock":
		return "Device remotely locked by " + admin
	case "wipe_failure":
		return "Device wipe failed"
	case "user_restriction_added":
		return fmt.Sprintf("User restriction added by %s: %s", admin, s("restriction"))
	case "user_restriction_removed":
		return fmt.Sprintf("User restriction removed by %s: %s", admin, s("restriction"))
	case "wifi_connection":
		return withReason(fmt.Sprintf("WiFi connection: %s (BSSID: %s)", s("event_type"), s("bssid")))
	case "wifi_disconnection":
		return withReason(fmt.Sprintf("WiFi disconnection (BSSID: %s)", s("bssid")))
	case "bluetooth_connection":
		verb := "connection failed"
		if flag(in, "success", false) {
			verb = "connected"
		}
		return withReason(fmt.Sprintf("Bluetooth %s: %s", verb, s("mac_address")))
	case "bluetooth_disconnection":
		return withReason("Bluetooth disconnected: " + s("mac_address"))
	case "camera_policy_set":
		state := "enabled"
		if flag(in, "disabled", false) {
			state = "disabled"
		}
		return fmt.Sprintf("Camera %s by %s", state, admin)
	case "backup_service_toggled":
		state := "disabled"
		if flag(in, "enabled", false) {
			state = "enabled"
		}
		return fmt.Sprintf("Backup service %s by %s", state, admin)
	case "nfc_enabled":
		return "NFC enabled"
	case "nfc_disabled":
		return "NFC disabled"
	}
	return tag + ": " + intrusionText(in)
}

// flag reads a field with Python truthiness; def when absent.
func flag(m map[string]any, key string, def bool) bool {
	v, ok := m[key]
	if !ok {
		return def
	}
	return record.Truthy(v)
}

// textOr formats a field as Python's str() would; def when absent.
func textOr(m map[string]any, key, def string) string {
	v, ok := m[key]
	if !ok {
		return def
	}
	return intrusionText(v)
}

// intrusionText formats a JSON value as Python's str() does (objects and
// lists with repr'd members, keys in name order).
func intrusionText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`, "\n", `\n`).Replace(x) + "'"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEIN") {
			s += ".0"
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, pyRepr(k)+": "+pyRepr(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

package android

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Events as Android 16 writes them; the DNS event is repeated in a second
// file (overlapping daily files) and must be read once.
const (
	dnsLine     = `{"dns_event":{"event_time":1735689600000,"hostname":"evil.example.org","ip_addresses":["/198.51.100.1","/0.0.0.0"],"package_name":"com.example.app","total_resolved_address_count":2}}`
	connectLine = `{"connect_event":{"event_time":1735689601500,"ip_address":"host.example/203.0.113.9","port":443,"package_name":"com.example.app"}}`
	loopLine    = `{"connect_event":{"event_time":1735689602000,"ip_address":"ip6-localhost/::1","port":80,"package_name":"android"}}`
)

func intrusionSource(t *testing.T) evidence.Source {
	t.Helper()
	security := []string{
		`{"security_event":{"event_id":191,"event_time":1735689600123456789,"keyguard_dismiss_auth_attempt":{"success":true,"method_strength":1}}}`,
		`{"security_event":{"event_id":192,"event_time":1735689601000000000,"keyguard_dismissed":{}}}`,
		`{"security_event":{"event_time":1735689602000000000,"app_process_start":{"process":"com.google.android.webview:sandboxed_process0:com.bad.spy:0","uid":10123,"pid":4242,"start_time":1,"seinfo":"default","apk_hash":"ab"}}}`,
		`{"security_event":{"event_time":1735689603000000000,"cert_authority_installed":{"success":1,"subject":"CN=Evil CA","user_id":0}}}`,
		`{"security_event":{"event_time":1735689604000000000,"cert_authority_installed":{"success":false,"subject":"CN=Failed"}}}`,
		`{"security_event":{"event_time":1735689605000000000,"cert_validation_failure":"Certificate path validation failed"}}`,
		`{"security_event":{"event_time":1735689606000000000,"key_integrity_violation":{"key_id":"k1","uid":1000}}}`,
		`{"security_event":{"event_time":1735689607000000000,"wipe_failure":{}}}`,
		`{"security_event":{"event_time":1735689608000000000,"crypto_self_test_completed":0}}`,
		`{"security_event":{"event_time":1735689609000000000,"crypto_self_test_completed":{"success":true}}}`,
		`{"security_event":{"event_time":1735689610000000000,"key_generated":{"success":false,"key_id":"PinStorage_crossReboot_key","uid":1001}}}`,
		`{"security_event":{"event_time":1735689611000000000,"package_installed":{"package_name":"com.bad.installed","version_code":12,"user_id":0}}}`,
		`{"security_event":{"event_time":1735689612000000000,"adb_shell_cmd":{"command":"pm grant com.bad.shell"}}}`,
		`{"security_event":{"event_time":1735689613000000000,"adb_sync_send_file":{"path":"/data/local/tmp/implant"}}}`,
		`{"security_event":{"event_time":1735689614000000000,"future_google_event":{"field":"value"}}}`,
		`{"future_event":{"event_time":1735689615000,"x":1}}`,
		`not json at all`,
		`[1,2]`,
		``,
	}
	return testkit.NewSource(t, evidence.IntrusionLogs, map[string][]byte{
		"2025-01-01/network.txt":  []byte(dnsLine + "\n" + connectLine + "\r\n" + loopLine + "\n"),
		"2025-01-02/network.json": []byte(dnsLine + "\n"),
		"security.txt":            []byte(strings.Join(security, "\n")),
		"README.md":               []byte(dnsLine),
	})
}

func TestDnsEvent(t *testing.T) {
	m := DnsEvent{}
	recs, err := testkit.Extract(t, m, intrusionSource(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("R = %d, want 1 (duplicate dropped)", len(recs))
	}
	r := recs[0]
	if r.String("timestamp") != "2025-01-01 00:00:00.000000" {
		t.Errorf("timestamp = %q", r.String("timestamp"))
	}
	want := []record.Observable{
		{Kind: record.URL, Value: "evil.example.org", Field: "hostname", Severity: record.Critical},
		{Kind: record.URL, Value: "198.51.100.1", Field: "ip_addresses", Severity: record.Critical},
		{Kind: record.AppID, Value: "com.example.app", Field: "package_name", Severity: record.Critical},
	}
	if diff := cmp.Diff(want, m.Observables(r)); diff != "" {
		t.Error(diff)
	}
	ev := m.Timeline(r)
	if len(ev) != 1 || ev[0].Event != "dns_query" || ev[0].Data != "DNS query for evil.example.org by com.example.app [IPs: 198.51.100.1]" {
		t.Errorf("timeline = %v", ev)
	}
}

func TestConnectEvent(t *testing.T) {
	m := ConnectEvent{}
	recs, err := testkit.Extract(t, m, intrusionSource(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("R = %d", len(recs))
	}
	if recs[0].String("timestamp") != "2025-01-01 00:00:01.500000" {
		t.Errorf("timestamp = %q", recs[0].String("timestamp"))
	}
	obs := m.Observables(recs[0])
	if len(obs) != 2 || obs[0].Value != "203.0.113.9" || obs[1].Kind != record.AppID {
		t.Errorf("observables = %v", obs)
	}
	if obs := m.Observables(recs[1]); len(obs) != 1 || obs[0].Kind != record.AppID {
		t.Errorf("loopback observables = %v", obs)
	}
	ev := m.Timeline(recs[0])
	if len(ev) != 1 || ev[0].Event != "network_connection" || ev[0].Data != "Connection to 203.0.113.9:443 by com.example.app" {
		t.Errorf("timeline = %v", ev)
	}
}

func securityRecords(t *testing.T) map[string]record.Record {
	t.Helper()
	recs, err := testkit.Extract(t, SecurityEvent{}, intrusionSource(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 15 {
		t.Fatalf("R = %d, want 15", len(recs))
	}
	out := map[string]record.Record{}
	for _, r := range recs {
		tag := securityTag(r.Data)
		if _, dup := out[tag]; !dup {
			out[tag] = r
		}
	}
	return out
}

func TestSecurityEventTimeline(t *testing.T) {
	recs := securityRecords(t)
	cases := map[string]string{
		"keyguard_dismiss_auth_attempt": "Auth attempt: Success (method strength: 1)",
		"keyguard_dismissed":            "Keyguard dismissed",
		"app_process_start":             "Process started: com.google.android.webview:sandboxed_process0:com.bad.spy:0 (UID: 10123, PID: 4242)",
		"key_generated":                 "Key generation failed: PinStorage_crossReboot_key (UID: 1001)",
		"package_installed":             "Package Installed: com.bad.installed (v12, user: 0)",
		"future_google_event":           "future_google_event: {'field': 'value'}",
		"crypto_self_test_completed":    "Crypto self test: FAILED",
		"cert_validation_failure":       "Certificate validation failure: Certificate path validation failed",
	}
	for tag, want := range cases {
		ev := SecurityEvent{}.Timeline(recs[tag])
		if len(ev) != 1 || ev[0].Event != tag || ev[0].Data != want {
			t.Errorf("%s: timeline = %v, want %q", tag, ev, want)
		}
	}
	if got := recs["keyguard_dismiss_auth_attempt"].String("timestamp"); got != "2025-01-01 00:00:00.123457" {
		t.Errorf("ns timestamp = %q", got)
	}
	if id, _ := recs["keyguard_dismissed"].Number("event_id"); id != 192 {
		t.Errorf("event_id = %v", id)
	}
}

func TestSecurityEventHeuristics(t *testing.T) {
	recs, err := testkit.Extract(t, SecurityEvent{}, intrusionSource(t))
	if err != nil {
		t.Fatal(err)
	}
	ins := SecurityEvent{}.NewInspector()
	var got []string
	for _, r := range recs {
		ins.Inspect(r, func(f record.Finding) {
			if f.Severity != record.Medium || f.EventTime != r.String("timestamp") {
				t.Errorf("finding %v", f)
			}
			got = append(got, f.Message)
		})
	}
	ins.Finish(func(f record.Finding) { t.Errorf("finish raised %v", f) })
	want := []string{
		"Certificate authority installed: CN=Evil CA",
		"Certificate validation failure detected: Certificate path validation failed",
		"Key integrity violation detected: {'key_id': 'k1', 'uid': 1000}",
		"Device wipe failure detected",
		"Cryptographic self test failed",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestSecurityEventObservables(t *testing.T) {
	recs := securityRecords(t)
	values := func(tag string) []string {
		var out []string
		for _, o := range (SecurityEvent{}).Observables(recs[tag]) {
			out = append(out, string(o.Kind)+":"+o.Value)
		}
		return out
	}
	cases := map[string][]string{
		"app_process_start":   {"app_id:com.google.android.webview:sandboxed_process0:com.bad.spy:0", "app_id:sandboxed_process0", "app_id:com.bad.spy", "app_id:0"},
		"package_installed":   {"app_id:com.bad.installed"},
		"adb_shell_cmd":       {"app_id:pm grant com.bad.shell"},
		"adb_sync_send_file":  {"file_path:/data/local/tmp/implant"},
		"keyguard_dismissed":  nil,
		"future_google_event": nil,
	}
	for tag, want := range cases {
		if diff := cmp.Diff(want, values(tag)); diff != "" {
			t.Errorf("%s: %s", tag, diff)
		}
	}
}

func TestIntrusionLogReport(t *testing.T) {
	rep, err := ReadIntrusionLogReport(context.Background(), intrusionSource(t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 3 || rep.Duplicates != 1 || rep.BadLines != 2 || rep.Events != 19 {
		t.Errorf("report = %+v", rep)
	}
	if diff := cmp.Diff(map[string]int{"future_event": 1}, rep.UnknownTypes); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff(map[string]int{"future_google_event": 1}, rep.UnknownSecurityTags); diff != "" {
		t.Error(diff)
	}
	w := rep.Warnings()
	if len(w) != 3 || !strings.Contains(w[0], "Found unknown intrusion logging event type(s): future_event") || !strings.Contains(w[0], "Please open an issue on GitHub") ||
		!strings.Contains(w[1], "security event type(s): future_google_event") {
		t.Errorf("warnings = %q", w)
	}
}

func TestIntrusionLogsTimeZone(t *testing.T) {
	src := testkit.NewSource(t, evidence.IntrusionLogs, map[string][]byte{
		"getprop.txt":  []byte("[persist.sys.timezone]: [Europe/Paris]\n"),
		"logs/net.txt": []byte(dnsLine + "\n"),
	})
	recs, err := testkit.Extract(t, DnsEvent{}, src)
	if err != nil || len(recs) != 1 {
		t.Fatalf("recs %v, err %v", recs, err)
	}
	if got := recs[0].String("timestamp"); got != "2025-01-01 01:00:00.000000" {
		t.Errorf("timestamp = %q", got)
	}
}

func TestIntrusionLogsAbsentAndCorrupt(t *testing.T) {
	src := testkit.NewSource(t, evidence.IntrusionLogs, map[string][]byte{"x.log": []byte("x")})
	for _, m := range []module.Module{DnsEvent{}, ConnectEvent{}, SecurityEvent{}} {
		if _, err := testkit.Extract(t, m, src); !errors.Is(err, evidence.ErrNotFound) {
			t.Errorf("%s: err = %v", m.Info().Name, err)
		}
	}
	garbage := testkit.NewSource(t, evidence.IntrusionLogs, map[string][]byte{"a.txt": []byte("\x00\xff{{{\n}\n{\"dns_event\": 5}\n")})
	recs, err := testkit.Extract(t, DnsEvent{}, garbage)
	if err != nil || len(recs) != 0 {
		t.Errorf("garbage: %v, %v", recs, err)
	}
}

func FuzzIntrusionLine(f *testing.F) {
	f.Add([]byte(dnsLine))
	f.Add([]byte(`{"security_event":{"event_time":1,"cert_authority_installed":{"subject":["x",1.5,null]}}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		decodeIntrusionLine(line, func(typ string, ev map[string]any) {
			r := record.Record{Data: ev}
			SecurityEvent{}.Timeline(r)
			SecurityEvent{}.Observables(r)
			SecurityEvent{}.NewInspector().Inspect(r, func(record.Finding) {})
			DnsEvent{}.Timeline(r)
			ConnectEvent{}.Timeline(r)
		})
	})
}

package android

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestDumpsysADBStateSamples(t *testing.T) {
	for _, file := range []string{"dumpsys_adb.txt", "dumpsys_adb_wifi.txt"} {
		recs := extractOK(t, DumpsysADBState{}, mvtSample(t, file, ""))
		if len(recs) != 1 {
			t.Fatalf("%s: %d records", file, len(recs))
		}
		keys, _ := recs[0].Data["user_keys"].([]any)
		k, _ := keys[0].(map[string]any)
		if len(keys) != 1 || k["fingerprint"] != "F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6" || k["user"] != "user@linux" {
			t.Errorf("%s: user_keys = %+v", file, keys)
		}
		ks, _ := recs[0].Data["keystore"].(string)
		if !strings.HasPrefix(ks, "ABX") || strings.Contains(ks, "adb_wifi") {
			t.Errorf("%s: keystore = %q", file, ks)
		}
		if f := aqfFindings(DumpsysADBState{}, recs); len(f) != 0 {
			t.Errorf("%s: no acquisition context, findings %+v", file, f)
		}
	}
	recs := extractOK(t, DumpsysADBState{}, mvtSample(t, "dumpsys_adb_xml.txt", ""))
	keys, _ := recs[0].Data["user_keys"].([]any)
	store, _ := recs[0].Data["keystore"].([]any)
	if len(keys) != 1 || len(store) != 1 {
		t.Fatalf("xml: %+v", recs[0].Data)
	}
	want := map[string]any{"user": "user@laptop", "fingerprint": "F0:0B:27:08:E3:68:7B:FA:4C:79:A2:B4:BF:0E:CF:70", "last_connected": "1628501829898"}
	got := store[0].(map[string]any)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("xml keystore %s = %v, want %v", k, got[k], v)
		}
	}
}

func TestParseIndentedDump(t *testing.T) {
	got := plainADB(parseIndentedDump([]byte("debugging_manager={\n  keystore=ABX\x00\x0bkeyStore\x00\x02\x11\n  connected_to_adb=true\n" +
		"  adb_wifi={\n    enabled=false\n    tls_port=0\n  }\n")))
	want := map[string]any{"debugging_manager": map[string]any{"keystore": []any{"ABX\x00\x0bkeyStore\x00\x02\x11"},
		"connected_to_adb": "true", "adb_wifi": map[string]any{"enabled": "false", "tls_port": "0"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("structural line (-want +got):\n%s", diff)
	}
	got = plainADB(parseIndentedDump([]byte("debugging_manager={\n  keystore=ABX\x00\x0b\n}\nother={\n  value=true\n}\n")))
	want = map[string]any{"debugging_manager": map[string]any{"keystore": []any{"ABX\x00\x0b"}}, "other": map[string]any{"value": "true"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("closing brace (-want +got):\n%s", diff)
	}
}

// adbRecord is a dumpsys_adb_state record with the given keys and context.
func adbRecord(acq map[string]any, keystore, userKeys []any) record.Record {
	d := map[string]any{"user_keys": userKeys, "keystore": keystore}
	if acq != nil {
		d["androidqf_acquisition"] = acq
	}
	return record.Record{Module: "dumpsys_adb_state", Data: d}
}

func TestDumpsysADBStateAlerts(t *testing.T) {
	key := func(k, user string, last any) map[string]any {
		m := map[string]any{"key": k, "user": user, "fingerprint": "fp-" + user}
		if last != nil {
			m["last_connected"] = last
		}
		return m
	}
	acq := map[string]any{"started": "2025-06-20T18:00:00Z", "adb_host_public_key": "QUJDRA== acquisition@host"}
	r := adbRecord(acq, []any{key("QUJDRA==", "acquisition@host", "1750266000000")},
		[]any{key("QUJDRA==", "acquisition@host", nil), key("RUZHSA==", "other@host", nil), key("not-base64", "bad@host", nil)})
	f := aqfFindings(DumpsysADBState{}, []record.Record{r})
	if len(f) != 3 {
		t.Fatalf("findings = %+v", f)
	}
	levels := []record.Severity{f[0].Severity, f[1].Severity, f[2].Severity}
	if !cmp.Equal(levels, []record.Severity{record.Info, record.Low, record.Low}) ||
		!strings.Contains(f[0].Message, "at least one day before") || f[0].EventTime != "2025-06-18 17:00:00.000000" ||
		!strings.Contains(f[1].Message, "different from the AndroidQF acquisition host") ||
		!strings.Contains(f[2].Message, "invalid trusted ADB host key") {
		t.Errorf("findings = %+v", f)
	}
	if f[0].Event["user"] != "acquisition@host" {
		t.Errorf("event is the key: %+v", f[0].Event)
	}
	noHost := aqfFindings(DumpsysADBState{}, []record.Record{adbRecord(map[string]any{}, nil, []any{key("QUJDRA==", "u", nil)})})
	if len(noHost) != 1 || noHost[0].Severity != record.Low || !strings.Contains(noHost[0].Message, "does not include its host key") {
		t.Errorf("no host key: %+v", noHost)
	}
	recent := adbRecord(acq, []any{key("QUJDRA==", "acquisition@host", "1750438800000")}, nil)
	if f := aqfFindings(DumpsysADBState{}, []record.Record{recent}); len(f) != 0 {
		t.Errorf("recent key: %+v", f)
	}
}

func TestDumpsysADBStateAcquisitionContext(t *testing.T) {
	adb := section("adb", "ADB MANAGER STATE (dumpsys adb):\n{\n  debugging_manager={\n    connected_to_adb=true\n"+
		"    user_keys=QUJDRA== host@example\n\n  }\n}\n")
	src := testkit.NewSource(t, evidence.AndroidQF, map[string][]byte{"dumpsys.txt": []byte(adb),
		"acquisition.json": []byte(`{"started": "2025-06-20T18:00:00Z"}`), "adb_host_key.pub": []byte("QUJDRA== host@example\n")})
	recs := extractOK(t, DumpsysADBState{}, src)
	if len(recs) != 1 {
		t.Fatalf("records = %+v", recs)
	}
	acq, _ := recs[0].Data["androidqf_acquisition"].(map[string]any)
	if acq["started"] != "2025-06-20T18:00:00Z" || acq["adb_host_public_key"] != "QUJDRA== host@example\n" {
		t.Errorf("context = %+v", acq)
	}
	if f := aqfFindings(DumpsysADBState{}, recs); len(f) != 0 {
		t.Errorf("the acquisition host's own key: findings %+v", f)
	}
	// A bug report source carries no context.
	br := extractOK(t, DumpsysADBState{}, dumpstateSource(t, adb))
	if _, ok := br[0].Data["androidqf_acquisition"]; ok {
		t.Errorf("bug report record has a context: %+v", br[0].Data)
	}
}

func TestLenientBase64(t *testing.T) {
	for in, ok := range map[string]bool{"QUJDRA==": true, "QUJD RA==": true, "QUJDRA": false, "QUJDR": false, "QUJDRA==junk": true, "": true} {
		if _, err := lenientBase64([]byte(in)); (err == nil) != ok {
			t.Errorf("%q: err %v", in, err)
		}
	}
}

func FuzzParseADBState(f *testing.F) {
	f.Add([]byte("x\n{\n  debugging_manager={\n    user_keys=QUJDRA== a@b\n\n    keystore=<?xml version='1.0'?>\n<keyStore><adbKey key=\"QUJDRA== a@b\" lastConnection=\"1\" /></keyStore>\n  }\n}\n"))
	f.Add([]byte("\n{\n}\n{=\n  }\n\x00=\x01{\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := parseADBState(data)
		if d != nil {
			aqfFindings(DumpsysADBState{}, []record.Record{{Data: d}})
		}
	})
}

package android

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spycheck/spycheck/android/ab"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func zlibJSON(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}

func TestSMSBackup(t *testing.T) {
	sms := []map[string]any{
		{"address": "+15550001", "body": "see https://evil.example.org/x now", "date": "1645543781956", "date_sent": "0", "type": "1"},
		{"address": "+15550002", "body": "no link here", "date": "1645543782000", "date_sent": "1645543781000", "type": "2"},
		{"address": "+15550003", "body": "  ", "date": 1645543783000, "date_sent": 0},
	}
	mms := []map[string]any{
		{"mms_body": "MMS http://a.example and HTTPS://b.example/p", "date": "1579531789", "date_sent": "1579531786"},
	}
	src := testkit.NewSource(t, evidence.AndroidBackup, map[string][]byte{
		smsBackupDir + "000000_sms_backup":  zlibJSON(t, sms),
		smsBackupDir + "000001_mms_backup":  zlibJSON(t, mms),
		smsBackupDir + "000000_call_backup": []byte("ignored"),
	})
	m := SMSBackup{}
	recs, err := testkit.Extract(t, m, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("got %d records", len(recs))
	}
	first := recs[0].Data
	if first["isodate"] != "2022-02-22 15:29:41.956000" || first["direction"] != "received" || first["address"] != "+15550001" {
		t.Errorf("first = %v", first)
	}
	if diff := cmp.Diff([]string{"https://evil.example.org/x"}, recs[0].Strings("links")); diff != "" {
		t.Error(diff)
	}
	if _, ok := recs[1].Data["links"]; ok || recs[1].Data["direction"] != "sent" {
		t.Errorf("second = %v", recs[1].Data)
	}
	if v, ok := recs[2].Data["links"]; !ok || v != nil {
		t.Errorf("empty body: links = %v, %v", v, ok)
	}
	mmsRec := recs[3].Data
	if _, ok := mmsRec["mms_body"]; ok || !strings.HasPrefix(mmsRec["body"].(string), "MMS") {
		t.Errorf("mms = %v", mmsRec)
	}
	if mmsRec["isodate"] != "1970-01-19 06:45:31.789000" || mmsRec["direction"] != "sent" {
		t.Errorf("mms time/direction = %v %v", mmsRec["isodate"], mmsRec["direction"])
	}
	obs := m.Observables(recs[3])
	if len(obs) != 2 || obs[0].Kind != record.URL || obs[1].Value != "HTTPS://b.example/p" || obs[0].Severity != record.Critical {
		t.Errorf("observables = %v", obs)
	}
	if m.Observables(recs[1]) != nil || m.Timeline(recs[0]) != nil {
		t.Error("unexpected observables or timeline")
	}
}

func TestSMSBackupAbsent(t *testing.T) {
	src := testkit.NewSource(t, evidence.AndroidBackup, map[string][]byte{"apps/x/_manifest": []byte("x")})
	if _, err := testkit.Extract(t, SMSBackup{}, src); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestSMSBackupCorrupt(t *testing.T) {
	good := zlibJSON(t, []map[string]any{{"body": "hi", "date": "1", "date_sent": "0"}})
	for name, data := range map[string][]byte{
		"garbage":   []byte("not zlib at all"),
		"truncated": good[:len(good)-6],
		"not json":  zlibJSON(t, "just a string")[:0],
		"not list":  zlibJSON(t, map[string]any{"a": 1}),
		"bad items": zlibJSON(t, []any{1, 2}),
	} {
		t.Run(name, func(t *testing.T) {
			if len(data) == 0 {
				var buf bytes.Buffer
				zw := zlib.NewWriter(&buf)
				zw.Write([]byte("[{"))
				zw.Close()
				data = buf.Bytes()
			}
			file := smsBackupDir + "000000_sms_backup"
			src := testkit.NewSource(t, evidence.AndroidBackup, map[string][]byte{
				file:                               data,
				smsBackupDir + "000001_mms_backup": good,
			})
			recs, err := testkit.Extract(t, SMSBackup{}, src)
			if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), file) {
				t.Errorf("err = %v", err)
			}
			if len(recs) == 0 || recs[len(recs)-1].String("body") != "hi" {
				t.Errorf("the good file was not read: %v", recs)
			}
		})
	}
}

// MVT's test backups (test_backup_module): the folder and backup.ab give 2
// messages, backup2.ab (password 123456) and backup3.ab one; no timeline.
// SMS files come before MMS files, so the first message is the SMS (MVT's
// parser test, which walks the tar in member order, sees the MMS first).
func TestSMSBackupConformance(t *testing.T) {
	dir := testkit.SharedTestdata(t, "mvt", "android_backup")
	keepUnchanged(t, dir)
	cases := []struct {
		path, password string
		count          int
		firstLinks     []string
	}{
		{dir, "", 2, []string{"https://google.com/"}},
		{filepath.Join(dir, "backup.ab"), "", 2, []string{"https://google.com/"}},
		{filepath.Join(dir, "backup2.ab"), "123456", 1, []string{"https://google.com/"}},
		{filepath.Join(dir, "backup3.ab"), "", 1, []string{"https://google.com/"}},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			src, err := ab.Open(c.path, c.password)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			recs, err := testkit.Extract(t, SMSBackup{}, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != c.count {
				t.Fatalf("R = %d, want %d", len(recs), c.count)
			}
			if diff := cmp.Diff(c.firstLinks, recs[0].Strings("links")); diff != "" {
				t.Error(diff)
			}
			for _, r := range recs {
				if len(SMSBackup{}.Timeline(r)) != 0 {
					t.Error("timeline events")
				}
			}
		})
	}
}

func FuzzSMSBackupRecord(f *testing.F) {
	f.Add([]byte(`[{"body":"x https://a.b/c","date":"1645543781956","date_sent":"0"}]`))
	f.Add([]byte(`[{"mms_body":"","date":12,"date_sent":"x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeSMSList(bytes.NewReader(data), func(m map[string]any) { smsBackupRecord(m) })
	})
}

package android

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestAQFPackagesHeuristics(t *testing.T) {
	tests := []struct {
		name, pkg string
		want      []string // "LEVEL message"
	}{
		{"root package judged on nothing else", `{"name":"com.topjohnwu.magisk","installer":"com.android.packageinstaller","system":false,"disabled":true}`,
			[]string{`MEDIUM Found an installed package related to rooting/jailbreaking: "com.topjohnwu.magisk"`}},
		{"third-party store", `{"name":"a.b","installer":"com.aurora.store","system":false}`,
			[]string{`INFORMATIONAL Found a package installed via a third party store (installer="com.aurora.store"): "a.b"`}},
		{"browser", `{"name":"a.b","installer":"com.android.packageinstaller","system":true}`,
			[]string{`MEDIUM Found a package installed via a browser (installer="com.android.packageinstaller"): "a.b"`}},
		{"adb", `{"name":"a.b","installer":"null","system":false}`,
			[]string{`MEDIUM Found a non-system package installed via adb or another method: "a.b"`}},
		{"null installer on a system package", `{"name":"a.b","installer":"null","system":true}`, nil},
		{"null installer, system unknown", `{"name":"a.b","installer":"null"}`, nil},
		{"play store", `{"name":"a.b","installer":"com.android.vending","system":false}`, nil},
		{"security package disabled", `{"name":"com.policydm","installer":"com.android.vending","disabled":true}`,
			[]string{`MEDIUM Security package "com.policydm" disabled on the phone`}},
		{"OTA package disabled", `{"name":"com.google.android.gms","installer":"null","system":true,"disabled":true}`,
			[]string{`MEDIUM System OTA update package "com.google.android.gms" disabled on the phone`}},
		{"OTA package enabled", `{"name":"com.google.android.gms","installer":"null","system":true,"disabled":false}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs := aqfExtract(t, AQFPackages{}, map[string]string{"packages.json": "[" + tc.pkg + "]"})
			var got []string
			for _, f := range aqfFindings(AQFPackages{}, recs) {
				got = append(got, f.Severity.String()+" "+f.Message)
				if f.Module != "aqf_packages" || f.Event["name"] != recs[0].Data["name"] {
					t.Errorf("finding %+v", f)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAQFPackagesObservables(t *testing.T) {
	recs := aqfExtract(t, AQFPackages{}, map[string]string{"packages.json": `[{"name":"com.malware.muahaha","installer":"com.android.vending",
		"files":[{"path":"/data/app/x/base.apk","md5":"m","sha1":"s1","sha256":"s256","certificate":{"Md5":"cm","Sha1":"cs1","Sha256":"cs256"}}],
		"uid":10001,"disabled":false,"system":false,"third_party":true}]`})
	obs := AQFPackages{}.Observables(recs[0])
	want := []string{"app_id:com.malware.muahaha", "file_hash:s256", "file_hash:s1", "file_hash:m", "cert_hash:cm", "cert_hash:cs1", "cert_hash:cs256"}
	var got []string
	for _, o := range obs {
		got = append(got, string(o.Kind)+":"+o.Value)
		if o.Severity != record.Critical {
			t.Errorf("%v severity %v", o, o.Severity)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("observables %v, want %v", got, want)
	}
	if uid, _ := recs[0].Number("uid"); uid != 10001 {
		t.Errorf("uid %v", recs[0].Data["uid"])
	}
}

func TestAQFPackagesHashesPulledAPKs(t *testing.T) {
	apk1, apk2, single := "first apk", "split apk", "only apk"
	recs := aqfExtract(t, AQFPackages{}, map[string]string{
		"packages.json": `[
			{"name":"com.a","files":[{"path":"/data/app/~~x==/com.a-y==/base.apk","sha256":""},{"path":"/data/app/~~x==/com.a-y==/split.apk","sha256":""}]},
			{"name":"com.b","files":[{"path":"/system/app/B/B.apk","sha256":"given"}]},
			{"name":"com.c","files":[{"path":"/odd/path/c.apk","sha256":""}]},
			{"name":"com.d","files":[{"path":"/data/app/d.apk","sha256":""}]}]`,
		"apks/com.a_com.a-y.apk":   apk1,
		"apks/com.a_com.a-y_1.apk": apk2,
		"apks/com.b.apk":           "not read",
		"apks/com.c_other.apk":     single,
	})
	files := func(i int) []any { return recs[i].Data["files"].([]any) }
	check := func(f any, content, local string) {
		t.Helper()
		m := f.(map[string]any)
		if want := sum(content); content != "" && m["sha256"] != want || content == "" && m["sha256"] != "" {
			t.Errorf("sha256 %v, want hash of %q", m["sha256"], content)
		}
		if local != "" && m["local_name"] != local {
			t.Errorf("local_name %v, want %s", m["local_name"], local)
		}
	}
	check(files(0)[0], apk1, "apks/com.a_com.a-y.apk")
	check(files(0)[1], apk2, "apks/com.a_com.a-y_1.apk")
	if files(1)[0].(map[string]any)["sha256"] != "given" {
		t.Errorf("a given hash was replaced: %v", files(1)[0])
	}
	check(files(2)[0], single, "apks/com.c_other.apk")
	check(files(3)[0], "", "")
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestAQFPackagesCorrupt(t *testing.T) {
	for _, content := range []string{"\x00\x01garbage", `[{"name":"a"}, 3]`, `[{"name":"a"`} {
		src := aqfSource(t, map[string]string{"packages.json": content})
		_, err := testkit.Extract(t, AQFPackages{}, src)
		if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "packages.json") {
			t.Errorf("%q: error %v", content, err)
		}
	}
	if _, err := testkit.Extract(t, AQFPackages{}, aqfSource(t, nil)); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

func FuzzDecodeJSONItems(f *testing.F) {
	f.Add([]byte(`[{"a":1,"b":[1.5,"x",null,true]}]`))
	f.Add([]byte("{\"a\":1}\n{\"a\":2}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = decodeJSONItems(strings.NewReader(string(data)), func(any) error { return nil })
	})
}

package android

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/record"
)

const logcatSample = `--------- beginning of main
01-15 10:22:33.456  1234  5678 I ActivityManager: Start proc 4321:com.evil.spy:remote/u0a99 for service {com.evil.spy/.Svc}
01-15 10:22:34.000  4321  4321 D SpyNet  : GET https://c2.example.net/beacon?id=1, then http://203.0.113.9:8080/x.
01-15 10:22:35.000  4321  4330 W SpyNet: resolving host=Update.Example.ORG failed; see HTTPS://c2.example.net/beacon?id=1
01-15 10:22:36.000   800   800 E chatty: uid=1000 system_server expire 3 lines
not a threadtime line with ftp://files.example.com/a
`

func TestLogcat(t *testing.T) {
	recs := aqfExtract(t, Logcat{}, map[string]string{"logcat.txt": logcatSample, "logcat_old.txt": "01-14 09:00:00.000  1 1 I init: ok\n"})
	byType := map[string][]record.Record{}
	for _, r := range recs {
		byType[r.String("type")] = append(byType[r.String("type")], r)
	}
	if n := len(byType["url"]); n != 3 {
		t.Fatalf("%d url records: %v", n, byType["url"])
	}
	if diff := cmp.Diff([]string{"https://c2.example.net/beacon?id=1", "http://203.0.113.9:8080/x"}, byType["url"][0].Strings("urls")); diff != "" {
		t.Errorf("urls (-want +got):\n%s", diff)
	}
	u := byType["url"][0]
	if u.String("tag") != "SpyNet" || u.String("pid") != "4321" || u.String("timestamp") != "01-15 10:22:34.000" || u.String("file") != "logcat.txt" {
		t.Errorf("url record %v", u.Data)
	}
	if diff := cmp.Diff([]string{"HTTPS://c2.example.net/beacon?id=1", "update.example.org"}, byType["url"][1].Strings("urls")); diff != "" {
		t.Errorf("host urls (-want +got):\n%s", diff)
	}
	if got := byType["url"][2].Strings("urls"); len(got) != 1 || got[0] != "ftp://files.example.com/a" || byType["url"][2].String("tag") != "" {
		t.Errorf("untagged line: %v", byType["url"][2].Data)
	}
	ps := byType["process_start"]
	if len(ps) != 1 || ps[0].String("process") != "com.evil.spy:remote" || ps[0].String("process_pid") != "4321" {
		t.Fatalf("process records %v", ps)
	}
	obs := Logcat{}.Observables(ps[0])
	if !hasObservable(obs, record.Process, "com.evil.spy:remote") || !hasObservable(obs, record.AppID, "com.evil.spy") {
		t.Errorf("observables %v", obs)
	}
	var tags []string
	for _, r := range byType["tag"] {
		tags = append(tags, r.String("file")+":"+r.String("tag"))
	}
	if want := "logcat.txt:ActivityManager logcat.txt:SpyNet logcat.txt:chatty logcat_old.txt:init"; strings.Join(tags, " ") != want {
		t.Errorf("tags %v", tags)
	}
	spy := byType["tag"][1]
	if n, _ := spy.Number("count"); n != 2 || strings.Join(spy.Strings("pids"), ",") != "4321" || spy.String("timestamp") != "01-15 10:22:34.000" {
		t.Errorf("tag record %v", spy.Data)
	}
	if obs := (Logcat{}).Observables(spy); len(obs) != 1 || obs[0].Severity != record.Medium || obs[0].Value != "SpyNet" {
		t.Errorf("tag observables %v", obs)
	}
	if obs := (Logcat{}).Observables(u); len(obs) != 2 || obs[0].Kind != record.URL {
		t.Errorf("url observables %v", obs)
	}
}

func TestLogcatLongLine(t *testing.T) {
	long := "01-15 10:22:34.000  1  1 I T: " + strings.Repeat("a", 3<<20) + " https://late.example.com/\n01-15 10:22:34.000  1  1 I T: https://next.example.com/\n"
	recs := aqfExtract(t, Logcat{}, map[string]string{"logcat.txt": long})
	var urls []string
	for _, r := range recs {
		urls = append(urls, r.Strings("urls")...)
	}
	if strings.Join(urls, " ") != "https://next.example.com/" {
		t.Errorf("urls %v (a cut line loses its tail)", urls)
	}
}

func FuzzParseLogcatLine(f *testing.F) {
	f.Add([]byte("01-15 10:22:34.000  4321  4321 D SpyNet  : GET https://c2.example.net/ host=a.b"))
	f.Fuzz(func(t *testing.T, line []byte) {
		_ = parseLogcatLine(line)
		for _, u := range logcatLinks(line) {
			if u == "" {
				t.Fatal("empty link")
			}
		}
	})
}

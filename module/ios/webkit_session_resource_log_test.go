package ios

import (
	"strings"
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func sessionLogPlist(t *testing.T) []byte {
	return testkit.Plist(t, map[string]any{"browsingStatistics": []any{
		map[string]any{
			"PrevalentResourceOrigin":         "tracker.example.net",
			"topFrameUniqueRedirectsFrom":     []any{map[string]any{"origin": "news.example.org"}},
			"topFrameUniqueRedirectsTo":       []any{map[string]any{"domain": "evil.example.com"}, map[string]any{"origin": "tracker.example.net"}},
			"subresourceUnderTopFrameOrigins": []any{},
			"hadUserInteraction":              false,
			"lastSeen":                        time.Date(2021, 7, 18, 0, 0, 0, 0, time.UTC),
		},
		"not a dictionary",
	}})
}

func TestWebkitSessionResourceLog(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("AppDomain-com.apple.mobilesafari", webkitSessionLogPath, sessionLogPlist(t))
	fs := dumpFixture(t, map[string][]byte{
		"private/var/mobile/Library/WebClips/ABC/Storage/full_browsing_session_resourceLog.plist": sessionLogPlist(t),
	})
	for _, src := range []evidence.Source{b.Open(), fs} {
		recs, err := testkit.Extract(t, WebkitSessionResourceLog{}, src)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 {
			t.Fatalf("got %d records", len(recs))
		}
		d := recs[0].Data
		if d["origin"] != "tracker.example.net" || d["last_seen"] != "2021-07-18 00:00:00.000000" || d["most_recent_interaction"] != nil ||
			d["subframe_under_origin"] != "" || d["user_interaction"] != false || recs[0].String("log_path") == "" {
			t.Errorf("record %v", d)
		}
		var values []string
		for _, o := range (WebkitSessionResourceLog{}).Observables(recs[0]) {
			values = append(values, o.Value)
		}
		if strings.Join(values, " ") != "tracker.example.net news.example.org evil.example.com" {
			t.Errorf("observables %v", values)
		}
		if got := matches(loadIOCs(t, map[string]string{"domains.txt": "evil.example.com\n"}), WebkitSessionResourceLog{}, viaJSON(t, recs)); len(got) != 1 || got[0].Severity != record.Critical {
			t.Errorf("matches %+v", got)
		}
	}
}

func TestWebkitSessionResourceLogCorrupt(t *testing.T) {
	fs := dumpFixture(t, map[string][]byte{
		"private/var/mobile/Library/WebClips/ABC/Storage/full_browsing_session_resourceLog.plist": []byte("bplist00\x00\x01garbage"),
	})
	if _, err := testkit.Extract(t, WebkitSessionResourceLog{}, fs); err == nil || !strings.Contains(err.Error(), "full_browsing_session_resourceLog.plist") {
		t.Errorf("error %v", err)
	}
}

func TestWebkitSessionResourceLogRedirectChain(t *testing.T) {
	r := record.Record{Module: "webkit_session_resource_log", Data: map[string]any{
		"origin": "tracker.example.net", "last_seen": "2021-07-18 00:00:00.000000",
		"redirect_source":      []any{map[string]any{"origin": "news.example.org"}},
		"redirect_destination": []any{map[string]any{"domain": "evil.example.com"}},
	}}
	got := WebkitSessionResourceLog{}.FollowMatch(r)
	want := "Found HTTP redirect between suspicious domains: SOURCE: news.example.org -> ORIGIN: tracker.example.net -> DESTINATION: evil.example.com"
	if len(got) != 1 || got[0].Severity != record.High || got[0].Message != want || got[0].EventTime != "2021-07-18 00:00:00.000000" {
		t.Errorf("FollowMatch = %+v", got)
	}
	r.Data["redirect_source"], r.Data["redirect_destination"] = "", ""
	if got := (WebkitSessionResourceLog{}).FollowMatch(r); got != nil {
		t.Errorf("no redirect, yet %+v", got)
	}
}

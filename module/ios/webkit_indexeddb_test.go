package ios

import (
	"errors"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

const webkitApp = "private/var/mobile/Containers/Data/Application/0A1B/"

func TestWebkitFolders(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		webkitApp + "Library/WebKit/WebsiteData/IndexedDB/https_www.example.org_0/IndexedDB.sqlite3":                nil,
		webkitApp + "Library/WebKit/WebsiteData/IndexedDB/v1/x":                                                     nil,
		webkitApp + "Library/WebKit/WebsiteData/LocalStorage/http_tracker.example.net_0.localstorage":               nil,
		webkitApp + "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/https_login.example.com_0/a": nil,
	})
	tests := []struct {
		m         module.Module
		folder    string
		url       string
		event     string
		eventData string
	}{
		{WebkitIndexedDB(), webkitApp + "Library/WebKit/WebsiteData/IndexedDB", "https://www.example.org", "webkit_indexeddb",
			"IndexedDB folder " + webkitApp + "Library/WebKit/WebsiteData/IndexedDB containing file for URL https://www.example.org"},
		{WebkitLocalStorage(), webkitApp + "Library/WebKit/WebsiteData/LocalStorage", "http://tracker.example.net", "webkit_local_storage",
			"WebKit Local Storage folder " + webkitApp + "Library/WebKit/WebsiteData/LocalStorage containing file for URL http://tracker.example.net"},
		{WebkitSafariViewService(), webkitApp + "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData", "https://login.example.com", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.m.Info().Name, func(t *testing.T) {
			recs, err := testkit.Extract(t, tc.m, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || recs[0].String("folder") != tc.folder || recs[0].String("url") != tc.url ||
				recs[0].String("isodate") != "2021-07-18 10:00:00.000000" {
				t.Fatalf("records %+v", recs)
			}
			ev := tc.m.Timeline(recs[0])
			if tc.event == "" && len(ev) != 0 || tc.event != "" && (len(ev) != 1 || ev[0].Event != tc.event || ev[0].Data != tc.eventData) {
				t.Errorf("timeline %+v", ev)
			}
			obs := tc.m.Observables(recs[0])
			if len(obs) != 1 || obs[0].Kind != record.URL || obs[0].Value != tc.url {
				t.Errorf("observables %+v", obs)
			}
		})
	}
	if _, err := testkit.Extract(t, WebkitIndexedDB(), dumpFixture(t, map[string][]byte{"x": nil})); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

func TestWebkitOriginURL(t *testing.T) {
	for in, want := range map[string]string{
		"https_www.example.org_0":            "https://www.example.org",
		"http_example.com_8080.localstorage": "http://example.com",
		"httpfoo":                            "httpfoo",
	} {
		if got := webkitOriginURL(in); got != want {
			t.Errorf("%s gave %s, want %s", in, got, want)
		}
	}
}

package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestWebkitResourceLoadStatisticsSchemas(t *testing.T) {
	tests := []struct {
		name, script string
		want         map[string]any
	}{
		{
			name: "both optional columns",
			script: `CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL,
					hadUserInteraction INTEGER, mostRecentUserInteractionTime REAL, mostRecentWebPushInteractionTime REAL);
				INSERT INTO ObservedDomains VALUES (1, 'example.com', 1634560250.0, 1, 1634560030.0, -1.0);`,
			want: map[string]any{"domain_id": int64(1), "registrable_domain": "example.com", "last_seen": 1634560250.0,
				"had_user_interaction": true, "last_seen_isodate": "2021-10-18 12:30:50.000000",
				"domain": "AppDomain-com.example.browser", "path": webkitObservationsPath,
				"most_recent_user_interaction_time": 1634560030.0, "most_recent_user_interaction_time_isodate": "2021-10-18 12:27:10.000000",
				"most_recent_web_push_interaction_time": -1.0},
		},
		{
			name: "required columns only",
			script: `CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL, hadUserInteraction INTEGER);
				INSERT INTO ObservedDomains VALUES (7, 'example.org', 1634560030.0, 0);`,
			want: map[string]any{"domain_id": int64(7), "registrable_domain": "example.org", "last_seen": 1634560030.0,
				"had_user_interaction": false, "last_seen_isodate": "2021-10-18 12:27:10.000000",
				"domain": "AppDomain-com.example.browser", "path": webkitObservationsPath},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := oneRecord(t, WebkitResourceLoadStatistics{}, backupWith(t, "AppDomain-com.example.browser", webkitObservationsPath, testkit.SQLite(t, tc.script)), tc.want)
			obs := WebkitResourceLoadStatistics{}.Observables(r)
			if len(obs) != 1 || obs[0].Kind != record.URL || obs[0].Value != tc.want["registrable_domain"] {
				t.Errorf("observables = %+v", obs)
			}
			ev := WebkitResourceLoadStatistics{}.Timeline(r)
			if len(ev) != 1 || ev[0].Data != "Webkit resource loaded from "+tc.want["registrable_domain"].(string)+" by app in domain AppDomain-com.example.browser" {
				t.Errorf("timeline = %+v", ev)
			}
		})
	}
}

func TestWebkitResourceLoadStatisticsFSDump(t *testing.T) {
	rel := "private/var/mobile/Containers/Data/Application/0000/" + webkitObservationsPath
	dump := testkit.NewSource(t, evidence.IOSFS, map[string][]byte{rel: testkit.SQLite(t, `CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL, hadUserInteraction INTEGER);
		INSERT INTO ObservedDomains VALUES (1, 'example.org', 1634560030.0, 0);`)})
	recs, err := testkit.Extract(t, WebkitResourceLoadStatistics{}, dump)
	if err != nil || len(recs) != 1 || recs[0].String("path") != rel || recs[0].String("domain") != "" {
		t.Fatalf("records %v, err %v", recs, err)
	}
	if ev := (WebkitResourceLoadStatistics{}).Timeline(recs[0]); len(ev) != 1 || ev[0].Data != "Webkit resource loaded from example.org" {
		t.Errorf("timeline = %+v", ev)
	}
}

func TestWebkitResourceLoadStatisticsConformance(t *testing.T) {
	recs, err := testkit.Extract(t, WebkitResourceLoadStatistics{}, sharedBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	// MVT: R=2, T=2, A=0.
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	if ev := timeline(WebkitResourceLoadStatistics{}, recs); len(ev) != 2 {
		t.Errorf("timeline has %d events, want 2", len(ev))
	}
	for _, r := range recs {
		v, _ := r.Number("most_recent_user_interaction_time")
		_, hasISO := r.Data["most_recent_user_interaction_time_isodate"]
		if _, push := r.Data["most_recent_web_push_interaction_time"]; push {
			t.Errorf("%s has a web push time", r.String("registrable_domain"))
		}
		switch r.String("registrable_domain") {
		case "google.com":
			if v <= 0 || !hasISO {
				t.Errorf("google.com = %v", r.Data)
			}
		case "gstatic.com":
			if v != -1 || hasISO {
				t.Errorf("gstatic.com = %v", r.Data)
			}
		default:
			t.Errorf("unexpected record %v", r.Data)
		}
		if r.String("domain") != "AppDomain-com.google.chrome.ios" {
			t.Errorf("domain = %q", r.String("domain"))
		}
	}
}

func TestWebkitResourceLoadStatisticsCorrupt(t *testing.T) {
	b := testkit.NewBackup(t, nil)
	b.Add("AppDomain-com.example.a", webkitObservationsPath, []byte("garbage garbage garbage garbage garbage"))
	b.Add("AppDomain-com.example.b", webkitObservationsPath, testkit.SQLite(t, `CREATE TABLE ObservedDomains (domainID INTEGER, registrableDomain TEXT);`))
	b.Add("AppDomain-com.example.c", webkitObservationsPath, testkit.SQLite(t, `CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL, hadUserInteraction INTEGER);
		INSERT INTO ObservedDomains VALUES (1, 'example.org', 1634560030.0, 0);`))
	recs, err := testkit.Extract(t, WebkitResourceLoadStatistics{}, b.Open())
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "AppDomain-com.example.a/") ||
		!strings.Contains(err.Error(), "lastSeen") {
		t.Errorf("err = %v, want both bad files named", err)
	}
	if len(recs) != 1 {
		t.Errorf("got %d records, want the good database's 1", len(recs))
	}
}

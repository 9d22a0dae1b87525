package ios

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// analyticsDB builds a keychain analytics database; rows are
// (timestamp SQL literal, plist value or nil) per table.
func analyticsDB(t *testing.T, allEvents bool, rows map[string][][2]any) []byte {
	t.Helper()
	script := "CREATE TABLE hard_failures (id INTEGER PRIMARY KEY, timestamp REAL, data BLOB);\n" +
		"CREATE TABLE soft_failures (id INTEGER PRIMARY KEY, timestamp REAL, data BLOB);\n"
	if allEvents {
		script += "CREATE TABLE all_events (id INTEGER PRIMARY KEY, timestamp REAL, data BLOB);\n"
	}
	for table, rs := range rows {
		for _, r := range rs {
			data := "NULL"
			if r[1] != nil {
				data = "X'" + hex.EncodeToString(testkit.Plist(t, r[1])) + "'"
			}
			script += fmt.Sprintf("INSERT INTO %s (timestamp, data) VALUES (%v, %s);\n", table, r[0], data)
		}
	}
	return testkit.SQLite(t, script)
}

func TestAnalytics(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/Keychains/Analytics/ckks_analytics.db": analyticsDB(t, true, map[string][][2]any{
			"hard_failures": {{"NULL", nil}, {1626566400, map[string]any{"build": "18F72", "process": "bh"}}},
			"soft_failures": {{1.0, map[string]any{"event": "valid"}}},
			"all_events":    {{1626000000, nil}, {"NULL", map[string]any{"domain": "evil.example.net"}}},
		}),
		"private/var/Keychains/Analytics/sos_analytics.db": analyticsDB(t, false, map[string][][2]any{
			"soft_failures": {{1600000000, map[string]any{"build": "17A577"}}},
		}),
	})
	recs, err := testkit.Extract(t, Analytics{}, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.String("isodate")+" "+r.String("artifact"))
	}
	want := []string{" ckks_analytics.db", "1970-01-01 00:00:01.000000 ckks_analytics.db", "2020-09-13 12:26:40.000000 sos_analytics.db",
		"2021-07-11 10:40:00.000000 ckks_analytics.db", "2021-07-18 00:00:00.000000 ckks_analytics.db"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("records %q, want %q", got, want)
	}
	ev := Analytics{}.Timeline(recs[4])
	if len(ev) != 1 || ev[0].Event != "ckks_analytics.db" ||
		ev[0].Data != "{'build': '18F72', 'process': 'bh', 'isodate': '2021-07-18 00:00:00.000000', 'artifact': 'ckks_analytics.db'}" {
		t.Errorf("timeline %+v", ev)
	}
	ix := loadIOCs(t, map[string]string{"processes.txt": "bh\n", "domains.txt": "evil.example.net\n"})
	m := matches(ix, Analytics{}, recs)
	if len(m) != 2 || m[0].Kind != record.URL || m[1].Kind != record.Process {
		t.Errorf("matches %+v", m)
	}
}

// TestAnalyticsSkipsEmptyRows is MVT's test: a (NULL, NULL) row is
// skipped, the next one read.
func TestAnalyticsSkipsEmptyRows(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/Keychains/Analytics/a.db": analyticsDB(t, false, map[string][][2]any{
			"hard_failures": {{"NULL", nil}}, "soft_failures": {{1.0, map[string]any{"event": "valid"}}},
		}),
	})
	recs, err := testkit.Extract(t, Analytics{}, src)
	if err != nil || len(recs) != 1 || recs[0].String("event") != "valid" {
		t.Errorf("records %+v, err %v", recs, err)
	}
}

func TestAnalyticsCorrupt(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/Keychains/Analytics/a.db": testkit.SQLite(t, `CREATE TABLE hard_failures (timestamp REAL, data BLOB);
			CREATE TABLE soft_failures (timestamp REAL, data BLOB);
			INSERT INTO hard_failures VALUES (1, X'00FF00');
			INSERT INTO soft_failures VALUES (2, X'`+hex.EncodeToString(testkit.Plist(t, map[string]any{"k": "v"}))+`');`),
		"private/var/Keychains/Analytics/b.db": []byte(strings.Repeat("junk", 500)),
	})
	recs, err := testkit.Extract(t, Analytics{}, src)
	if err == nil || !strings.Contains(err.Error(), "a.db") || !strings.Contains(err.Error(), "b.db") {
		t.Errorf("error %v", err)
	}
	if len(recs) != 1 || recs[0].String("k") != "v" {
		t.Errorf("records %+v", recs)
	}
}

func TestPyRepr(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"it's", `"it's"`}, {`a'b"c`, `'a\'b"c'`}, {"tab\there\x01", `'tab\there\x01'`},
		{[]any{int64(1), 2.5, true, nil}, "[1, 2.5, True, None]"}, {map[string]any{"b": "x", "a": []any{}}, "{'a': [], 'b': 'x'}"},
	} {
		if got := pyRepr(tc.v); got != tc.want {
			t.Errorf("pyRepr(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

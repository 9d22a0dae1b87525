package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// netusageRows: a daemon whose binary is in the dump, one whose binary is
// not, an app (bundle ID, never looked for), a 16-character name, and a
// live row whose process row was deleted.
const netusageRows = `
	INSERT INTO ZPROCESS VALUES (1, 600000000, 600000100, 'locationd', NULL);
	INSERT INTO ZPROCESS VALUES (2, 600000010, 600000110, 'bh', NULL);
	INSERT INTO ZPROCESS VALUES (3, 600000020, 600000120, 'MobileSafari', 'com.apple.mobilesafari');
	INSERT INTO ZPROCESS VALUES (4, 600000030, 600000130, 'abcdefghijklmnop', '');
	INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000050, 1, 2);
	INSERT INTO ZLIVEUSAGE VALUES (2, 9, 600000060, 3, 4);`

func TestNetusage(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/networkd/db/netusage.sqlite": testkit.SQLite(t, netBaseSchema+netusageRows),
		"usr/libexec/locationd":                   []byte("binary"),
	})
	recs, err := testkit.Extract(t, Netusage{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("got %d records, want 5", len(recs))
	}
	for _, rs := range [][]record.Record{recs, viaJSON(t, recs)} {
		var msgs []string
		for _, f := range inspect(Netusage{}, rs) {
			if f.Severity == record.Medium {
				msgs = append(msgs, f.Message)
			}
		}
		want := []string{
			"Could not find the binary associated with the process with name bh",
			"Could not find the binary associated with the process with name abcdefghijklmnop (However, the process name might have been truncated in the database)",
			"Found process entry with empty 'proc_name': 9 at 2020-01-06 10:41:00.000000",
		}
		if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
			t.Errorf("medium alerts:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
		}
	}
	if ev := timeline(Netusage{}, recs); len(ev) == 0 || ev[0].Module != "Netusage" {
		t.Errorf("timeline %+v", ev)
	}
}

// TestNetusageBinariesPresent: every process's binary is in the dump, so
// the heuristic stays quiet.
func TestNetusageBinariesPresent(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{
		"private/var/networkd/netusage.sqlite": testkit.SQLite(t, netBaseSchema+`
			INSERT INTO ZPROCESS VALUES (1, 600000000, 600000100, 'locationd', NULL);
			INSERT INTO ZLIVEUSAGE VALUES (1, 1, 600000050, 1, 2);`),
		"usr/libexec/locationd": []byte("binary"),
	})
	recs, err := testkit.Extract(t, Netusage{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if f := inspect(Netusage{}, recs); len(f) != 0 {
		t.Errorf("findings %+v", f)
	}
	if recs[0].Data["binary_found"] != true {
		t.Errorf("record %v", recs[0].Data)
	}
}

func TestNetusageCorrupt(t *testing.T) {
	src := dumpFixture(t, map[string][]byte{"private/var/networkd/netusage.sqlite": []byte(strings.Repeat("not sqlite", 100))})
	_, err := testkit.Extract(t, Netusage{}, src)
	if !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "netusage.sqlite") {
		t.Errorf("error %v", err)
	}
	if _, err := testkit.Extract(t, Netusage{}, dumpFixture(t, map[string][]byte{"x": nil})); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("absent: %v", err)
	}
}

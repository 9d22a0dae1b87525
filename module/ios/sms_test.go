package ios

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// typedStreamBody archives text as NSAttributedString the way sms.db's
// attributedBody holds it.
func typedStreamBody(text string) []byte {
	b := []byte("\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85" +
		"\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+")
	if n := len(text); n < 0x80 {
		b = append(b, byte(n))
	} else {
		b = append(b, 0x81, byte(n), byte(n>>8))
	}
	b = append(b, text...)
	return append(b, "\x86\x86"...)
}

// smsDB builds an sms.db with the columns the modules read.
func smsDB(t *testing.T, rows string) []byte {
	t.Helper()
	return testkit.SQLite(t, `CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT, service TEXT);
		CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, handle_id INTEGER, attributedBody BLOB,
			service TEXT, account TEXT, date INTEGER, date_read INTEGER, is_from_me INTEGER, payload_data BLOB);
		INSERT INTO handle VALUES (1, '+15555550100', 'iMessage');`+rows)
}

func smsBackup(t *testing.T, db []byte) *iosbackup.Backup {
	return backupWith(t, "HomeDomain", "Library/SMS/sms.db", db)
}

func TestSMSExtract(t *testing.T) {
	body := typedStreamBody("Hidden in the body: http://body.example.net/x")
	db := smsDB(t, `INSERT INTO message VALUES (1, 'G1', 'see https://a.example.org/p and HTTP://B.example.org', 1, NULL, 'SMS', 'acc', 588813210539788032, 588813210539900000, 0, x'00ff');
		INSERT INTO message VALUES (2, 'G2', NULL, 1, x'`+hexOf(body)+`', 'iMessage', NULL, 700000000, 0, 1, NULL);
		INSERT INTO message VALUES (3, 'G3', NULL, 2, NULL, 'SMS', NULL, 700000000, 0, 0, NULL);`)
	recs, err := testkit.Extract(t, SMS{}, smsBackup(t, db))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2 (the message without a handle is left out)", len(recs))
	}
	first := recs[0].Data
	want := map[string]any{"isodate": "2019-08-29 23:13:30.000000", "isodate_read": "2019-08-29 23:13:30.000000",
		"direction": "received", "phone_number": "+15555550100", "payload_data": "AP8=",
		"links": []string{"https://a.example.org/p", "HTTP://B.example.org"}}
	for k, v := range want {
		if diff := cmp.Diff(v, first[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	second := recs[1].Data
	if second["text"] != "Hidden in the body: http://body.example.net/x" || second["direction"] != "sent" || second["isodate_read"] != "" {
		t.Errorf("attributedBody message = %v", second)
	}
	if second["attributedBody"] != base64.StdEncoding.EncodeToString(body) {
		t.Errorf("attributedBody not base64: %v", second["attributedBody"])
	}
	obs := SMS{}.Observables(recs[1])
	if len(obs) != 1 || obs[0].Kind != record.URL || obs[0].Value != "http://body.example.net/x" || obs[0].Severity != record.Critical {
		t.Errorf("observables = %+v", obs)
	}
	// A record saved by another tool without links still yields its text's links.
	saved := record.Record{Data: map[string]any{"text": "go to https://c.example.org"}}
	if obs := (SMS{}).Observables(saved); len(obs) != 1 || obs[0].Value != "https://c.example.org" {
		t.Errorf("observables from text = %+v", obs)
	}
	run := judgeWithoutIndicators(SMS{}, viaJSON(t, recs))
	wantEvents := []record.Event{
		{Timestamp: "2019-08-29 23:13:30.000000", Module: "SMS", Event: "sms_received", Data: `SMS: G1 "see https://a.example.org/p and HTTP://B.example.org" from +15555550100 (acc)`},
		{Timestamp: "2019-08-29 23:13:30.000000", Module: "SMS", Event: "sms_read", Data: `SMS: G1 "see https://a.example.org/p and HTTP://B.example.org" from +15555550100 (acc)`},
		{Timestamp: "2023-03-08 20:26:40.000000", Module: "SMS", Event: "sms_received", Data: `iMessage: G2 "Hidden in the body: http://body.example.net/x" from +15555550100 (None)`},
	}
	if diff := cmp.Diff(wantEvents, run.events); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if len(run.findings) != 0 {
		t.Errorf("unexpected findings: %s", findingTexts(run.findings))
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestSMSAppleThreatNotification(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"ALERT: State-sponsored attackers may be targeting your iPhone. Apple believes…", true},
		{"ALERT: Apple detected a targeted mercenary spyware attack against your iPhone.", true},
		{"Re: ALERT: State-sponsored attackers may be targeting your iPhone", false},
		{"hello", false},
	}
	for _, tc := range tests {
		r := record.Record{Module: "sms", Data: map[string]any{"text": tc.text, "isodate": "2024-04-10 17:00:00.000000"}}
		run := judgeWithoutIndicators(SMS{}, []record.Record{r})
		if got := len(run.findings) == 1; got != tc.want {
			t.Errorf("%q: findings %s", tc.text, findingTexts(run.findings))
			continue
		}
		if tc.want {
			f := run.findings[0]
			if f.Severity != record.High || f.Message != "Apple warning about state-sponsored attack received on 2024-04-10 17:00:00.000000" || f.EventTime != "2024-04-10 17:00:00.000000" {
				t.Errorf("finding = %+v", f)
			}
		}
	}
	// The notification is found in an attributedBody-only message too.
	db := smsDB(t, `INSERT INTO message VALUES (1, 'G', NULL, 1, x'`+
		hexOf(typedStreamBody("ALERT: Apple detected a targeted mercenary spyware attack against your iPhone."))+
		`', 'iMessage', NULL, 700000000, 0, 0, NULL);`)
	recs, err := testkit.Extract(t, SMS{}, smsBackup(t, db))
	if err != nil {
		t.Fatal(err)
	}
	if run := judgeWithoutIndicators(SMS{}, recs); len(run.findings) != 1 {
		t.Errorf("attributedBody notification: findings %s", findingTexts(run.findings))
	}
}

func TestSMSUnknownSchema(t *testing.T) {
	assertCorrupt(t, SMS{}, "HomeDomain", "Library/SMS/sms.db", testkit.SQLite(t, "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY);"), "Library/SMS/sms.db", "message")
}

func TestSMSCorrupt(t *testing.T) {
	for _, m := range []module.Module{SMS{}, SMSAttachments{}} {
		assertCorrupt(t, m, "HomeDomain", "Library/SMS/sms.db", []byte("this is not a database, just garbage bytes that are long enough"), "sms.db")
	}
}

func TestSMSAbsent(t *testing.T) {
	src := testkit.NewBackup(t, nil).Open()
	if _, err := testkit.Extract(t, SMS{}, src); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestSMSConformance(t *testing.T) {
	src := sharedBackup(t)
	run, err := runWithoutIndicators(t, SMS{}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.recs) != 1 || len(run.events) != 2 || len(run.findings) != 0 {
		t.Fatalf("R=%d T=%d A=%d, want 1, 2, 0", len(run.recs), len(run.events), len(run.findings))
	}
	r := run.recs[0]
	if r.String("isodate") != "2019-08-29 23:13:30.000000" || r.String("text") != "Please click here https://badbadbad.example.org/" {
		t.Errorf("record = %v", r.Data)
	}
	obs := SMS{}.Observables(r)
	if len(obs) != 1 || obs[0].Value != "https://badbadbad.example.org/" || obs[0].Kind != record.URL {
		t.Errorf("observables (urls.json) = %+v", obs)
	}
	if info := (SMS{}).Info(); info.TimeField != "isodate" || !info.CollectURLs {
		t.Error("urls.json needs CollectURLs and the isodate time field")
	}
}

// attributedBodyBlobs are imessage-exporter's typedstream test blobs and
// the text each holds ("" with ok false: the blob is damaged on purpose).
var attributedBodyBlobs = []struct {
	name, text string
	ok         bool
}{
	{"AttributedBodyTextOnly", "Noter test", true},
	{"AttributedBodyTextOnly2", "Test 3", true},
	{"Blank", "", true},
	{"MultiPart", "\uFFFCtest 1\uFFFCtest 2 \uFFFCtest 3", true},
	{"URL", "https://github.com/ReagentX/Logria", true},
	{"WeirdText", "𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉", true},
	// A block was cut out: the text's length runs past the end of the blob.
	{"ExtraData", "", false},
}

func TestAttributedBodyTextRealBlobs(t *testing.T) {
	dir := testkit.SharedTestdata(t, "third-party", "imessage-blobs", "streamtyped")
	for _, tc := range attributedBodyBlobs {
		data, err := os.ReadFile(filepath.Join(dir, tc.name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := attributedBodyText(data)
		if tc.ok && (err != nil || got != tc.text) {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.text)
		}
		if !tc.ok && !errors.Is(err, evidence.ErrCorrupt) {
			t.Errorf("%s: got %q, %v; want ErrCorrupt", tc.name, got, err)
		}
	}
}

func TestAttributedBodyText(t *testing.T) {
	long := strings.Repeat("long text ", 40)
	for _, text := range []string{"", "short", long} {
		if got, err := attributedBodyText(typedStreamBody(text)); err != nil || got != text {
			t.Errorf("round trip %q: got %q, %v", text, got, err)
		}
	}
	valid := typedStreamBody("hello")
	bad := map[string][]byte{
		"empty":           nil,
		"truncated":       valid[:len(valid)-8],
		"not typedstream": []byte("bplist00garbage"),
		"keyed archive":   testkit.Plist(t, map[string]any{"$archiver": "NSKeyedArchiver"}),
		"wrong class":     []byte(strings.Replace(string(valid), "NSString\x01", "NSNumber\x01", 1)),
	}
	for name, b := range bad {
		if got, err := attributedBodyText(b); !errors.Is(err, evidence.ErrCorrupt) {
			t.Errorf("%s: got %q, %v; want ErrCorrupt", name, got, err)
		}
	}
}

func FuzzAttributedBodyText(f *testing.F) {
	f.Add(typedStreamBody("hello https://example.org"))
	f.Add(typedStreamBody(strings.Repeat("x", 300)))
	f.Fuzz(func(t *testing.T, b []byte) {
		text, err := attributedBodyText(b)
		if err != nil && text != "" {
			t.Errorf("text %q with error %v", text, err)
		}
	})
}

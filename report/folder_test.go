package report

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

func read(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestRecordsStreamAsMVTWritesThem(t *testing.T) {
	f, err := NewFolder(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.Records(module.Info{Name: "sms"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []map[string]any{{"text": "<a & b>", "n": int64(1)}, {"text": "é"}} {
		if err := w.Write(record.Record{Data: d}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "[\n    {\n        \"n\": 1,\n        \"text\": \"<a & b>\"\n    },\n    {\n        \"text\": \"é\"\n    }\n]\n"
	if diff := cmp.Diff(want, read(t, f.Dir(), "sms.json")); diff != "" {
		t.Errorf("sms.json (-want +got):\n%s", diff)
	}

	d, _ := f.Records(module.Info{Name: "backup_info", Dict: true})
	if err := d.Write(record.Record{Data: map[string]any{"IMEI": "42"}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(record.Record{Data: map[string]any{"IMEI": "43"}}); err == nil {
		t.Errorf("a second record in a dictionary result should fail")
	}
	d.Close()
	var m map[string]any
	if err := json.Unmarshal([]byte(read(t, f.Dir(), "backup_info.json")), &m); err != nil || m["IMEI"] != "42" {
		t.Errorf("backup_info.json = %v, %v", m, err)
	}
}

func TestWriteResult(t *testing.T) {
	f, err := NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res := &check.Result{
		Findings: []record.Finding{
			{Severity: record.Critical, Module: "sms", Message: `URL "x" matches`, EventTime: "2021-01-02 00:00:00.000000",
				Event: map[string]any{"text": `say "hi"`}, Indicator: &record.Indicator{Value: "x", Type: "domains"}},
			{Severity: record.Info, Module: "global_preferences", Message: "Lockdown mode enabled", Event: map[string]any{}},
		},
		Timeline: check.NewTimeline(record.Event{Timestamp: "2021-01-02 00:00:00.000000", Module: "SMS", Event: "sms_received", Data: `a "quoted", text`}),
		URLs:     []check.URL{{URL: "https://x/", Timestamp: "t", Source: "sms"}},
	}
	if err := f.WriteResult(res, Meta{TargetPath: "/evidence", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	wantTL := "\"UTC Timestamp\",\"Plugin\",\"Event\",\"Description\"\r\n\"2021-01-02 00:00:00.000000\",\"SMS\",\"sms_received\",\"a \"\"quoted\"\", text\"\r\n"
	if diff := cmp.Diff(wantTL, read(t, f.Dir(), "timeline.csv")); diff != "" {
		t.Errorf("timeline.csv (-want +got):\n%s", diff)
	}
	at := read(t, f.Dir(), "alerts_timeline.csv")
	if strings.Count(at, "\r\n") != 2 || !strings.Contains(at, `"sms"`) || strings.Contains(at, "Lockdown") {
		t.Errorf("alerts_timeline.csv should hold only the timed alert:\n%s", at)
	}
	var alerts []map[string]any
	if err := json.Unmarshal([]byte(read(t, f.Dir(), "alerts.json")), &alerts); err != nil || len(alerts) != 2 {
		t.Fatalf("alerts.json: %v %v", alerts, err)
	}
	if alerts[0]["level"] != "CRITICAL" || alerts[1]["matched_indicator"] != nil {
		t.Errorf("alerts = %v", alerts)
	}
	for _, name := range []string{"sms_detected.json", "global_preferences_detected.json", "urls.json", "info.json"} {
		read(t, f.Dir(), name)
	}
}

// urls.json is written exactly as encoding/json writes it.
func TestWriteURLsMatchesEncodingJSON(t *testing.T) {
	exp := "https://example.org/<landing>"
	urls := []check.URL{
		{URL: "https://bit.ly/x?a=1&b=\"2\"", ExpandedURL: &exp, Timestamp: "2026-07-29 12:00:00.000000", Source: "sms"},
		{URL: "http://é.example/\u2028", Timestamp: "", Source: "whatsapp"},
	}
	dir := t.TempDir()
	if err := writeFile(filepath.Join(dir, "fast.json"), func(w *bufio.Writer) error { return writeURLs(w, urls) }); err != nil {
		t.Fatal(err)
	}
	if err := writeJSONFile(filepath.Join(dir, "slow.json"), urls); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(read(t, dir, "slow.json"), read(t, dir, "fast.json")); diff != "" {
		t.Errorf("(-encoding/json +writeURLs):\n%s", diff)
	}
}

func TestHTMLReport(t *testing.T) {
	f, err := NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res := &check.Result{Findings: []record.Finding{
		{Severity: record.Low, Module: "datausage", Message: "Missing process 5"},
		{Severity: record.Critical, Module: "sms", Message: `URL "<script>alert(1)</script>" matches`, Indicator: &record.Indicator{Value: "evil.example", Type: "domains", Name: "Pegasus", File: "pegasus.stix2"}},
	}}
	meta := Meta{TargetPath: "/evidence", Kinds: []string{"ios-backup"}, Modules: []ModuleInfo{{Name: "sms", State: "ok", Records: 3, Findings: 1}, {Name: "calls", State: "not present"}}}
	if err := f.WriteResult(res, meta); err != nil {
		t.Fatal(err)
	}
	page := read(t, f.Dir(), "report.html")
	for _, want := range []string{"Traces matching known spyware", "&lt;script&gt;", "Pegasus", "pegasus.stix2", "not in this acquisition: calls"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Errorf("report.html does not escape the message")
	}
	if strings.Index(page, "sms") > strings.Index(page, "datausage") {
		t.Errorf("findings are not most severe first")
	}
	for counts, want := range map[[3]int]string{{0, 0, 0}: "No traces of known spyware", {0, 1, 0}: "some signs deserve", {1, 0, 0}: "Traces matching"} {
		v := verdictOf(map[record.Severity]int{record.High: counts[0], record.Medium: counts[1]})
		if !strings.Contains(v.Title, want) {
			t.Errorf("verdict for %v = %q", counts, v.Title)
		}
	}
}

// A folder is reused only when it holds earlier spycheck results, which
// are cleared; any other non-empty folder is refused.
func TestNewFolderReusesOnlyResults(t *testing.T) {
	dir := t.TempDir()
	f, err := NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteResult(&check.Result{}, Meta{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "sms.json"), []byte("[]"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if _, err := NewFolder(dir); err != nil {
		t.Fatalf("earlier results folder refused: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sms.json")); err == nil {
		t.Errorf("an earlier module file was kept")
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("a file spycheck does not write was removed")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "case.docx"), []byte("x"), 0o644)
	if _, err := NewFolder(other); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a folder of other files: %v", err)
	}
}

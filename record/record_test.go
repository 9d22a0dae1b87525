package record

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimeConversions(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"unix", FromUnix(1626566400), "2021-07-18 00:00:00.000000"},
		{"unix fraction", FromUnix(1626566400.25), "2021-07-18 00:00:00.250000"},
		{"mac seconds", FromMac(1626566400 - 978307200), "2021-07-18 00:00:00.000000"},
		{"mac nanoseconds (18 digits)", FromMacValue(int64(588813210539788032)), "2019-08-29 23:13:30.000000"},
		{"mac value from saved JSON", FromMacValue(json.Number("588813210539788032")), "2019-08-29 23:13:30.000000"},
		{"mac value as text", FromMacValue("648259200"), "2021-07-18 00:00:00.000000"},
		{"mac value of another type", FromMacValue(true), ""},
		{"chrome", FromChrome(13271040000000000), "2021-07-18 00:00:00.000000"},
		{"zero time", ISO(time.Time{}), ""},
		{"not a number", FromUnix(nan()), ""},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"info": Info, "INFORMATIONAL": Info, "Low": Low, "medium": Medium, "HIGH": High, " critical ": Critical} {
		got, err := ParseSeverity(in)
		if err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Errorf("unknown severity accepted")
	}
	b, _ := json.Marshal(Critical)
	var s Severity
	if string(b) != `"CRITICAL"` || json.Unmarshal(b, &s) != nil || s != Critical {
		t.Errorf("JSON round trip: %s -> %v", b, s)
	}
}

func TestRecordAccessors(t *testing.T) {
	r := Record{Data: map[string]any{"s": "x", "n": json.Number("12"), "l": []any{"a", 1, "b"}, "ls": []string{"c"}}}
	if r.String("s") != "x" || r.String("n") != "" {
		t.Errorf("String")
	}
	if n, ok := r.Number("n"); !ok || n != 12 {
		t.Errorf("Number = %v %v", n, ok)
	}
	if got := r.Strings("l"); len(got) != 2 || got[1] != "b" {
		t.Errorf("Strings(l) = %v", got)
	}
	if got := r.Strings("ls"); len(got) != 1 {
		t.Errorf("Strings(ls) = %v", got)
	}
}

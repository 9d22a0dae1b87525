package check

import (
	"testing"

	"github.com/spycheck/spycheck/record"
)

func signal(module string, sev record.Severity, at string) record.Finding {
	return record.Finding{Module: module, Severity: sev, EventTime: at, Message: module + " signal"}
}

func TestCorrelate(t *testing.T) {
	tests := []struct {
		name     string
		findings []record.Finding
		want     []record.Severity
	}{
		{"two modules within the window", []record.Finding{
			signal("datausage", record.Low, "2023-01-01 10:00:00.000000"),
			signal("sms_attachments", record.Medium, "2023-01-01 10:03:00.000000"),
		}, []record.Severity{record.Medium}},
		{"three modules", []record.Finding{
			signal("datausage", record.Low, "2023-01-01 10:00:00.000000"),
			signal("sms_attachments", record.Medium, "2023-01-01 10:01:00.000000"),
			signal("profile_events", record.Low, "2023-01-01 10:04:59.000000"),
		}, []record.Severity{record.High}},
		{"same module only", []record.Finding{
			signal("datausage", record.Low, "2023-01-01 10:00:00.000000"),
			signal("datausage", record.Low, "2023-01-01 10:00:01.000000"),
		}, nil},
		{"too far apart", []record.Finding{
			signal("datausage", record.Low, "2023-01-01 10:00:00.000000"),
			signal("sms_attachments", record.Medium, "2023-01-01 10:05:01.000000"),
		}, nil},
		{"indicator matches and strong findings are not weak signals", []record.Finding{
			{Module: "sms", Severity: record.Critical, EventTime: "2023-01-01 10:00:00.000000", Indicator: &record.Indicator{Value: "x"}},
			signal("calendar", record.High, "2023-01-01 10:00:00.000000"),
			signal("datausage", record.Low, "2023-01-01 10:01:00.000000"),
			signal("global_preferences", record.Low, ""),
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := correlate(tc.findings)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, f := range got {
				if f.Severity != tc.want[i] || f.Module != "correlation" || f.EventTime != tc.findings[0].EventTime {
					t.Errorf("finding %d = %+v", i, f)
				}
				if n := len(f.Event["signals"].([]any)); n != len(tc.findings) {
					t.Errorf("finding lists %d signals, want %d", n, len(tc.findings))
				}
			}
		})
	}
}

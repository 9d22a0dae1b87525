package android

import (
	"testing"
)

func TestDumpsysBatteryDailySample(t *testing.T) {
	recs := extractOK(t, DumpsysBatteryDaily{}, mvtSample(t, "dumpsys_battery.txt", "batterystats"))
	if len(recs) != 3 {
		t.Fatalf("got %d records, MVT gives 3", len(recs))
	}
	if f := aqfFindings(DumpsysBatteryDaily{}, recs); len(f) != 0 {
		t.Errorf("findings = %+v", f)
	}
}

func dailyText(blocks ...[2]string) string {
	var s string
	for _, b := range blocks {
		s += "  Daily from " + b[0] + "-03-00-00 to " + b[0] + "-23-00-00:\n" + b[1]
	}
	return section("batterystats", s)
}

func TestDumpsysBatteryDailyHeuristics(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		records  int
		messages []string
		times    []string
	}{
		{"uninstall and downgrade", dailyText(
			[2]string{"2022-08-16", "    Update com.example.app vers=10\n    Update com.example.removed vers=0\n    Update com.example.app vers=10\n"},
			[2]string{"2022-08-17", "    Update com.example.app vers=9\n"}), 3,
			[]string{"Detected uninstall of package com.example.removed (vers 0)", "Detected downgrade of package com.example.app from vers 10 to vers 9"},
			[]string{"2022-08-16", "2022-08-17"}},
		{"newest first update", dailyText([2]string{"2026-01-10", "    Update a vers=102\n"}, [2]string{"2026-01-05", "    Update a vers=101\n"}), 2, nil, nil},
		{"newest first downgrade", dailyText([2]string{"2026-01-10", "    Update a vers=101\n"}, [2]string{"2026-01-05", "    Update a vers=102\n"}), 2,
			[]string{"Detected downgrade of package a from vers 102 to vers 101"}, []string{"2026-01-10"}},
		{"reinstall after uninstall", dailyText([2]string{"2026-01-15", "    Update a vers=10\n"}, [2]string{"2026-01-10", "    Update a vers=0\n"},
			[2]string{"2026-01-05", "    Update a vers=102\n"}), 3, []string{"Detected uninstall of package a (vers 0)"}, []string{"2026-01-10"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs := extractOK(t, DumpsysBatteryDaily{}, dumpstateSource(t, tc.text))
			if len(recs) != tc.records {
				t.Fatalf("records = %+v", recs)
			}
			f := aqfFindings(DumpsysBatteryDaily{}, recs)
			if len(f) != len(tc.messages) {
				t.Fatalf("findings = %+v", f)
			}
			for i, x := range f {
				if x.Message != tc.messages[i] || x.EventTime != tc.times[i] {
					t.Errorf("[%d] = %q at %q", i, x.Message, x.EventTime)
				}
			}
		})
	}
	recs := extractOK(t, DumpsysBatteryDaily{}, dumpstateSource(t, tests[0].text))
	if recs[2].String("action") != "downgrade" || recs[2].String("previous_vers") != "10" {
		t.Errorf("downgrade record %+v", recs[2].Data)
	}
	ev := DumpsysBatteryDaily{}.Timeline(recs[2])
	if len(ev) != 1 || ev[0].Timestamp != "2022-08-17" || ev[0].Data != "Recorded downgrade of package com.example.app from vers 10 to vers 9" {
		t.Errorf("timeline %+v", ev)
	}
	if ev := (DumpsysBatteryDaily{}).Timeline(recs[1]); ev[0].Data != "Recorded uninstall of package com.example.removed (vers 0)" {
		t.Errorf("timeline %+v", ev)
	}
}

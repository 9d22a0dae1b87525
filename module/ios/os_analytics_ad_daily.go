package ios

// OSAnalyticsADDaily: the daily network usage baseline per process kept
// by the analytics daemon.
//
//   backup: f65b5fafc69bbd3c60be019c6e938e146825fa83 (HomeDomain Library/Preferences/com.apple.osanalytics.addaily.plist)
//   fs:     private/var/mobile/Library/Preferences/com.apple.osanalytics.addaily.plist
//
// iOS 12+: netUsageBaseline = {process: [date, wifi_in, wifi_out, wwan_in, wwan_out]}.

import (
	"context"
	"fmt"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// OSAnalyticsADDaily reads com.apple.osanalytics.addaily.plist.
type OSAnalyticsADDaily struct{}

var osAnalyticsQuery = artifact("f65b5fafc69bbd3c60be019c6e938e146825fa83",
	"private/var/mobile/Library/Preferences/com.apple.osanalytics.addaily.plist")

// Info implements module.Module.
func (OSAnalyticsADDaily) Info() module.Info {
	return module.Info{Name: "os_analytics_ad_daily", Title: "OSAnalyticsADDaily", Kinds: mixed}
}

// Extract implements module.Module: one record per process of
// netUsageBaseline, in file order; entries that are not a list of five
// values are skipped.
func (OSAnalyticsADDaily) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, osAnalyticsQuery)
	if err != nil {
		return err
	}
	dict, raw, err := readPlistDict(src, e)
	if err != nil {
		return err
	}
	baseline, _ := dict["netUsageBaseline"].(map[string]any)
	for _, proc := range keysInPlistOrder(baseline, plistKeyOrder(raw, "netUsageBaseline")) {
		vals, ok := baseline[proc].([]any)
		if !ok || len(vals) < 5 {
			continue
		}
		ts := ""
		if t, ok := vals[0].(time.Time); ok {
			ts = record.ISO(t)
		}
		emit(record.Record{Data: map[string]any{
			"package": proc, "ts": ts,
			"wifi_in": evidence.Plain(vals[1]), "wifi_out": evidence.Plain(vals[2]),
			"wwan_in": evidence.Plain(vals[3]), "wwan_out": evidence.Plain(vals[4]),
		}})
	}
	return nil
}

// Observables implements module.Module: the package is a process name.
func (OSAnalyticsADDaily) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.Process, "package", r.String("package"))
}

// Timeline implements module.Module.
func (m OSAnalyticsADDaily) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("%s WIFI IN: %s, WIFI OUT: %s - WWAN IN: %s, WWAN OUT: %s", r.String("package"),
		pyText(r.Data["wifi_in"]), pyText(r.Data["wifi_out"]), pyText(r.Data["wwan_in"]), pyText(r.Data["wwan_out"]))
	return module.Event(m.Info().Title, r.String("ts"), "osanalytics_addaily", data)
}

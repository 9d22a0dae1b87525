package android

// DumpsysBatteryDaily: package updates recorded in the daily battery
// stats ("Daily from A to B:" blocks of the "batterystats" section of the
// dumpsys output). An update to version 0 is an uninstall; a version lower
// than the one seen before is a downgrade.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// Block headers read "  Daily from 2022-08-16-03-14-20 to 2022-08-17-…:"
// (only the dates are kept); updates read "    Update <package> vers=<n>"
// and are de-duplicated within a block.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysBatteryDaily reads the daily battery stats.
type DumpsysBatteryDaily struct{}

// Info implements module.Module.
func (DumpsysBatteryDaily) Info() module.Info {
	return module.Info{Name: "dumpsys_battery_daily", Title: "DumpsysBatteryDaily", Kinds: dumpstateKinds, TimeField: "from"}
}

// Extract implements module.Module. The updates are judged in date order
// (a downgrade needs the earlier version), so the section's updates are
// collected before they are emitted.
func (DumpsysBatteryDaily) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	p := &batteryDailyParser{}
	if err := eachDumpsysLine(ctx, src, "batterystats", dumpsys.Replace, p.line); err != nil {
		return err
	}
	p.records = append(p.records, p.block...)
	markDowngrades(p.records)
	for _, d := range p.records {
		emit(record.Record{Data: d})
	}
	return nil
}

type batteryDailyParser struct {
	from, to string
	inDaily  bool
	block    []map[string]any // updates of the current block
	records  []map[string]any
}

func (p *batteryDailyParser) line(line string) error {
	if rest, ok := strings.CutPrefix(line, "  Daily from "); ok {
		from, to, ok := strings.Cut(strings.Trim(strings.TrimSpace(rest), ":"), " to ")
		if !ok { // MVT fails on such a header
			return nil
		}
		p.records = append(p.records, p.block...)
		p.block = nil
		p.from, p.to, p.inDaily = pySlice(from, 0, 10), pySlice(to, 0, 10), true
		return nil
	}
	t := strings.TrimSpace(line)
	if !p.inDaily || !strings.HasPrefix(t, "Update ") {
		return nil
	}
	pkg, vers, _ := strings.Cut(strings.ReplaceAll(t, "Update ", ""), " ")
	_, version, ok := strings.Cut(vers, "=")
	if !ok {
		return nil
	}
	for _, u := range p.block {
		if u["package_name"] == pkg && u["vers"] == version {
			return nil
		}
	}
	p.block = append(p.block, map[string]any{"action": "update", "from": p.from, "to": p.to, "package_name": pkg, "vers": version})
	return nil
}

// markDowngrades walks the updates by (from, to, package) and marks an
// update to a lower version than the last one seen as a downgrade; an
// uninstall (vers 0) forgets the package's version.
func markDowngrades(records []map[string]any) {
	p := func(d map[string]any, k string) string { s, _ := d[k].(string); return s }
	order := slices.Clone(records)
	slices.SortStableFunc(order, func(a, b map[string]any) int {
		return cmp.Or(cmp.Compare(p(a, "from"), p(b, "from")), cmp.Compare(p(a, "to"), p(b, "to")),
			cmp.Compare(p(a, "package_name"), p(b, "package_name")))
	})
	seen := map[string]int64{}
	for _, d := range order {
		pkg := p(d, "package_name")
		if p(d, "vers") == "0" {
			delete(seen, pkg)
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(p(d, "vers")), 10, 64)
		if err != nil {
			continue
		}
		if prev, ok := seen[pkg]; ok && v < prev {
			d["action"] = "downgrade"
			d["previous_vers"] = strconv.FormatInt(prev, 10)
		}
		seen[pkg] = v
	}
}

// Observables implements module.Module.
func (DumpsysBatteryDaily) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))
}

// Timeline implements module.Module.
func (m DumpsysBatteryDaily) Timeline(r record.Record) []record.Event {
	pkg, vers := r.String("package_name"), r.String("vers")
	data := fmt.Sprintf("Recorded update of package %s with vers %s", pkg, vers)
	switch {
	case vers == "0":
		data = fmt.Sprintf("Recorded uninstall of package %s (vers 0)", pkg)
	case r.String("action") == "downgrade":
		prev := r.String("previous_vers")
		if prev == "" {
			prev = "unknown"
		}
		data = fmt.Sprintf("Recorded downgrade of package %s from vers %s to vers %s", pkg, prev, vers)
	}
	return module.Event(m.Info().Title, r.String("from"), "battery_daily", data)
}

// NewInspector implements module.Heuristic: an uninstall or a downgrade
// (MEDIUM), from the marks Extract left on the record.
func (DumpsysBatteryDaily) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		pkg, vers := r.String("package_name"), r.String("vers")
		switch {
		case vers == "0":
			raise(module.Alert(record.Medium, r, r.String("from"), fmt.Sprintf("Detected uninstall of package %s (vers 0)", pkg)))
		case r.String("action") == "downgrade":
			v, _ := strconv.ParseInt(strings.TrimSpace(vers), 10, 64)
			raise(module.Alert(record.Medium, r, r.String("from"),
				fmt.Sprintf("Detected downgrade of package %s from vers %s to vers %d", pkg, r.String("previous_vers"), v)))
		}
	})
}

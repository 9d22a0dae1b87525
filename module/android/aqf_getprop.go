package android

// AQFGetProp: the device's system properties, as `getprop` prints them.
//
//   androidqf: getprop.txt (every androidqf version since 2021)
//
// Lines look like "[name]: [value]"; a value spanning several lines and an
// empty value ("[]") give no record, as in MVT.

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// AQFGetProp reads getprop.txt.
type AQFGetProp struct {
	// now is the clock of the security patch heuristic (nil: time.Now).
	now func() time.Time
}

// Info implements module.Module.
func (AQFGetProp) Info() module.Info {
	return module.Info{Name: "aqf_get_prop", Title: "AQFGetProp", Kinds: androidQF}
}

// getPropLine is MVT's property pattern: non-empty name and value.
var getPropLine = regexp.MustCompile(`\[(.+?)\]: \[(.+?)\]`)

// parseGetPropLine returns the property on one line of getprop output.
func parseGetPropLine(line []byte) (name, value string, ok bool) {
	m := getPropLine.FindSubmatch(line)
	if m == nil {
		return "", "", false
	}
	return string(m[1]), string(m[2]), true
}

// Extract implements module.Module.
func (AQFGetProp) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, rootFile("getprop.txt"))
	if err != nil {
		return fmt.Errorf("find getprop.txt: %w", err)
	}
	return eachLine(src, e, func(line []byte) error {
		if name, value, ok := parseGetPropLine(line); ok {
			emit(record.Record{Data: map[string]any{"name": name, "value": value}})
		}
		return nil
	})
}

// deviceProperty reads one property from getprop.txt ("" when absent).
func deviceProperty(ctx context.Context, src evidence.Source, want string) (string, error) {
	e, err := module.FindOne(ctx, src, rootFile("getprop.txt"))
	if err != nil {
		return "", err
	}
	var found string
	err = eachLine(src, e, func(line []byte) error {
		if name, value, ok := parseGetPropLine(line); ok && name == want && found == "" {
			found = value
		}
		return nil
	})
	return found, err
}

// Observables implements module.Module.
func (AQFGetProp) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AndroidProperty, "name", r.String("name"))
}

// Timeline implements module.Module: properties carry no time.
func (AQFGetProp) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic.
func (m AQFGetProp) NewInspector() module.Inspector {
	now := m.now
	if now == nil {
		now = time.Now
	}
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		if r.String("name") != "ro.build.version.security_patch" {
			return
		}
		if msg := patchLevelWarning(r.String("value"), now()); msg != "" {
			raise(module.Alert(record.Medium, r, "", msg))
		}
	})
}

// patchLevelWarning is MVT's check of a security patch level: older than
// 6×31 days gives its message; a value that is not a date gives none.
func patchLevelWarning(level string, now time.Time) string {
	patch, err := time.ParseInLocation(time.DateOnly, level, now.Location())
	if err != nil || now.Sub(patch) <= 6*31*24*time.Hour {
		return ""
	}
	return fmt.Sprintf("This phone has not received security updates for more than six months (last update: %s).", level)
}

package ios

// ProfileEvents: the log of configuration profile operations (install,
// remove …) with the process that asked for them.
//
//   backup: relative path Library/ConfigurationProfiles/MCProfileEvents.plist (any domain;
//           SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles)
//
// iOS 11+: ProfileEvents = [{<profile id>: {timestamp, operation, process}}].

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// ProfileEvents reads MCProfileEvents.plist.
type ProfileEvents struct{}

var profileEventsQuery = evidence.Query{RelativePaths: []string{"Library/ConfigurationProfiles/MCProfileEvents.plist"}}

// Info implements module.Module.
func (ProfileEvents) Info() module.Info {
	return module.Info{Name: "profile_events", Title: "ProfileEvents", Kinds: backupOnly}
}

// Extract implements module.Module: one record per event, per file.
func (ProfileEvents) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, profileEventsQuery)
	if err != nil {
		return err
	}
	for _, e := range entries {
		top, _, err := readPlistDict(src, e)
		if err != nil {
			return err
		}
		events, _ := top["ProfileEvents"].([]any)
		for _, ev := range events {
			if d, ok := profileEvent(ev); ok {
				emit(record.Record{Data: d})
			}
		}
	}
	return nil
}

// profileEvent turns {<profile id>: {key: value}} into a record with the
// keys lower-cased; an event of several profiles uses the first id in
// sorted order (the lists Apple writes hold one).
func profileEvent(v any) (map[string]any, bool) {
	ev, ok := v.(map[string]any)
	if !ok || len(ev) == 0 {
		return nil, false
	}
	ids := make([]string, 0, len(ev))
	for k := range ev {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	d := map[string]any{"profile_id": ids[0], "timestamp": "", "operation": "", "process": ""}
	fields, _ := ev[ids[0]].(map[string]any)
	for k, val := range fields {
		k = strings.ToLower(k)
		if k == "timestamp" {
			t, _ := val.(time.Time)
			d[k] = record.ISO(t)
			continue
		}
		d[k] = evidence.Plain(val)
	}
	return d, true
}

// Observables implements module.Module: the process, then the profile.
func (ProfileEvents) Observables(r record.Record) []record.Observable {
	obs := module.Observe(record.Critical, record.Process, "process", r.String("process"))
	return append(obs, module.Observe(record.Critical, record.ProfileUUID, "profile_id", r.String("profile_id"))...)
}

// Timeline implements module.Module.
func (m ProfileEvents) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("timestamp"), "profile_operation", fmt.Sprintf("Process %s started operation %s of profile %s",
		pyText(r.Data["process"]), pyText(r.Data["operation"]), pyText(r.Data["profile_id"])))
}

// NewInspector implements module.Heuristic: every profile operation is
// worth a look.
func (ProfileEvents) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		when := r.String("timestamp")
		raise(module.Alert(record.Low, r, when, fmt.Sprintf(`On %s process "%s" started operation "%s" of profile "%s"`,
			pyText(r.Data["timestamp"]), pyText(r.Data["process"]), pyText(r.Data["operation"]), pyText(r.Data["profile_id"]))))
	})
}

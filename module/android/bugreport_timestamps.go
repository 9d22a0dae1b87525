package android

// BugReportTimestamps: a timeline of the modification times of the files
// a bug report copies from the device under FS/ (tombstones, ANR traces,
// dropbox …).
//
//   bug report: FS/** (every Android version; zip entries or folder files)
//
// The times are what the archive or folder stores: a zip entry's local
// date and time, a file's modification time on the analyst's machine, as
// a wall-clock time without conversion (as MVT reports them).

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// BugReportTimestamps lists the FS/ files of a bug report.
type BugReportTimestamps struct{}

// Info implements module.Module.
func (BugReportTimestamps) Info() module.Info {
	return module.Info{Name: "bugreport_timestamps", Title: "BugReportTimestamps",
		Kinds: []evidence.Kind{evidence.Bugreport}, TimeField: "modified_time"}
}

// Extract implements module.Module.
func (BugReportTimestamps) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, treeGlobs("FS"))
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return evidence.ErrNotFound
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		mtime, err := wallClock(src, e)
		if err != nil {
			return err
		}
		emit(record.Record{Data: map[string]any{"path": e.Name(), "modified_time": mtime}})
	}
	return nil
}

// wallClock is an entry's modification time as the source stores it, in
// the record time format, without conversion to UTC.
func wallClock(src evidence.Source, e evidence.Entry) (string, error) {
	t, err := entryModTime(src, e)
	if err != nil || t.IsZero() {
		return "", err
	}
	return t.Format(record.TimeLayout), nil
}

// Observables implements module.Module: MVT checks no indicators here.
func (BugReportTimestamps) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: one "M---" event per file.
func (m BugReportTimestamps) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("modified_time"), "M---", r.String("path"))
}

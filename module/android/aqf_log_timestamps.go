package android

// AQFLogTimestamps: when the log files androidqf pulled were last modified.
//
//   androidqf: logs/<device path> (2022+: /data/system/uiderrors.txt,
//   /proc/kmsg, /proc/last_kmsg, /sys/fs/pstore/console-ramoops, /data/anr/,
//   /data/log/, /sdcard/log/; most need root)
//
// The time is the copy's modification time as the acquisition stores it
// (a zip entry's time, or the file's on the analyst's disk in local time),
// as MVT takes it; only a modification time is known.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// AQFLogTimestamps lists the files under logs/.
type AQFLogTimestamps struct{}

// Info implements module.Module.
func (AQFLogTimestamps) Info() module.Info {
	return module.Info{Name: "aqf_log_timestamps", Title: "AQFLogTimestamps", Kinds: androidQF, TimeField: "modified_time"}
}

// Extract implements module.Module.
func (AQFLogTimestamps) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, treeGlobs("logs"))
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find logs/: %w", evidence.ErrNotFound)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		mtime, err := entryModTime(src, e)
		if err != nil {
			return err
		}
		emit(record.Record{Data: map[string]any{"path": e.DevicePath, "modified_time": mtime.Format(record.TimeLayout)}})
	}
	return nil
}

// Observables implements module.Module: MVT checks nothing here.
func (AQFLogTimestamps) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: one "M---" event per file.
func (m AQFLogTimestamps) Timeline(r record.Record) []record.Event {
	return macbEvents(m.Info().Title, r)
}

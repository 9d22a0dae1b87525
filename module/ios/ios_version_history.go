package ios

// IOSVersionHistory: the iOS version recorded at the top of each
// analytics journal, a history of the device's updates.
//
//   fs: private/var/db/analyticsd/Analytics-Journal-*.ips
//
// The first line of a journal is a JSON object with "timestamp"
// ("2021-07-18 10:00:00.00 +0200") and "os_version"
// ("iPhone OS 14.6 (18F72)"); iOS 12+.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// IOSVersionHistory reads the analytics journals.
type IOSVersionHistory struct{}

var iosVersionHistoryQuery = evidence.Query{DevicePaths: []string{"private/var/db/analyticsd/Analytics-Journal-*.ips"}}

// maxJournalHeader bounds the first line read from a journal.
const maxJournalHeader = 1 << 20

// Info implements module.Module.
func (IOSVersionHistory) Info() module.Info {
	return module.Info{Name: "ios_version_history", Title: "IOSVersionHistory", Kinds: []evidence.Kind{evidence.IOSFS}, TimeField: "isodate"}
}

// Extract implements module.Module: one record per journal, oldest first.
// A journal whose first line does not parse is reported after the others.
func (IOSVersionHistory) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, iosVersionHistoryQuery)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find analytics journals: %w", evidence.ErrNotFound)
	}
	var recs []map[string]any
	var errs []error
	for _, e := range entries {
		d, err := journalHeader(src, e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, d)
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i]["isodate"].(string) < recs[j]["isodate"].(string) })
	for _, d := range recs {
		emit(record.Record{Data: d})
	}
	return errors.Join(errs...)
}

// journalHeader reads the first line of a journal.
func journalHeader(src evidence.Source, e evidence.Entry) (map[string]any, error) {
	rc, err := src.Open(e)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	line, err := bufio.NewReader(io.LimitReader(rc, maxJournalHeader)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, &evidence.FileError{Op: "read", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	d, err := parseJournalHeader(bytes.TrimSpace(line))
	if err != nil {
		return nil, &evidence.FileError{Op: "parse", Path: e.Name(), Evidence: e.Local, Err: fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)}
	}
	return d, nil
}

// parseJournalHeader reads the time (converted to UTC) and the OS version
// of a journal's first line.
func parseJournalHeader(line []byte) (map[string]any, error) {
	var head struct {
		Timestamp string `json:"timestamp"`
		OSVersion any    `json:"os_version"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, fmt.Errorf("first line: %w", err)
	}
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700", "2006-01-02 15:04:05.999999999 Z07:00"} {
		if t, err = time.Parse(layout, head.Timestamp); err == nil {
			return map[string]any{"isodate": record.ISO(t), "os_version": head.OSVersion}, nil
		}
	}
	return nil, fmt.Errorf("timestamp %q: %w", head.Timestamp, err)
}

// Observables implements module.Module: none, as MVT.
func (IOSVersionHistory) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module.
func (m IOSVersionHistory) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "ios_version", "Recorded iOS version "+pyText(r.Data["os_version"]))
}

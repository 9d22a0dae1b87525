package ios

// Datausage: per-process network usage from DataUsage.sqlite (see
// netbase.go for the tables, the completion of the records and the
// heuristics).
//
//   backup: 0d609c54856a9bb2d56729df1d68f2958a88426b (WirelessDomain Library/Databases/DataUsage.sqlite)
//   fs:     private/var/wireless/Library/Databases/DataUsage.sqlite
//
// iOS 9+; ZLIVEUSAGE lost ZWIFIIN/ZWIFIOUT in recent versions.

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Datausage reads DataUsage.sqlite.
type Datausage struct{}

var datausageQuery = artifact("0d609c54856a9bb2d56729df1d68f2958a88426b",
	"private/var/wireless/Library/Databases/DataUsage.sqlite")

// Info implements module.Module.
func (Datausage) Info() module.Info {
	return module.Info{Name: "datausage", Title: "Datausage", Kinds: mixed, TimeField: "first_isodate"}
}

// Extract implements module.Module. The whole table is read before
// emitting: the missing-process placeholders and the sort by first use
// need every row.
func (Datausage) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, datausageQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	recs, err := readNetBase(db)
	if err != nil {
		return err
	}
	// On a filesystem dump, processes whose binary is nowhere are flagged.
	err = netBaseFindBinaries(ctx, src, recs)
	for _, d := range completeNetBase(recs) {
		emit(record.Record{Data: d})
	}
	return err
}

// Observables implements module.Module.
func (Datausage) Observables(r record.Record) []record.Observable { return netBaseObservables(r) }

// Timeline implements module.Module.
func (m Datausage) Timeline(r record.Record) []record.Event {
	return netBaseTimeline(m.Info().Title, r)
}

// NewInspector implements module.Heuristic.
func (Datausage) NewInspector() module.Inspector {
	return netBaseBinaryInspector{newNetBaseInspector()}
}

package ios

// Netusage: per-process network usage from networkd's netusage.sqlite
// (same tables as DataUsage.sqlite: see netbase.go for the records, their
// completion and the missing/manipulated heuristics).
//
//   fs: private/var/networkd/netusage.sqlite
//       private/var/networkd/db/netusage.sqlite (iOS 14+)
//
// On a filesystem dump MVT also looks for the binary of every process
// without a bundle ID: a name that is no file's base name anywhere in the
// dump is flagged [MEDIUM]. The lookup needs the dump, so Extract records
// its outcome in binary_found (set only on the records it applies to) and
// the inspector raises the alert from that field.

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Netusage reads every netusage.sqlite of a filesystem dump.
type Netusage struct{}

var netusageQuery = evidence.Query{DevicePaths: []string{
	"private/var/networkd/netusage.sqlite",
	"private/var/networkd/db/netusage.sqlite",
}}

// Info implements module.Module.
func (Netusage) Info() module.Info {
	return module.Info{Name: "netusage", Title: "Netusage", Kinds: []evidence.Kind{evidence.IOSFS}, TimeField: "first_isodate"}
}

// Extract implements module.Module. The databases are completed together
// (placeholders, sort by first use), as MVT does; a damaged database does
// not stop the others and its error is returned after the records.
func (Netusage) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	var all []map[string]any
	err := eachDB(ctx, src, netusageQuery, func(db *evidence.DB) error {
		recs, err := readNetBase(db)
		all = append(all, recs...)
		return err
	})
	if errors.Is(err, evidence.ErrNotFound) && len(all) == 0 {
		return err
	}
	if ferr := netBaseFindBinaries(ctx, src, all); ferr != nil {
		err = errors.Join(err, ferr)
	}
	for _, d := range completeNetBase(all) {
		emit(record.Record{Data: d})
	}
	return err
}

// netBaseFindBinaries sets binary_found on the records of processes
// without a bundle ID: whether a file of the dump has the process's name
// as base name. It does nothing on a source that cannot list its files.
// It must run before completeNetBase renames the manipulated rows.
func netBaseFindBinaries(ctx context.Context, src evidence.Source, recs []map[string]any) error {
	lister, ok := src.(dumpBaseNamer)
	if !ok || len(recs) == 0 {
		return nil
	}
	names, err := lister.BaseNames(ctx)
	if err != nil {
		return fmt.Errorf("list the dump's file names: %w", err)
	}
	for _, d := range recs {
		if record.Truthy(d["bundle_id"]) {
			continue
		}
		name, _ := d["proc_name"].(string)
		d["binary_found"] = name != "" && names[name]
	}
	return nil
}

// Observables implements module.Module.
func (Netusage) Observables(r record.Record) []record.Observable { return netBaseObservables(r) }

// Timeline implements module.Module.
func (m Netusage) Timeline(r record.Record) []record.Event {
	return netBaseTimeline(m.Info().Title, r)
}

// NewInspector implements module.Heuristic.
func (Netusage) NewInspector() module.Inspector {
	return netBaseBinaryInspector{newNetBaseInspector()}
}

// netBaseBinaryInspector adds the missing-binary alert to NetBase's.
type netBaseBinaryInspector struct{ *netBaseInspector }

// Inspect implements module.Inspector.
func (in netBaseBinaryInspector) Inspect(r record.Record, raise func(record.Finding)) {
	if found, ok := r.Data["binary_found"].(bool); ok && !found {
		raise(module.Alert(record.Medium, r, r.String("live_isodate"), netBaseBinaryMessage(r)))
	}
	in.netBaseInspector.Inspect(r, raise)
}

// netBaseBinaryMessage is MVT's wording for a process whose binary is not
// in the dump.
func netBaseBinaryMessage(r record.Record) string {
	name := r.String("proc_name")
	if netBaseManipulated(r.Data) || name == "" {
		return fmt.Sprintf("Found process entry with empty 'proc_name': %s at %s", pyText(r.Data["live_proc_id"]), r.String("live_isodate"))
	}
	msg := "Could not find the binary associated with the process with name " + name
	if utf8.RuneCountInString(name) == 16 {
		msg += " (However, the process name might have been truncated in the database)"
	}
	return msg
}

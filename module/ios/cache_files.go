package ios

// CacheFiles: the URL responses CFNetwork caches for every app and daemon
// (NSURLCache), in the Cache.db files found anywhere in a filesystem dump.
//
//   fs: every regular file named Cache.db (for example
//       private/var/mobile/Containers/Data/Application/*/Library/Caches/<bundle>/Cache.db)
//
// Table cfurl_cache_response(entry_ID, version, hash_value,
// storage_policy, request_key, time_stamp, partition), iOS 5+; a
// Cache.db without that table is skipped, as MVT does.
//
// MVT's cache_files.json is one dictionary keyed by the Cache.db path;
// here every response is its own record, carrying that path in
// cache_file (the key MVT adds to the record of an alert), so records
// stream and every record looks like MVT's alert events.

import (
	"context"
	"errors"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// CacheFiles reads every Cache.db of a filesystem dump.
type CacheFiles struct{}

// Info implements module.Module.
func (CacheFiles) Info() module.Info {
	return module.Info{Name: "cache_files", Title: "CacheFiles", Kinds: []evidence.Kind{evidence.IOSFS}, TimeField: "isodate"}
}

// Extract implements module.Module: the rows of each Cache.db in device
// path order, each in table order. A damaged database does not stop the
// others; the errors are joined.
func (CacheFiles) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	f, err := dumpAs[dumpNameFinder](src)
	if err != nil {
		return err
	}
	entries, err := f.FindName(ctx, "Cache.db")
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find Cache.db: %w", evidence.ErrNotFound)
	}
	var errs []error
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		key := entryRelPath(src, e)
		errs = append(errs, withDB(src, e, func(db *evidence.DB) error { return cacheResponses(db, key, emit) }))
	}
	return errors.Join(errs...)
}

// cacheResponses emits the rows of one Cache.db's cfurl_cache_response.
// The columns are read by position, as MVT does, so renamed columns in
// other iOS versions still read.
func cacheResponses(db *evidence.DB, key string, emit func(record.Record)) error {
	cols, err := db.Columns("cfurl_cache_response")
	if err != nil || len(cols) < 6 {
		return err
	}
	return db.Query("SELECT * FROM cfurl_cache_response", func(row evidence.Row) error {
		v := func(i int) any {
			if b, ok := row.Value(i).([]byte); ok {
				return evidence.BytesText(b)
			}
			return row.Value(i)
		}
		emit(record.Record{Data: map[string]any{
			"entry_id": v(0), "version": v(1), "hash_value": v(2), "storage_policy": v(3),
			"url": v(4), "isodate": v(5), "cache_file": key,
		}})
		return nil
	})
}

// Observables implements module.Module.
func (CacheFiles) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "url", r.String("url"))
}

// Timeline implements module.Module.
func (m CacheFiles) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "cache_response",
		fmt.Sprintf("%s recorded visit to URL %s", r.String("cache_file"), pyText(r.Data["url"])))
}

package ios

// ChromeHistory: the pages visited in Chrome for iOS.
//
//   backup: faf971ce92c3ac508c018dce1bef2a8b8e9838f1
//           (AppDomain-com.google.chrome.ios Library/Application Support/Google/Chrome/Default/History)
//   fs:     private/var/mobile/Containers/Data/Application/*/Library/Application Support/Google/Chrome/Default/History
//
// Chromium's history schema: urls(id, url, …), visits(id, url,
// visit_time, from_visit, …); times in microseconds since 1601.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// ChromeHistory reads Chrome's History database.
type ChromeHistory struct{}

var chromeHistoryQuery = artifact("faf971ce92c3ac508c018dce1bef2a8b8e9838f1",
	"private/var/mobile/Containers/Data/Application/*/Library/Application Support/Google/Chrome/Default/History")

// Info implements module.Module.
func (ChromeHistory) Info() module.Info {
	return module.Info{Name: "chrome_history", Title: "ChromeHistory", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module: every visit, oldest first.
func (ChromeHistory) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, chromeHistoryQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "urls", "id", "url"); err != nil {
		return err
	}
	if err := requireColumns(db, "visits", "id", "url", "visit_time", "from_visit"); err != nil {
		return err
	}
	const sql = `SELECT urls.id AS id, urls.url AS url, visits.id AS visit_id, visits.visit_time AS visit_time,
		visits.from_visit AS from_visit FROM urls JOIN visits ON visits.url = urls.id ORDER BY visits.visit_time`
	return db.Query(sql, func(row evidence.Row) error {
		emit(record.Record{Data: map[string]any{
			"id": row.Get("id"), "url": row.Get("url"), "visit_id": row.Get("visit_id"),
			"timestamp": row.Get("visit_time"), "isodate": chromeTimeISO(row.Get("visit_time")),
			"redirect_source": row.Get("from_visit"),
		}})
		return nil
	})
}

// chromeTimeISO converts a Chrome time column (microseconds since 1601);
// NULL and non-numbers give "".
func chromeTimeISO(v any) string {
	f, ok := record.Num(v)
	if !ok {
		return ""
	}
	return record.FromChrome(int64(f))
}

// Observables implements module.Module.
func (ChromeHistory) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "url", r.String("url"))
}

// Timeline implements module.Module.
func (m ChromeHistory) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "visit",
		fmt.Sprintf("%s - %s (visit ID: %s, redirect source: %s)", pyText(r.Data["id"]), pyText(r.Data["url"]),
			pyText(r.Data["visit_id"]), pyText(r.Data["redirect_source"])))
}

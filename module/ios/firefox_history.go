package ios

// FirefoxHistory: the pages visited in Firefox for iOS.
//
//   backup: 2e57c396a35b0d1bcbc624725002d98bd61d142b
//           (AppDomainGroup-group.org.mozilla.ios.Firefox profile.profile/browser.db)
//   fs:     private/var/mobile/profile.profile/browser.db
//
// Tables history(id, url, title) and visits(id, siteID, date, is_local,
// type); visit dates in microseconds since 1970.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// FirefoxHistory reads the visits of Firefox's browser.db.
type FirefoxHistory struct{}

var firefoxBrowserQuery = artifact("2e57c396a35b0d1bcbc624725002d98bd61d142b", "private/var/mobile/profile.profile/browser.db")

// Info implements module.Module.
func (FirefoxHistory) Info() module.Info {
	return module.Info{Name: "firefox_history", Title: "FirefoxHistory", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module: every visit, in table order. The
// is_local field keeps MVT's name, i1000000s_local.
func (FirefoxHistory) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, firefoxBrowserQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "history", "id", "url", "title"); err != nil {
		return err
	}
	if err := requireColumns(db, "visits", "id", "siteID", "date", "is_local", "type"); err != nil {
		return err
	}
	const sql = `SELECT visits.id AS id, visits.date/1000000 AS date, history.url AS url, history.title AS title,
		visits.is_local AS is_local, visits.type AS type FROM visits, history WHERE visits.siteID = history.id`
	return db.Query(sql, func(row evidence.Row) error {
		emit(record.Record{Data: map[string]any{
			"id": row.Get("id"), "isodate": unixISO(row.Get("date")), "url": row.Get("url"), "title": row.Get("title"),
			"i1000000s_local": row.Get("is_local"), "type": row.Get("type"),
		}})
		return nil
	})
}

// Observables implements module.Module.
func (FirefoxHistory) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "url", r.String("url"))
}

// Timeline implements module.Module.
func (m FirefoxHistory) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "firefox_history",
		fmt.Sprintf("Firefox visit with ID %s to URL: %s", pyText(r.Data["id"]), pyText(r.Data["url"])))
}

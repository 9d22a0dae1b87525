package ios

// FirefoxFavicon: the icons Firefox for iOS fetched for the sites in its
// history.
//
//   backup: 2e57c396a35b0d1bcbc624725002d98bd61d142b
//           (AppDomainGroup-group.org.mozilla.ios.Firefox profile.profile/browser.db)
//   fs:     private/var/mobile/profile.profile/browser.db
//
// Tables favicons(id, url, width, height, type, date),
// favicon_sites(siteID, faviconID) and history(id, url); dates in Unix
// seconds.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// FirefoxFavicon reads the favicons of Firefox's browser.db.
type FirefoxFavicon struct{}

// Info implements module.Module.
func (FirefoxFavicon) Info() module.Info {
	return module.Info{Name: "firefox_favicon", Title: "FirefoxFavicon", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module: every icon of every site, in table
// order.
func (FirefoxFavicon) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, firefoxBrowserQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "favicons", "id", "url", "width", "height", "type", "date"); err != nil {
		return err
	}
	if err := requireColumns(db, "favicon_sites", "siteID", "faviconID"); err != nil {
		return err
	}
	if err := requireColumns(db, "history", "id", "url"); err != nil {
		return err
	}
	const sql = `SELECT favicons.id AS id, favicons.url AS url, favicons.width AS width, favicons.height AS height,
		favicons.type AS type, favicons.date AS date, history.id AS history_id, history.url AS history_url
		FROM favicons INNER JOIN favicon_sites ON favicon_sites.faviconID = favicons.id
		INNER JOIN history ON favicon_sites.siteID = history.id`
	return db.Query(sql, func(row evidence.Row) error {
		emit(record.Record{Data: map[string]any{
			"id": row.Get("id"), "url": row.Get("url"), "width": row.Get("width"), "height": row.Get("height"),
			"type": row.Get("type"), "isodate": unixISO(row.Get("date")),
			"history_id": row.Get("history_id"), "history_url": row.Get("history_url"),
		}})
		return nil
	})
}

// Observables implements module.Module: the icon URL, then the page URL.
func (FirefoxFavicon) Observables(r record.Record) []record.Observable {
	obs := module.Observe(record.Critical, record.URL, "url", r.String("url"))
	return append(obs, module.Observe(record.Critical, record.URL, "history_url", r.String("history_url"))...)
}

// Timeline implements module.Module.
func (m FirefoxFavicon) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "firefox_history",
		fmt.Sprintf("Firefox favicon %s when visiting %s", pyText(r.Data["url"]), pyText(r.Data["history_url"])))
}

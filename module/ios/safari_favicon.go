package ios

// SafariFavicon: the icons Safari (and apps embedding its views) fetched
// for pages, and the icons it rejected.
//
//   fs: private/var/mobile/Library/Image Cache/Favicons/Favicons.db
//       private/var/mobile/Containers/Data/Application/*/Library/Image Cache/Favicons/Favicons.db
//
// Tables page_url(uuid, url), icon_info(uuid, url, timestamp) and
// rejected_resources(page_url, icon_url, timestamp); iOS 12+.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SafariFavicon reads every Favicons.db of a filesystem dump.
type SafariFavicon struct{}

var safariFaviconQuery = evidence.Query{DevicePaths: []string{
	"private/var/mobile/Library/Image Cache/Favicons/Favicons.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Image Cache/Favicons/Favicons.db",
}}

// Info implements module.Module.
func (SafariFavicon) Info() module.Info {
	return module.Info{Name: "safari_favicon", Title: "SafariFavicon", Kinds: []evidence.Kind{evidence.IOSFS}, TimeField: "isodate"}
}

var safariFaviconSQL = []struct{ kind, sql string }{
	{"valid", `SELECT page_url.url AS url, icon_info.url AS icon_url, icon_info.timestamp AS timestamp
		FROM page_url JOIN icon_info ON page_url.uuid = icon_info.uuid ORDER BY icon_info.timestamp`},
	{"rejected", "SELECT page_url AS url, icon_url, timestamp FROM rejected_resources ORDER BY timestamp"},
}

// Extract implements module.Module: valid then rejected icons of each
// database, then everything sorted by time (stable), as MVT does.
func (SafariFavicon) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	var all []map[string]any
	err := eachDB(ctx, src, safariFaviconQuery, func(db *evidence.DB) error {
		if err := requireColumns(db, "page_url", "uuid", "url"); err != nil {
			return err
		}
		if err := requireColumns(db, "icon_info", "uuid", "url", "timestamp"); err != nil {
			return err
		}
		if err := requireColumns(db, "rejected_resources", "page_url", "icon_url", "timestamp"); err != nil {
			return err
		}
		path := entryRelPath(src, db.Entry())
		for _, q := range safariFaviconSQL {
			err := db.Query(q.sql, func(row evidence.Row) error {
				all = append(all, map[string]any{
					"url": row.Get("url"), "icon_url": row.Get("icon_url"), "timestamp": row.Get("timestamp"),
					"isodate": macTimeISO(row.Get("timestamp")), "type": q.kind, "safari_favicon_db_path": path,
				})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	emitByISODate(all, emit)
	return err
}

// Observables implements module.Module: the page URL, then the icon URL.
func (SafariFavicon) Observables(r record.Record) []record.Observable {
	return pageAndIconURLs(r)
}

// Timeline implements module.Module.
func (m SafariFavicon) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "safari_favicon",
		fmt.Sprintf("Safari favicon from %s with icon URL %s (%s)", pyText(r.Data["url"]), pyText(r.Data["icon_url"]), r.String("type")))
}

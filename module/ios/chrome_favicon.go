package ios

// ChromeFavicon: the icons Chrome for iOS fetched for the pages it showed.
//
//   backup: 55680ab883d0fdcffd94f959b1632e5fbbb18c5b
//           (AppDomain-com.google.chrome.ios Library/Application Support/Google/Chrome/Default/Favicons)
//   fs:     private/var/mobile/Containers/Data/Application/*/Library/Application Support/Google/Chrome/Default/Favicons
//
// Chromium's favicon schema: icon_mapping(id, page_url, icon_id),
// favicons(id, url), favicon_bitmaps(icon_id, last_updated,
// last_requested); times in microseconds since 1601.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// ChromeFavicon reads Chrome's Favicons database.
type ChromeFavicon struct{}

var chromeFaviconQuery = artifact("55680ab883d0fdcffd94f959b1632e5fbbb18c5b",
	"private/var/mobile/Containers/Data/Application/*/Library/Application Support/Google/Chrome/Default/Favicons")

// Info implements module.Module.
func (ChromeFavicon) Info() module.Info {
	return module.Info{Name: "chrome_favicon", Title: "ChromeFavicon", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module: the icons sorted by time (stable over
// the mapping order), as MVT does.
func (ChromeFavicon) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, chromeFaviconQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, t := range []struct {
		table string
		cols  []string
	}{
		{"icon_mapping", []string{"id", "page_url", "icon_id"}}, {"favicons", []string{"id", "url"}},
		{"favicon_bitmaps", []string{"icon_id", "last_updated", "last_requested"}},
	} {
		if err := requireColumns(db, t.table, t.cols...); err != nil {
			return err
		}
	}
	const sql = `SELECT icon_mapping.page_url AS page_url, favicons.url AS icon_url,
		favicon_bitmaps.last_updated AS last_updated, favicon_bitmaps.last_requested AS last_requested
		FROM icon_mapping JOIN favicon_bitmaps ON icon_mapping.icon_id = favicon_bitmaps.icon_id
		JOIN favicons ON icon_mapping.icon_id = favicons.id ORDER BY icon_mapping.id`
	var all []map[string]any
	err = db.Query(sql, func(row evidence.Row) error {
		last, _ := record.Num(row.Get("last_updated"))
		if last == 0 {
			last, _ = record.Num(row.Get("last_requested"))
		}
		all = append(all, map[string]any{"url": row.Get("page_url"), "icon_url": row.Get("icon_url"),
			"timestamp": int64(last), "isodate": record.FromChrome(int64(last))})
		return nil
	})
	emitByISODate(all, emit)
	return err
}

// Observables implements module.Module: the page URL, then the icon URL.
func (ChromeFavicon) Observables(r record.Record) []record.Observable {
	return pageAndIconURLs(r)
}

// Timeline implements module.Module.
func (m ChromeFavicon) Timeline(r record.Record) []record.Event {
	return module.Event(m.Info().Title, r.String("isodate"), "new_favicon",
		fmt.Sprintf("%s from %s", pyText(r.Data["icon_url"]), pyText(r.Data["url"])))
}

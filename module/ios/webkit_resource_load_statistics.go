package ios

// WebkitResourceLoadStatistics: the domains WebKit's Intelligent Tracking
// Prevention has seen, per app that embeds WebKit (Safari, Mail, third-party
// browsers).
//
//   backup: every Manifest entry, any domain, with relativePath
//           Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db
//   fs:     private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db
//           private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db
//
// Schema (iOS 12+): ObservedDomains(domainID, registrableDomain, lastSeen,
// hadUserInteraction, …); mostRecentUserInteractionTime (iOS 14+) and
// mostRecentWebPushInteractionTime (iOS 16+) are read when present.

import (
	"context"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// WebkitResourceLoadStatistics reads every app's observations.db.
type WebkitResourceLoadStatistics struct{}

const webkitObservationsPath = "Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db"

var webkitObservationsQuery = evidence.Query{
	RelativePaths: []string{webkitObservationsPath},
	DevicePaths: []string{
		"private/var/mobile/Containers/Data/Application/*/" + webkitObservationsPath,
		"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db",
	},
}

// webkitOptionalColumns maps the optional ObservedDomains columns to their
// record fields.
var webkitOptionalColumns = []struct{ column, field string }{
	{"mostRecentUserInteractionTime", "most_recent_user_interaction_time"},
	{"mostRecentWebPushInteractionTime", "most_recent_web_push_interaction_time"},
}

// Info implements module.Module.
func (WebkitResourceLoadStatistics) Info() module.Info {
	return module.Info{Name: "webkit_resource_load_statistics", Title: "WebkitResourceLoadStatistics", Kinds: mixed, TimeField: "last_seen_isodate"}
}

// Extract implements module.Module: the ObservedDomains rows of each
// database, in table order.
func (WebkitResourceLoadStatistics) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return eachDB(ctx, src, webkitObservationsQuery, func(db *evidence.DB) error {
		e := db.Entry()
		// In a backup the app is the entry's domain and the path is the
		// relative path; a filesystem dump has no domain.
		domain, path := e.Domain, e.RelativePath
		if src.Kind() != evidence.IOSBackup {
			domain, path = "", entryRelPath(src, e)
		}
		return webkitObservedDomains(db, domain, path, emit)
	})
}

func webkitObservedDomains(db *evidence.DB, domain, path string, emit func(record.Record)) error {
	if err := requireColumns(db, "ObservedDomains", "domainID", "registrableDomain", "lastSeen", "hadUserInteraction"); err != nil {
		return err
	}
	have, err := db.Columns("ObservedDomains")
	if err != nil {
		return err
	}
	cols := []string{"domainID", "registrableDomain", "lastSeen", "hadUserInteraction"}
	for _, o := range webkitOptionalColumns {
		if have[o.column] {
			cols = append(cols, o.column)
		}
	}
	sql := "SELECT " + strings.Join(cols, ", ") + " FROM ObservedDomains"
	return db.Query(sql, func(row evidence.Row) error {
		m := row.Map()
		d := map[string]any{
			"domain_id":            m["domainID"],
			"registrable_domain":   m["registrableDomain"],
			"last_seen":            m["lastSeen"],
			"had_user_interaction": record.Truthy(m["hadUserInteraction"]),
			"last_seen_isodate":    unixISO(m["lastSeen"]),
			"domain":               domain,
			"path":                 path,
		}
		for _, o := range webkitOptionalColumns {
			v, ok := m[o.column]
			if !ok {
				continue
			}
			d[o.field] = v
			if f, isNum := record.Num(v); isNum && f >= 0 {
				d[o.field+"_isodate"] = unixISO(v)
			}
		}
		emit(record.Record{Data: d})
		return nil
	})
}

// Observables implements module.Module: the registrable domain.
func (WebkitResourceLoadStatistics) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "registrable_domain", r.String("registrable_domain"))
}

// Timeline implements module.Module.
func (m WebkitResourceLoadStatistics) Timeline(r record.Record) []record.Event {
	data := "Webkit resource loaded from " + pyText(r.Data["registrable_domain"])
	if app := r.String("domain"); app != "" {
		data += " by app in domain " + app
	}
	return module.Event(m.Info().Title, r.String("last_seen_isodate"), "visit", data)
}

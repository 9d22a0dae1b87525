package ios

// SafariBrowserState: Safari's open tabs and each tab's back/forward list,
// from the default profile and from every named profile (iOS 17+).
//
//   backup: 3a47b0981ed7c10f3e2800aa66bac96a3b5db28e (HomeDomain Library/Safari/BrowserState.db),
//           and every Manifest entry, any domain, with relativePath
//           Library/Safari/BrowserState.db or Library/Safari/Profiles/*/BrowserState.db
//   fs:     private/var/mobile/Library/Safari/BrowserState.db
//           private/var/mobile/Library/Safari/Profiles/*/BrowserState.db
//           private/var/mobile/Containers/Data/Application/*/Library/Safari/BrowserState.db
//           private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/BrowserState.db
//
// Schemas: iOS 12+ keeps session_data in tab_sessions (joined on the tab
// uuid); older versions keep it in tabs. session_data is a 4-byte header
// followed by a property list with SessionHistory.SessionHistoryEntries.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SafariBrowserState reads every Safari BrowserState.db.
type SafariBrowserState struct{}

var safariBrowserStateQuery = evidence.Query{
	BackupIDs:     []string{"3a47b0981ed7c10f3e2800aa66bac96a3b5db28e"},
	RelativePaths: []string{"Library/Safari/BrowserState.db", "Library/Safari/Profiles/*/BrowserState.db"},
	DevicePaths: []string{
		"private/var/mobile/Library/Safari/BrowserState.db",
		"private/var/mobile/Library/Safari/Profiles/*/BrowserState.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/BrowserState.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/BrowserState.db",
	},
}

const (
	safariTabsSessionsSQL = `SELECT tabs.title AS tab_title, tabs.url AS tab_url,
	tabs.user_visible_url AS tab_visible_url, tabs.last_viewed_time AS last_viewed_time,
	tab_sessions.session_data AS session_data
FROM tabs JOIN tab_sessions ON tabs.uuid = tab_sessions.tab_uuid
ORDER BY tabs.last_viewed_time`
	safariTabsOnlySQL = `SELECT title AS tab_title, url AS tab_url, user_visible_url AS tab_visible_url,
	last_viewed_time, session_data
FROM tabs ORDER BY last_viewed_time`
)

// Info implements module.Module.
func (SafariBrowserState) Info() module.Info {
	return module.Info{Name: "safari_browser_state", Title: "SafariBrowserState", Kinds: mixed, TimeField: "last_viewed_timestamp"}
}

// Extract implements module.Module: the tabs of each database, least
// recently viewed first.
func (SafariBrowserState) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return eachDB(ctx, src, safariBrowserStateQuery, func(db *evidence.DB) error {
		return safariTabs(db, entryRelPath(src, db.Entry()), emit)
	})
}

func safariTabs(db *evidence.DB, rel string, emit func(record.Record)) error {
	sql, err := safariTabsSQL(db)
	if err != nil {
		return err
	}
	return db.Query(sql, func(row evidence.Row) error {
		d := row.Map()
		raw, _ := row.Get("session_data").([]byte)
		d["session_data"] = safariSessionEntries(raw)
		d["last_viewed_timestamp"] = macTimeISO(d["last_viewed_time"])
		delete(d, "last_viewed_time")
		d["safari_browser_state_db"] = rel
		emit(record.Record{Data: d})
		return nil
	})
}

// safariTabsSQL picks the query for the database's schema.
func safariTabsSQL(db *evidence.DB) (string, error) {
	tabCols := []string{"title", "url", "user_visible_url", "last_viewed_time"}
	sessions, err := db.Columns("tab_sessions")
	if err != nil {
		return "", err
	}
	if sessions["tab_uuid"] && sessions["session_data"] {
		return safariTabsSessionsSQL, requireColumns(db, "tabs", append(tabCols, "uuid")...)
	}
	return safariTabsOnlySQL, requireColumns(db, "tabs", append(tabCols, "session_data")...)
}

// safariSessionEntries decodes a tab's session_data: a 4-byte header, then
// a property list whose SessionHistory.SessionHistoryEntries list the
// tab's back/forward pages. Anything it cannot decode gives no entries.
func safariSessionEntries(blob []byte) []any {
	entries := []any{}
	if len(blob) <= 4 {
		return entries
	}
	v, err := evidence.DecodePlist(blob[4:])
	if err != nil {
		return entries
	}
	top, _ := v.(map[string]any)
	history, _ := top["SessionHistory"].(map[string]any)
	list, _ := history["SessionHistoryEntries"].([]any)
	for _, item := range list {
		e, ok := item.(map[string]any)
		if !ok {
			continue
		}
		length := 0
		switch data := e["SessionHistoryEntryData"].(type) {
		case []byte:
			length = len(data)
		case string:
			length = len(data)
		}
		entries = append(entries, map[string]any{
			"entry_title": evidence.Plain(e["SessionHistoryEntryOriginalURL"]),
			"entry_url":   evidence.Plain(e["SessionHistoryEntryURL"]),
			"data_length": int64(length),
		})
	}
	return entries
}

// Observables implements module.Module: the tab's URL, then the URL of
// each page in its history.
func (SafariBrowserState) Observables(r record.Record) []record.Observable {
	var pages []string
	entries, _ := r.Data["session_data"].([]any)
	for _, item := range entries {
		if e, ok := item.(map[string]any); ok {
			u, _ := e["entry_url"].(string)
			pages = append(pages, u)
		}
	}
	obs := module.Observe(record.Critical, record.URL, "tab_url", r.String("tab_url"))
	return append(obs, module.Observe(record.Critical, record.URL, "session_data.entry_url", pages...)...)
}

// Timeline implements module.Module.
func (m SafariBrowserState) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("%s - %s", pyText(r.Data["tab_title"]), pyText(r.Data["tab_url"]))
	return module.Event(m.Info().Title, r.String("last_viewed_timestamp"), "tab", data)
}

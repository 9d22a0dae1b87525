package ios

// WebkitSessionResourceLog: WebKit's per-session log of the prevalent
// resources (tracker-like domains) seen while browsing, with the
// redirects into and out of each and the frames and resources it loaded.
//
//   backup: every Manifest entry with relativePath
//           Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist
//           (Safari's is a500ee38053454a02e990957be8a251935e28d3f)
//   fs:     private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/full_browsing_session_resourceLog.plist
//           private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist
//           private/var/mobile/Library/WebClips/*/Storage/full_browsing_session_resourceLog.plist
//
// The plist's browsingStatistics is a list of dictionaries
// (PrevalentResourceOrigin, topFrameUniqueRedirectsFrom/To,
// subframeUnderTopFrameOrigins, subresourceUnderTopFrameOrigins — lists of
// {origin|domain} dictionaries —, hadUserInteraction,
// mostRecentUserInteraction, lastSeen); iOS 12+.
//
// MVT's result is one dictionary keyed by the plist's path; here each
// entry is a record carrying that path in log_path.

import (
	"context"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// WebkitSessionResourceLog reads every full_browsing_session_resourceLog.plist.
type WebkitSessionResourceLog struct{}

const webkitSessionLogPath = "Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist"

var webkitSessionLogQuery = evidence.Query{
	RelativePaths: []string{webkitSessionLogPath},
	DevicePaths: []string{
		"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/full_browsing_session_resourceLog.plist",
		"private/var/mobile/Containers/Data/Application/*/" + webkitSessionLogPath,
		"private/var/mobile/Library/WebClips/*/Storage/full_browsing_session_resourceLog.plist",
	},
}

// webkitSessionLists are the record fields holding lists of
// {origin|domain} dictionaries, with their plist keys.
var webkitSessionLists = []struct{ field, key string }{
	{"redirect_source", "topFrameUniqueRedirectsFrom"},
	{"redirect_destination", "topFrameUniqueRedirectsTo"},
	{"subframe_under_origin", "subframeUnderTopFrameOrigins"},
	{"subresource_under_origin", "subresourceUnderTopFrameOrigins"},
}

// Info implements module.Module.
func (WebkitSessionResourceLog) Info() module.Info {
	return module.Info{Name: "webkit_session_resource_log", Title: "WebkitSessionResourceLog", Kinds: mixed, TimeField: "last_seen"}
}

// Extract implements module.Module: the entries of each log, in order.
func (WebkitSessionResourceLog) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, webkitSessionLogQuery)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return evidence.ErrNotFound
	}
	for _, e := range entries {
		dict, _, err := readPlistDict(src, e)
		if err != nil {
			return err
		}
		stats, _ := dict["browsingStatistics"].([]any)
		path := entryRelPath(src, e)
		for _, item := range stats {
			if m, ok := item.(map[string]any); ok {
				emit(record.Record{Data: webkitSessionRecord(m, path)})
			}
		}
	}
	return nil
}

func webkitSessionRecord(item map[string]any, path string) map[string]any {
	orEmpty := func(k string) any {
		if v, ok := item[k]; ok {
			return evidence.Plain(v)
		}
		return ""
	}
	d := map[string]any{
		"log_path": path, "origin": orEmpty("PrevalentResourceOrigin"),
		"user_interaction":        evidence.Plain(item["hadUserInteraction"]),
		"most_recent_interaction": plistDateISO(item["mostRecentUserInteraction"]),
		"last_seen":               plistDateISO(item["lastSeen"]),
	}
	for _, l := range webkitSessionLists {
		d[l.field] = orEmpty(l.key)
	}
	return d
}

// plistDateISO is a plist date as TimeLayout; anything else gives nil.
func plistDateISO(v any) any {
	if t, ok := v.(time.Time); ok {
		return record.ISO(t)
	}
	return nil
}

// webkitSessionDomains lists the origin and domain values of a list of
// {origin|domain} dictionaries.
func webkitSessionDomains(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		for _, k := range []string{"origin", "domain"} {
			if s, ok := m[k].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// Observables implements module.Module: the origin, then every domain of
// the redirect, subframe and subresource lists, without repeats.
func (WebkitSessionResourceLog) Observables(r record.Record) []record.Observable {
	seen := map[string]bool{}
	var obs []record.Observable
	add := func(field string, values ...string) {
		for _, v := range values {
			if v != "" && !seen[v] {
				seen[v] = true
				obs = append(obs, module.Observe(record.Critical, record.URL, field, v)...)
			}
		}
	}
	add("origin", r.String("origin"))
	for _, l := range webkitSessionLists {
		add(l.field, webkitSessionDomains(r.Data[l.field])...)
	}
	return obs
}

// Timeline implements module.Module: none, as MVT.
func (WebkitSessionResourceLog) Timeline(record.Record) []record.Event { return nil }

// FollowMatch implements module.MatchFollower: when a domain of the entry
// is an indicator, the redirect chain through it is worth its own finding
// (MVT's "Found HTTP redirect between suspicious domains").
func (WebkitSessionResourceLog) FollowMatch(r record.Record) []record.Finding {
	sources := webkitSessionDomains(r.Data["redirect_source"])
	destinations := webkitSessionDomains(r.Data["redirect_destination"])
	if len(sources) == 0 && len(destinations) == 0 {
		return nil
	}
	var path strings.Builder
	if len(sources) > 0 {
		path.WriteString("SOURCE: " + strings.Join(sources, ", ") + " -> ")
	}
	path.WriteString("ORIGIN: " + r.String("origin"))
	if len(destinations) > 0 {
		path.WriteString(" -> DESTINATION: " + strings.Join(destinations, ", "))
	}
	return []record.Finding{module.Alert(record.High, r, r.String("last_seen"), "Found HTTP redirect between suspicious domains: "+path.String())}
}

package ios

// SafariHistory: Safari's browsing history, one record per visit, from the
// default profile and from every named profile (iOS 17+ keeps one
// History.db per profile).
//
//   backup: 1a0e7afc19d307da602ccdcece51af33afe92c53 (HomeDomain Library/Safari/History.db),
//           and every Manifest entry, any domain, with relativePath
//           Library/Safari/History.db or Library/Safari/Profiles/*/History.db
//   fs:     private/var/mobile/Library/Safari/History.db
//           private/var/mobile/Library/Safari/Profiles/*/History.db
//           private/var/mobile/Containers/Data/Application/*/Library/Safari/History.db
//           private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/History.db
//
// Schema (iOS 8+): history_items(id, url) and history_visits(id,
// history_item, visit_time, redirect_source, redirect_destination); visit
// ids are local to each database.

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SafariHistory reads every Safari History.db.
type SafariHistory struct{}

var safariHistoryQuery = evidence.Query{
	BackupIDs:     []string{"1a0e7afc19d307da602ccdcece51af33afe92c53"},
	RelativePaths: []string{"Library/Safari/History.db", "Library/Safari/Profiles/*/History.db"},
	DevicePaths: []string{
		"private/var/mobile/Library/Safari/History.db",
		"private/var/mobile/Library/Safari/Profiles/*/History.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/History.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/History.db",
	},
}

const safariHistorySQL = `SELECT history_items.id AS id, history_items.url AS url,
	history_visits.id AS visit_id, history_visits.visit_time AS timestamp,
	history_visits.redirect_source AS redirect_source,
	history_visits.redirect_destination AS redirect_destination
FROM history_items JOIN history_visits ON history_visits.history_item = history_items.id
ORDER BY history_visits.visit_time`

// Info implements module.Module.
func (SafariHistory) Info() module.Info {
	return module.Info{Name: "safari_history", Title: "SafariHistory", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module: the visits of each database in visit
// order, each naming its database in safari_history_db.
func (SafariHistory) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return eachDB(ctx, src, safariHistoryQuery, func(db *evidence.DB) error {
		return safariHistoryVisits(db, entryRelPath(src, db.Entry()), emit)
	})
}

func safariHistoryVisits(db *evidence.DB, rel string, emit func(record.Record)) error {
	if err := requireColumns(db, "history_items", "id", "url"); err != nil {
		return err
	}
	if err := requireColumns(db, "history_visits", "id", "history_item", "visit_time", "redirect_source", "redirect_destination"); err != nil {
		return err
	}
	return db.Query(safariHistorySQL, func(row evidence.Row) error {
		d := row.Map()
		d["isodate"] = macTimeISO(d["timestamp"])
		d["safari_history_db"] = rel
		emit(record.Record{Data: d})
		return nil
	})
}

// Observables implements module.Module: the visited URL.
func (SafariHistory) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "url", r.String("url"))
}

// Timeline implements module.Module.
func (m SafariHistory) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("Safari visit to %s (ID: %s, Visit ID: %s)",
		pyText(r.Data["url"]), pyText(r.Data["id"]), pyText(r.Data["visit_id"]))
	return module.Event(m.Info().Title, r.String("isodate"), "safari_history", data)
}

// NewInspector implements module.Heuristic: MVT's network-injection check.
// An http:// visit redirected, within the same database, to a visit on
// another domain less than a second later is suspicious.
func (SafariHistory) NewInspector() module.Inspector {
	return &safariRedirects{recent: map[safariVisitKey]safariVisit{}, pending: map[safariVisitKey][]record.Record{}}
}

// safariVisitKey names a visit: visit ids are only unique in one database.
type safariVisitKey struct {
	db string
	id int64
}

// safariVisit is what the redirect check needs to know of a visit: its
// URL and time, kept as the record's own strings (nothing is parsed until
// a redirect needs it).
type safariVisit struct {
	url, isodate string
}

// safariRecentVisits is how many of the latest visits are remembered for
// a redirect whose destination was listed before its origin. Visits come
// in time order (the query orders them by visit_time, as MVT's does), so
// a destination that could raise the alert (0 to 1 s after its origin) is
// either listed after the origin, and found through pending, or has the
// very same time and is among the latest visits.
const safariRecentVisits = 4096

// safariRedirects remembers the latest visits and the http:// visits
// whose redirect destination has not been seen yet. Memory stays bounded
// whatever the size of the history.
type safariRedirects struct {
	recent  map[safariVisitKey]safariVisit
	ring    []safariVisitKey // keys of recent, oldest at next once full
	next    int
	pending map[safariVisitKey][]record.Record
}

// remember keeps v among the latest visits, forgetting the oldest.
func (s *safariRedirects) remember(key safariVisitKey, v safariVisit) {
	if len(s.ring) < safariRecentVisits {
		s.ring = append(s.ring, key)
	} else {
		delete(s.recent, s.ring[s.next])
		s.ring[s.next] = key
		s.next = (s.next + 1) % safariRecentVisits
	}
	s.recent[key] = v
}

// Inspect implements module.Inspector.
func (s *safariRedirects) Inspect(r record.Record, raise func(record.Finding)) {
	db := r.String("safari_history_db")
	if id, ok := safariVisitID(r.Data["visit_id"]); ok {
		key := safariVisitKey{db, id}
		v := newSafariVisit(r)
		s.remember(key, v)
		for _, origin := range s.pending[key] {
			safariCheckRedirect(origin, v, raise)
		}
		delete(s.pending, key)
	}
	if !strings.HasPrefix(strings.ToLower(r.String("url")), "http://") || !record.Truthy(r.Data["redirect_destination"]) {
		return
	}
	dest, ok := safariVisitID(r.Data["redirect_destination"])
	if !ok {
		return
	}
	key := safariVisitKey{db, dest}
	if v, seen := s.recent[key]; seen {
		safariCheckRedirect(r, v, raise)
		return
	}
	s.pending[key] = append(s.pending[key], r)
}

// Finish implements module.Inspector: redirects to visits never seen
// raise nothing.
func (s *safariRedirects) Finish(func(record.Finding)) {
	clear(s.recent)
	clear(s.pending)
	s.ring = nil
}

func safariVisitID(v any) (int64, bool) {
	f, ok := record.Num(v)
	return int64(f), ok
}

func newSafariVisit(r record.Record) safariVisit {
	return safariVisit{url: r.String("url"), isodate: r.String("isodate")}
}

// safariCheckRedirect raises MVT's alert when origin redirected to dest on
// another domain in less than a second.
func safariCheckRedirect(origin record.Record, dest safariVisit, raise func(record.Finding)) {
	if safariURLDomain(origin.String("url")) == safariURLDomain(dest.url) {
		return // same domain: most likely an upgrade to https
	}
	start, err1 := time.Parse(record.TimeLayout, origin.String("isodate"))
	end, err2 := time.Parse(record.TimeLayout, dest.isodate)
	if err1 != nil || err2 != nil {
		return
	}
	elapsed := end.Sub(start)
	if elapsed < 0 || elapsed >= time.Second {
		return
	}
	ms := float64(elapsed.Microseconds()) / 1000
	raise(module.Alert(record.Medium, origin, origin.String("isodate"),
		fmt.Sprintf("Redirect took less than a second! (%s milliseconds)", pyFloat(ms))))
}

// safariURLDomain is the domain compared for redirects: the URL's
// lower-cased host without port and without a leading "www.", or "" when
// the host has no known public suffix.
func safariURLDomain(raw string) string {
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "//") && !strings.HasPrefix(lower, "http://") &&
		!strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "ftp://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if !hasPublicSuffix(host) {
		return ""
	}
	return strings.TrimPrefix(host, "www.")
}

// hasPublicSuffix reports whether host is a name under a listed public suffix.
func hasPublicSuffix(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if host == "" || net.ParseIP(host) != nil {
		return false
	}
	ps, icann := publicsuffix.PublicSuffix(host)
	if !icann && !strings.Contains(ps, ".") {
		return false // only the default rule matched: unlisted top-level domain
	}
	return ps != host
}

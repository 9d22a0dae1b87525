package workload

import (
	"math/rand/v2"
	"net/url"
	"strings"
)

// safariSchema is Safari's History.db (iOS 15+).
const safariSchema = `
CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, domain_expansion TEXT NULL, visit_count INTEGER NOT NULL, daily_visit_counts BLOB NOT NULL, weekly_visit_counts BLOB NULL, autocomplete_triggers BLOB NULL, should_recompute_derived_visit_counts INTEGER NOT NULL, visit_count_score INTEGER NOT NULL, status_code INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE, visit_time REAL NOT NULL, title TEXT NULL, load_successful BOOLEAN NOT NULL DEFAULT 1, http_non_get BOOLEAN NOT NULL DEFAULT 0, synthesized BOOLEAN NOT NULL DEFAULT 0, redirect_source INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE, redirect_destination INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE, origin INTEGER NOT NULL DEFAULT 0, generation INTEGER NOT NULL DEFAULT 0, attributes INTEGER NOT NULL DEFAULT 0, score INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_tombstones (id INTEGER PRIMARY KEY AUTOINCREMENT, start_time REAL NOT NULL, end_time REAL NOT NULL, url TEXT, generation INTEGER NOT NULL DEFAULT 0);
CREATE TABLE metadata (key TEXT NOT NULL UNIQUE, value);
CREATE TABLE history_client_versions (client_version INTEGER PRIMARY KEY, last_seen REAL NOT NULL);
CREATE TABLE history_event_listeners (listener_name TEXT PRIMARY KEY NOT NULL UNIQUE, last_seen REAL NOT NULL);
CREATE TABLE history_events (id INTEGER PRIMARY KEY AUTOINCREMENT, event_type TEXT NOT NULL, event_time REAL NOT NULL, pending_listeners TEXT NOT NULL, value BLOB);
CREATE INDEX history_items__domain_expansion ON history_items (domain_expansion);
CREATE INDEX history_visits__last_visit ON history_visits (history_item, visit_time DESC, synthesized ASC);
CREATE INDEX history_visits__origin ON history_visits (origin, generation);
CREATE INDEX history_tombstones__end_time ON history_tombstones (end_time);
INSERT INTO metadata VALUES ('version', 20), ('compatibility_version', 10);
INSERT INTO history_client_versions VALUES (1, 700000000.0), (2, 700000000.0);
`

const insertVisit = `INSERT INTO history_visits (id, history_item, visit_time, title, load_successful, redirect_source, redirect_destination, origin, generation, attributes, score)
VALUES (?, ?, ?, ?, 1, ?, ?, 0, 1, 0, ?)`

// safariItems hands out history items and counts their visits.
type safariItems struct {
	urls   []string
	visits []int
	seen   map[string]bool
}

// add makes a new item with a URL from draw (drawing again until the URL
// is new) and returns its id.
func (s *safariItems) add(draw func() string) int {
	u := draw()
	for s.seen[u] {
		u = draw()
	}
	s.seen[u] = true
	s.urls = append(s.urls, u)
	s.visits = append(s.visits, 0)
	return len(s.urls)
}

// writeSafari writes History.db: visits to a quarter as many items, one
// visit in twenty the http:// half of a redirect to the https:// page of
// the same site (what an upgrade looks like), and the planted URLs
// visited once each.
func writeSafari(path string, cfg Config, p *planted, counts *Counts) error {
	r := newRand(cfg.Seed, streamSafari)
	n := cfg.rows(VisitsPerScale)
	d, err := createDB(path, safariSchema)
	if err != nil {
		return err
	}
	items := &safariItems{seen: map[string]bool{}}
	benign := max(1, n/4)
	for range benign {
		items.add(func() string { return benignURL(r, "https") })
	}
	at := spread(n, len(p.safariURLs))
	next := 0
	mac := float64(startUnix - macEpoch)
	for id := 1; id <= n; id++ {
		mac += 1 + float64(r.IntN(120000))/1000
		switch {
		case next < len(p.safariURLs) && id-1 >= at(next):
			item := items.add(func() string { return p.safariURLs[next] })
			next++
			safariVisit(d, r, items, id, item, mac, nil, nil)
		case id < n && r.IntN(20) == 0:
			https := benignURL(r, "https")
			for items.seen[https] || items.seen["http"+strings.TrimPrefix(https, "https")] {
				https = benignURL(r, "https")
			}
			from := items.add(func() string { return "http" + strings.TrimPrefix(https, "https") })
			to := items.add(func() string { return https })
			safariVisit(d, r, items, id, from, mac, nil, id+1)
			id++
			mac += 0.05 + float64(r.IntN(350))/1000
			safariVisit(d, r, items, id, to, mac, id-1, nil)
		default:
			safariVisit(d, r, items, id, 1+r.IntN(benign), mac, nil, nil)
		}
	}
	for i, u := range items.urls {
		host := ""
		if pu, err := url.Parse(u); err == nil {
			host = strings.TrimPrefix(pu.Hostname(), "www.")
		}
		d.insert(`INSERT INTO history_items (id, url, domain_expansion, visit_count, daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score, status_code)
			VALUES (?, ?, ?, ?, ?, 0, ?, 200)`, i+1, u, host, items.visits[i], []byte{byte(items.visits[i]), 0, 0, 0}, 100*items.visits[i])
	}
	counts.Visits, counts.HistoryItems = n, len(items.urls)
	return d.close()
}

func safariVisit(d *db, r *rand.Rand, items *safariItems, id, item int, mac float64, source, dest any) {
	items.visits[item-1]++
	page := title(pick(r, words)) + " " + pick(r, words) + " " + pick(r, words)
	d.insert(insertVisit, id, item, mac, page, source, dest, 100)
}

package ios

// Analytics: the events the keychain's analytics databases queue for
// Apple (hard and soft failures, and all events on recent versions), each
// a property list that often names a process or a domain.
//
//   fs: private/var/Keychains/Analytics/*.db
//
// Tables hard_failures and soft_failures (timestamp, data) in every
// version, all_events (iOS 14+) when present; timestamp is Unix seconds.

import (
	"context"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Analytics reads every keychain analytics database.
type Analytics struct{}

var analyticsQuery = evidence.Query{DevicePaths: []string{"private/var/Keychains/Analytics/*.db"}}

// Info implements module.Module.
func (Analytics) Info() module.Info {
	return module.Info{Name: "analytics", Title: "Analytics", Kinds: []evidence.Kind{evidence.IOSFS}, TimeField: "isodate"}
}

// Extract implements module.Module: the events of every database, sorted
// by time (stable), as MVT does.
func (Analytics) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	all, err := readAnalytics(ctx, src)
	for _, d := range all {
		emit(record.Record{Data: d})
	}
	return err
}

// readAnalytics reads every analytics database and sorts the events by
// isodate. The events read stay valid when some database fails.
func readAnalytics(ctx context.Context, src evidence.Source) ([]map[string]any, error) {
	var all []map[string]any
	err := eachDB(ctx, src, analyticsQuery, func(db *evidence.DB) error {
		recs, err := analyticsEvents(db)
		all = append(all, recs...)
		return err
	})
	sortByISODate(all)
	return all, err
}

// analyticsEvents reads one database. Rows with neither a time nor data
// are skipped; a data blob that is not a property-list dictionary is
// skipped and reported once the others are read.
func analyticsEvents(db *evidence.DB) ([]map[string]any, error) {
	if err := requireColumns(db, "hard_failures", "timestamp", "data"); err != nil {
		return nil, err
	}
	if err := requireColumns(db, "soft_failures", "timestamp", "data"); err != nil {
		return nil, err
	}
	sql := "SELECT timestamp, data FROM hard_failures UNION SELECT timestamp, data FROM soft_failures"
	if cols, err := db.Columns("all_events"); err != nil {
		return nil, err
	} else if cols["timestamp"] && cols["data"] {
		sql += " UNION SELECT timestamp, data FROM all_events"
	}
	artifact := path.Base(db.Entry().Name())
	var out []map[string]any
	bad := 0
	err := db.Query(sql, func(row evidence.Row) error {
		ts, blob := row.Get("timestamp"), row.Get("data")
		if !record.Truthy(ts) && !record.Truthy(blob) {
			return nil
		}
		d := map[string]any{}
		if record.Truthy(blob) {
			var ok bool
			if d, ok = analyticsPlist(blob); !ok {
				bad++
				return nil
			}
		}
		d["isodate"] = ""
		if record.Truthy(ts) {
			d["isodate"] = unixISO(ts)
		}
		d["artifact"] = artifact
		out = append(out, d)
		return nil
	})
	if err == nil && bad > 0 {
		err = schemaError(db, "%d event(s) whose data is not a property-list dictionary", bad)
	}
	return out, err
}

// analyticsPlist decodes an event's data as a property-list dictionary.
func analyticsPlist(blob any) (map[string]any, bool) {
	var data []byte
	switch b := blob.(type) {
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		return nil, false
	}
	v, err := evidence.DecodePlist(data)
	if err != nil {
		return nil, false
	}
	d, ok := evidence.Plain(v).(map[string]any)
	return d, ok
}

// analyticsKeys lists the event's keys: the property list's sorted, then
// isodate and artifact, as MVT appends them.
func analyticsKeys(d map[string]any) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		if k != "isodate" && k != "artifact" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return append(keys, "isodate", "artifact")
}

// Observables implements module.Module: every text value, as a process
// name then as a URL.
func (Analytics) Observables(r record.Record) []record.Observable {
	var obs []record.Observable
	for _, k := range analyticsKeys(r.Data) {
		if s, ok := r.Data[k].(string); ok {
			obs = append(obs, module.Observe(record.Critical, record.Process, k, s)...)
			obs = append(obs, module.Observe(record.Critical, record.URL, k, s)...)
		}
	}
	return obs
}

// Timeline implements module.Module: the event is the database's name, the
// data the record as Python prints a dictionary.
func (m Analytics) Timeline(r record.Record) []record.Event {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, k := range analyticsKeys(r.Data) {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(pyRepr(k) + ": " + pyRepr(r.Data[k]))
	}
	sb.WriteByte('}')
	return module.Event(m.Info().Title, r.String("isodate"), r.String("artifact"), sb.String())
}

// pyRepr is Python's repr of a plain JSON value (nested dictionaries with
// sorted keys).
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return pyStringRepr(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyStringRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return pyText(v)
}

// pyStringRepr quotes s as Python's repr does: single quotes unless s
// holds a single quote and no double quote.
func pyStringRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var sb strings.Builder
	sb.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(q):
			sb.WriteRune('\\')
			sb.WriteRune(r)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			sb.WriteString(`\x` + strconv.FormatInt(int64(r)|0x100, 16)[1:])
		case !unicode.IsPrint(r) && r != ' ':
			sb.WriteString(strings.Trim(strconv.QuoteRuneToASCII(r), "'"))
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte(q)
	return sb.String()
}

package ios

// NetBase: what Datausage (DataUsage.sqlite) and Netusage
// (netusage.sqlite) share. Both databases hold ZPROCESS (one row per
// process ever seen: name, bundle, first and last time) and ZLIVEUSAGE
// (traffic counters pointing at a process with ZHASPROCESS). Older
// schemas have ZWIFIIN/ZWIFIOUT, recent ones only the WWAN counters.
//
// The reading of a database is split from its completion so that a module
// reading several databases (netusage) completes them together:
//
//	recs, err := readNetBase(db)      // per database
//	recs = completeNetBase(all)       // once, then emit in order
//
// Completion does what MVT does to its results before writing them: a live
// row whose process row is gone is renamed "MANIPULATED [process record
// deleted]", a placeholder "MISSING [follows <previous>]" record is added
// for each gap in the ZPROCESS Z_PK sequence, and everything is sorted by
// first_isodate. The inspector raises the matching alerts from the records
// alone, so re-checking saved results gives the same alerts.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

const (
	netBaseManipulatedName = "MANIPULATED [process record deleted]"
	netBaseMissingPrefix   = "MISSING [follows "
	// netBaseMaxMissing bounds the placeholders made for Z_PK gaps, so a
	// forged Z_PK near 2^63 cannot exhaust memory.
	netBaseMaxMissing = 1 << 16
)

// netBaseFields are the record fields, in MVT's order.
var netBaseFields = []string{"first_isodate", "isodate", "proc_name", "bundle_id", "proc_id",
	"wifi_in", "wifi_out", "wwan_in", "wwan_out", "live_id", "live_proc_id", "live_isodate"}

// netBaseSQL selects every live row with its process (when it still
// exists), then the processes no live row points at. %s is the WiFi
// counters of the live row, or NULLs for schemas without them.
const netBaseSQL = `SELECT ZPROCESS.ZFIRSTTIMESTAMP, ZPROCESS.ZTIMESTAMP, ZPROCESS.ZPROCNAME,
	ZPROCESS.ZBUNDLENAME, ZPROCESS.Z_PK AS ZPROCESS_PK, %s
	ZLIVEUSAGE.ZWWANIN, ZLIVEUSAGE.ZWWANOUT, ZLIVEUSAGE.Z_PK AS ZLIVEUSAGE_PK,
	ZLIVEUSAGE.ZHASPROCESS, ZLIVEUSAGE.ZTIMESTAMP AS ZL_TIMESTAMP
FROM ZLIVEUSAGE LEFT JOIN ZPROCESS ON ZLIVEUSAGE.ZHASPROCESS = ZPROCESS.Z_PK
UNION
SELECT ZFIRSTTIMESTAMP, ZTIMESTAMP, ZPROCNAME, ZBUNDLENAME, Z_PK, %s NULL, NULL, NULL, NULL, NULL
FROM ZPROCESS WHERE Z_PK NOT IN (SELECT ZHASPROCESS FROM ZLIVEUSAGE)`

// readNetBase reads the records of one NetBase database, in query order.
func readNetBase(db *evidence.DB) ([]map[string]any, error) {
	if err := requireColumns(db, "ZPROCESS", "Z_PK", "ZFIRSTTIMESTAMP", "ZTIMESTAMP", "ZPROCNAME", "ZBUNDLENAME"); err != nil {
		return nil, err
	}
	if err := requireColumns(db, "ZLIVEUSAGE", "Z_PK", "ZHASPROCESS", "ZTIMESTAMP", "ZWWANIN", "ZWWANOUT"); err != nil {
		return nil, err
	}
	live, err := db.Columns("ZLIVEUSAGE")
	if err != nil {
		return nil, err
	}
	wifi := live["ZWIFIIN"] && live["ZWIFIOUT"]
	sql := fmt.Sprintf(netBaseSQL, "", "")
	if wifi {
		sql = fmt.Sprintf(netBaseSQL, "ZLIVEUSAGE.ZWIFIIN, ZLIVEUSAGE.ZWIFIOUT,", "NULL, NULL,")
	}
	var out []map[string]any
	err = db.Query(sql, func(row evidence.Row) error {
		out = append(out, netBaseRecord(row))
		return nil
	})
	return out, err
}

func netBaseRecord(row evidence.Row) map[string]any {
	first, last := row.Get("ZFIRSTTIMESTAMP"), row.Get("ZTIMESTAMP")
	var firstISO, lastISO any = first, last
	if record.Truthy(first) && record.Truthy(last) {
		firstISO, lastISO = macTimeISO(first), macTimeISO(last)
	}
	var liveISO any = firstISO
	if lt := row.Get("ZL_TIMESTAMP"); record.Truthy(lt) {
		liveISO = macTimeISO(lt)
	}
	return map[string]any{
		"first_isodate": firstISO, "isodate": lastISO,
		"proc_name": row.Get("ZPROCNAME"), "bundle_id": row.Get("ZBUNDLENAME"), "proc_id": row.Get("ZPROCESS_PK"),
		"wifi_in": row.Get("ZWIFIIN"), "wifi_out": row.Get("ZWIFIOUT"),
		"wwan_in": row.Get("ZWWANIN"), "wwan_out": row.Get("ZWWANOUT"),
		"live_id": row.Get("ZLIVEUSAGE_PK"), "live_proc_id": row.Get("ZHASPROCESS"), "live_isodate": liveISO,
	}
}

// completeNetBase marks manipulated rows, adds the missing-process
// placeholders and sorts by first_isodate (stable), as MVT does.
func completeNetBase(recs []map[string]any) []map[string]any {
	procs := map[int64]map[string]any{}
	for _, d := range recs {
		if netBaseManipulated(d) {
			d["first_isodate"], d["isodate"] = d["live_isodate"], d["live_isodate"]
			d["proc_name"] = netBaseManipulatedName
		} else if id, ok := netBaseProcID(d); ok {
			procs[id] = d
		}
	}
	netBaseGaps(procs, func(missing int64, prev map[string]any) {
		p := make(map[string]any, len(netBaseFields))
		for _, k := range netBaseFields {
			p[k] = nil
		}
		p["first_isodate"], p["isodate"], p["live_isodate"] = prev["first_isodate"], prev["first_isodate"], prev["first_isodate"]
		p["proc_name"] = netBaseMissingPrefix + pyText(prev["proc_name"]) + "]"
		p["proc_id"], p["live_proc_id"] = missing, missing
		recs = append(recs, p)
	})
	sort.SliceStable(recs, func(i, j int) bool {
		a, _ := recs[i]["first_isodate"].(string)
		b, _ := recs[j]["first_isodate"].(string)
		return a < b
	})
	return recs
}

// netBaseManipulated: a live row whose process row no longer exists.
func netBaseManipulated(d map[string]any) bool { return !record.Truthy(d["proc_id"]) }

// netBaseProcID is the record's ZPROCESS Z_PK, when it has one.
func netBaseProcID(d map[string]any) (int64, bool) {
	f, ok := record.Num(d["proc_id"])
	if !ok || f == 0 {
		return 0, false
	}
	return int64(f), true
}

// netBasePlaceholder tells a "MISSING" placeholder from a real record.
func netBasePlaceholder(d map[string]any) bool {
	name, _ := d["proc_name"].(string)
	return d["live_id"] == nil && d["live_proc_id"] != nil && strings.HasPrefix(name, netBaseMissingPrefix)
}

// netBaseGaps calls fn for each Z_PK missing between the smallest and the
// largest process ID, with the closest process before it.
func netBaseGaps[T any](procs map[int64]T, fn func(missing int64, prev T)) {
	ids := make([]int64, 0, len(procs))
	for id := range procs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	made := 0
	for i := 1; i < len(ids); i++ {
		for m := ids[i-1] + 1; m < ids[i] && made < netBaseMaxMissing; m++ {
			fn(m, procs[ids[i-1]])
			made++
		}
	}
}

// netBaseObservables: the process name, unless the process row is gone.
func netBaseObservables(r record.Record) []record.Observable {
	if netBaseManipulated(r.Data) {
		return nil
	}
	return module.Observe(record.Critical, record.Process, "proc_name", r.String("proc_name"))
}

// netBaseTimeline: live_usage for every record, first_usage and
// current_usage for live rows whose process row exists.
func netBaseTimeline(title string, r record.Record) []record.Event {
	data := fmt.Sprintf("%s (Bundle ID: %s, ID: %s)", pyText(r.Data["proc_name"]), pyText(r.Data["bundle_id"]), pyText(r.Data["proc_id"]))
	usage := fmt.Sprintf("%s WWAN IN: %s, WWAN OUT: %s", data, pyText(r.Data["wwan_in"]), pyText(r.Data["wwan_out"]))
	out := module.Event(title, r.String("live_isodate"), "live_usage", usage)
	name := r.String("proc_name")
	if !strings.Contains(name, "MANIPULATED") && !strings.Contains(name, "MISSING") && r.Data["live_proc_id"] != nil {
		out = append(out, module.Event(title, r.String("first_isodate"), "first_usage", data)...)
		out = append(out, module.Event(title, r.String("isodate"), "current_usage", data)...)
	}
	return out
}

// netBaseInspector raises the manipulated-entry alerts per record and
// the missing-process alerts once every record was seen.
type netBaseInspector struct {
	manipulated map[string]bool
	procs       map[int64]record.Record // last record of each process, as MVT keeps
}

func newNetBaseInspector() *netBaseInspector {
	return &netBaseInspector{manipulated: map[string]bool{}, procs: map[int64]record.Record{}}
}

// Inspect implements module.Inspector.
func (in *netBaseInspector) Inspect(r record.Record, raise func(record.Finding)) {
	if netBasePlaceholder(r.Data) {
		return
	}
	if !netBaseManipulated(r.Data) {
		if id, ok := netBaseProcID(r.Data); ok {
			in.procs[id] = r
		}
		return
	}
	live := pyText(r.Data["live_proc_id"])
	when := r.String("live_isodate")
	if !in.manipulated[live] {
		in.manipulated[live] = true
		raise(module.Alert(record.High, r, when, fmt.Sprintf("Found manipulated process entry %s. Entry on %s", live, when)))
	}
	raise(module.Alert(record.High, r, r.String("first_isodate"), fmt.Sprintf("Found manipulated process entry %s/", live)))
}

// Finish implements module.Inspector.
func (in *netBaseInspector) Finish(raise func(record.Finding)) {
	netBaseGaps(in.procs, func(missing int64, prev record.Record) {
		when := prev.String("first_isodate")
		msg := fmt.Sprintf("Missing process %d. Previous process at \"%s\" (%s)", missing, when, pyText(prev.Data["proc_name"]))
		raise(module.Alert(record.Low, prev, when, msg))
	})
}

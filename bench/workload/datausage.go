package workload

// dataUsageSchema is DataUsage.sqlite (a Core Data store) as iOS 9-14
// wrote it: ZLIVEUSAGE still has the WiFi counters recent versions
// dropped, so every column the module reads is filled.
const dataUsageSchema = `
CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);
CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, ZMETADATA INTEGER, ZTAG INTEGER, ZHASPROCESS INTEGER, ZBILLCYCLEEND TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZWIFIIN FLOAT, ZWIFIOUT FLOAT, ZWWANIN FLOAT, ZWWANOUT FLOAT);
CREATE INDEX ZLIVEUSAGE_ZHASPROCESS_INDEX ON ZLIVEUSAGE (ZHASPROCESS);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB);
INSERT INTO Z_METADATA VALUES (1, 'B7E1C0DE-0000-4000-8000-00000000BE0C', NULL);
`

// writeDataUsage writes DataUsage.sqlite: processes with consecutive
// Z_PKs (no gap, so no "missing process" alert), most with one live-usage
// row, some with two, some with none, and the planted process names with
// one row each.
func writeDataUsage(path string, cfg Config, ind *indicatorSet, p *planted, counts *Counts) error {
	r := newRand(cfg.Seed, streamDataUsage)
	n := cfg.rows(ProcessesPerScale)
	d, err := createDB(path, dataUsageSchema)
	if err != nil {
		return err
	}
	at := spread(n, len(p.processes))
	next, live := 0, 0
	for pk := 1; pk <= n; pk++ {
		first := float64(startUnix-macEpoch) + float64(r.IntN(365*86400)) + float64(r.IntN(1000))/1000
		last := first + float64(r.IntN(30*86400))
		var name, bundle string
		rows := 1
		if next < len(p.processes) && pk-1 == at(next) {
			name, bundle = p.processes[next], ""
			next++
		} else {
			name, bundle = ind.benignProcess(r)
			switch r.IntN(20) {
			case 0, 1:
				rows = 0
			case 2:
				rows = 2
			}
		}
		d.insert("INSERT INTO ZPROCESS VALUES (?, 9, 1, ?, ?, ?, ?)", pk, first, last, bundle, name)
		for range rows {
			live++
			wifiIn, wifiOut := float64(r.IntN(1<<30)), float64(r.IntN(1<<26))
			wwanIn, wwanOut := float64(r.IntN(1<<28)), float64(r.IntN(1<<24))
			d.insert("INSERT INTO ZLIVEUSAGE VALUES (?, 8, 1, 0, NULL, 0, ?, NULL, ?, ?, ?, ?, ?)",
				live, pk, last-float64(r.IntN(3600)), wifiIn, wifiOut, wwanIn, wwanOut)
		}
	}
	d.insert("INSERT INTO Z_PRIMARYKEY VALUES (8, 'LiveUsage', 0, ?), (9, 'Process', 0, ?)", live, n)
	counts.Processes, counts.LiveUsage = n, live
	return d.close()
}

package android

// DumpsysDBInfo: the SQL statements apps ran most recently, per database,
// from the "dbinfo" section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// "Connection pool for <path>:" opens a database; after "Most recently
// executed operations:" each line indented 8 spaces reads
// "N: [(YYYY-)MM-DD HH:MM:SS.mmm] [Pid:(n)]action … sql="…"" (the year and
// the pid appear in newer Android versions).

import (
	"context"
	"regexp"
	"strings"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysDBInfo reads the dbinfo section.
type DumpsysDBInfo struct{}

// Info implements module.Module.
func (DumpsysDBInfo) Info() module.Info {
	return module.Info{Name: "dbinfo", Title: "DumpsysDBInfo", Kinds: dumpstateKinds, TimeField: "isodate"}
}

// dbinfoOperation is MVT's pattern of an operation line.
var dbinfoOperation = regexp.MustCompile(`^.*\[((?:[0-9]{4}-)?[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3})\]\s*(?:\[Pid:\((\d+)\)\])?([\w-]+).*?sql="(.+?)"`)

// Extract implements module.Module.
func (DumpsysDBInfo) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	p := &dbinfoParser{emit: emit}
	return eachDumpsysLine(ctx, src, "dbinfo", dumpsys.Ignore, p.line)
}

type dbinfoParser struct {
	emit         func(record.Record)
	pool         string
	inOperations bool
}

func (p *dbinfoParser) line(line string) error {
	if rest, ok := strings.CutPrefix(line, "Connection pool for "); ok {
		p.pool = strings.TrimRight(rest, ":")
	}
	switch {
	case p.pool == "":
	case strings.TrimSpace(line) == "Most recently executed operations:":
		p.inOperations = true
	case !p.inOperations:
	case !strings.HasPrefix(line, "        "):
		p.inOperations, p.pool = false, ""
	default:
		m := dbinfoOperation.FindStringSubmatch(line)
		if m == nil {
			return nil
		}
		d := map[string]any{"isodate": m[1], "action": m[3], "sql": m[4], "path": p.pool}
		if m[2] != "" {
			d["pid"] = m[2]
		}
		p.emit(record.Record{Data: d})
	}
	return nil
}

// Observables implements module.Module: each element of the database
// path, as an app ID (/data/user/0/<package>/databases/…).
func (DumpsysDBInfo) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AppID, "path", strings.Split(r.String("path"), "/")...)
}

// Timeline implements module.Module: MVT makes none for dbinfo.
func (DumpsysDBInfo) Timeline(record.Record) []record.Event { return nil }

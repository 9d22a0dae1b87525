// Package report writes what a check found: an MVT-compatible results
// folder (<module>.json, <module>_detected.json, timeline.csv, alerts.json,
// alerts_timeline.csv, urls.json, info.json), a self-contained
// report.html for people, and the terminal summary.
//
// Records are streamed to <module>.json as modules emit them; the rest is
// written once the check is done.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Folder is a results folder.
type Folder struct{ dir string }

// NewFolder creates (if needed) the results folder dir.
//
// A folder that already holds files is used only when it is an earlier
// spycheck results folder (its info.json says so); the files an earlier
// check wrote there are removed first, so results of two checks are never
// mixed. Any other non-empty folder is refused.
func NewFolder(dir string) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create results folder: %w", err)
	}
	if err := clearEarlierResults(dir); err != nil {
		return nil, err
	}
	return &Folder{dir: dir}, nil
}

// clearEarlierResults empties a folder that holds an earlier check's
// results, and refuses one that holds anything else.
func clearEarlierResults(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		return err
	}
	data, err := os.ReadFile(filepath.Join(dir, "info.json"))
	var info struct {
		Version *string `json:"spycheck_version"`
	}
	if err != nil || json.Unmarshal(data, &info) != nil || info.Version == nil {
		return fmt.Errorf("results folder %s is not empty and holds no earlier spycheck results: choose an empty or new folder", dir)
	}
	for _, e := range ents {
		name := e.Name()
		ext := filepath.Ext(name)
		if e.Type().IsRegular() && (ext == ".json" || ext == ".csv" || name == "command.log" || name == "report.html") {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("clear earlier results: %w", err)
			}
		}
	}
	return nil
}

// Dir is the folder's path.
func (f *Folder) Dir() string { return f.dir }

// Records implements check.Output: it streams a module's records to
// <module>.json (a list, or one object for dictionary modules).
func (f *Folder) Records(info module.Info) (check.RecordWriter, error) {
	file, err := os.Create(filepath.Join(f.dir, info.Name+".json"))
	if err != nil {
		return nil, err
	}
	return &recordFile{f: file, w: bufio.NewWriterSize(file, 1<<16), dict: info.Dict}, nil
}

type recordFile struct {
	f       *os.File
	w       *bufio.Writer
	dict    bool
	n       int
	scratch []byte   // reused for each record's JSON
	keys    []string // sorted keys of the last record: a module's records mostly share them
	heads   [][]byte // each key's line start ("\n" + indent + "\"key\": ")
}

func (r *recordFile) Write(rec record.Record) error {
	if r.dict {
		if r.n > 0 {
			return fmt.Errorf("module %s emitted more than one record for a dictionary result", rec.Module)
		}
		r.n++
		return r.writeData(rec.Data, "")
	}
	sep := "[\n    "
	if r.n > 0 {
		sep = ",\n    "
	}
	r.n++
	if _, err := r.w.WriteString(sep); err != nil {
		return err
	}
	return r.writeData(rec.Data, "    ")
}

// writeData writes a record's data, through appendPlain when it holds
// only plain values.
func (r *recordFile) writeData(data map[string]any, prefix string) error {
	var b []byte
	ok := true
	if len(data) == 0 {
		b, ok = appendPlain(r.scratch[:0], data, prefix)
	} else {
		var same bool
		b, ok, same = appendKnownMap(r.scratch[:0], data, r.keys, r.heads, prefix)
		if !same {
			r.keys = sortedKeys(data, r.keys[:0])
			r.heads = keyHeads(r.keys, prefix+indentUnit, r.heads[:0])
			b, ok, _ = appendKnownMap(r.scratch[:0], data, r.keys, r.heads, prefix)
		}
	}
	if !ok {
		return writeJSON(r.w, data, prefix)
	}
	r.scratch = b
	_, err := r.w.Write(b)
	return err
}

func (r *recordFile) Close() error {
	var err error
	if !r.dict {
		end := "\n]\n"
		if r.n == 0 {
			end = "[]\n"
		}
		_, err = r.w.WriteString(end)
	}
	if ferr := r.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeJSON writes v indented by 4 spaces, without HTML escaping and
// without a trailing newline.
func writeJSON(w *bufio.Writer, v any, prefix string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "    ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
	return err
}

func writeFile(path string, fill func(w *bufio.Writer) error) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(file, 1<<16)
	err = fill(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeJSONFile(path string, v any) error {
	return writeFile(path, func(w *bufio.Writer) error {
		if err := writeJSON(w, v, ""); err != nil {
			return err
		}
		return w.WriteByte('\n')
	})
}

// Meta describes the run for info.json.
type Meta struct {
	TargetPath string              `json:"target_path"`
	Kinds      []string            `json:"kinds"`
	Version    string              `json:"spycheck_version"`
	Date       string              `json:"date"`
	Command    string              `json:"command"`
	IOCFiles   []string            `json:"ioc_files"`
	Indicators int                 `json:"indicators"`
	Modules    []ModuleInfo        `json:"modules"`
	Hashes     []evidence.FileHash `json:"hashes"`
}

// ModuleInfo is one module's status in info.json.
type ModuleInfo struct {
	Name     string `json:"name"`
	State    string `json:"state"`
	Records  int    `json:"records"`
	Findings int    `json:"findings"`
	Error    string `json:"error,omitempty"`
}

// ModuleInfos turns statuses into info.json entries.
func ModuleInfos(st []check.Status) []ModuleInfo {
	out := make([]ModuleInfo, 0, len(st))
	for _, s := range st {
		mi := ModuleInfo{Name: s.Module, State: string(s.State), Records: s.Records, Findings: s.Findings}
		if s.Err != nil {
			mi.Error = s.Err.Error()
		}
		out = append(out, mi)
	}
	return out
}

// WriteResult writes the files that summarise a check: per-module
// <module>_detected.json, alerts.json, alerts_timeline.csv, timeline.csv,
// urls.json (when links were found) and info.json.
func (f *Folder) WriteResult(res *check.Result, meta Meta) error {
	byModule := map[string][]record.Finding{}
	var order []string
	for _, fd := range res.Findings {
		if _, ok := byModule[fd.Module]; !ok {
			order = append(order, fd.Module)
		}
		byModule[fd.Module] = append(byModule[fd.Module], fd)
	}
	for _, m := range order {
		if err := writeJSONFile(filepath.Join(f.dir, m+"_detected.json"), byModule[m]); err != nil {
			return err
		}
	}
	findings := res.Findings
	if findings == nil {
		findings = []record.Finding{}
	}
	if err := writeJSONFile(filepath.Join(f.dir, "alerts.json"), findings); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(f.dir, "timeline.csv"), func(w *bufio.Writer) error {
		return writeTimeline(w, res.Timeline, timeHeader(meta.Kinds))
	}); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(f.dir, "alerts_timeline.csv"), func(w *bufio.Writer) error {
		return writeAlertsTimeline(w, res.Findings)
	}); err != nil {
		return err
	}
	if len(res.URLs) > 0 {
		if err := writeFile(filepath.Join(f.dir, "urls.json"), func(w *bufio.Writer) error { return writeURLs(w, res.URLs) }); err != nil {
			return err
		}
	}
	if err := f.writeHTML(res, meta); err != nil {
		return err
	}
	return writeJSONFile(filepath.Join(f.dir, "info.json"), meta)
}

// csvRow writes fields all quoted, quotes doubled, as Python's csv module
// does with QUOTE_ALL.
func csvRow(w *bufio.Writer, fields ...string) error {
	for i, s := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(s, `"`, `""`))
		w.WriteByte('"')
	}
	_, err := w.WriteString("\r\n")
	return err
}

// timeHeader names the timeline's time column as MVT does: Android
// acquisitions keep the device's local wall-clock time.
func timeHeader(kinds []string) string {
	for _, k := range kinds {
		if strings.HasPrefix(k, "android") {
			return "Device Local Timestamp"
		}
	}
	return "UTC Timestamp"
}

func writeTimeline(w *bufio.Writer, tl *check.Timeline, header string) error {
	if err := csvRow(w, header, "Plugin", "Event", "Description"); err != nil {
		return err
	}
	if tl == nil {
		return nil
	}
	return tl.Each(func(e record.Event) error {
		return csvRow(w, e.Timestamp, e.Module, e.Event, e.Data)
	})
}

func writeAlertsTimeline(w *bufio.Writer, findings []record.Finding) error {
	if err := csvRow(w, "Event Time", "Module", "Message", "Event"); err != nil {
		return err
	}
	var rows []record.Finding
	for _, f := range findings {
		if f.EventTime != "" {
			rows = append(rows, f)
		}
	}
	sortFindingsByTime(rows)
	for _, f := range rows {
		ev, err := json.Marshal(f.Event)
		if err != nil {
			return err
		}
		if err := csvRow(w, f.EventTime, f.Module, f.Message, string(ev)); err != nil {
			return err
		}
	}
	return nil
}

// ReadKinds returns the acquisition kinds recorded in a results folder's
// info.json; none when the folder has no such record (MVT's results).
func ReadKinds(dir string) []evidence.Kind {
	data, err := os.ReadFile(filepath.Join(dir, "info.json"))
	if err != nil {
		return nil
	}
	var meta struct {
		Kinds []evidence.Kind `json:"kinds"`
	}
	if json.Unmarshal(data, &meta) != nil {
		return nil
	}
	return meta.Kinds
}

// writeURLs writes urls.json as encoding/json would (indented by four
// spaces), without reflection: a backup's messages can hold a link each.
func writeURLs(w *bufio.Writer, urls []check.URL) error {
	b := make([]byte, 0, 256)
	w.WriteString("[")
	for i, u := range urls {
		b = b[:0]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {\n        \"url\": "...)
		b = appendString(b, u.URL)
		b = append(b, ",\n        \"expanded_url\": "...)
		if u.ExpandedURL == nil {
			b = append(b, "null"...)
		} else {
			b = appendString(b, *u.ExpandedURL)
		}
		b = append(b, ",\n        \"timestamp\": "...)
		b = appendString(b, u.Timestamp)
		b = append(b, ",\n        \"source\": "...)
		b = appendString(b, u.Source)
		b = append(b, "\n    }"...)
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := w.WriteString("\n]\n")
	return err
}

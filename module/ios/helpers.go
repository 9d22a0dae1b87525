package ios

// Helpers shared by several iOS modules.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// macTimeISO converts a Mac absolute time read from a database column the
// way MVT does: NULL, 0 and non-numbers give "", 18-digit integers are
// nanoseconds (see record.FromMacValue).
func macTimeISO(v any) string {
	switch v.(type) {
	case int64, float64:
	default:
		return ""
	}
	if f, _ := record.Num(v); f == 0 {
		return ""
	}
	return record.FromMacValue(v)
}

// findLinks lists the links in text, in order (never nil, so an empty
// list is written as [] like MVT's). It finds what linkPattern finds
// (FuzzFindLinks checks so), without a regular expression: messages are
// the largest tables of a backup.
func findLinks(text string) []string {
	links := []string{}
	for pos := 0; pos < len(text); {
		k := indexFoldHTTP(text[pos:])
		if k < 0 {
			break
		}
		start := pos + k
		j := start + 4
		if j < len(text) && text[j]|0x20 == 's' {
			j++
		} else if strings.HasPrefix(text[j:], "\u017f") { // ſ, which case-folds to s
			j += 2
		}
		if !strings.HasPrefix(text[j:], "://") {
			pos = start + 1
			continue
		}
		end := j + 3
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if isLinkEnd(r) {
				break
			}
			end += size
		}
		if end == j+3 {
			pos = start + 1
			continue
		}
		links = append(links, text[start:end])
		pos = end
	}
	return links
}

// indexFoldHTTP is the index of "http" in s, in any letter case, or -1.
func indexFoldHTTP(s string) int {
	for i := 0; i+4 <= len(s); i++ {
		if s[i]|0x20 == 'h' && s[i+1]|0x20 == 't' && s[i+2]|0x20 == 't' && s[i+3]|0x20 == 'p' {
			return i
		}
	}
	return -1
}

// isLinkEnd reports the characters that end a link: Python's whitespace
// (what MVT's \s matches on text) and Unicode separators.
func isLinkEnd(r rune) bool {
	switch {
	case r == ' ', r >= '\t' && r <= '\r', r >= 0x1c && r <= 0x1f, r == 0x85:
		return true
	case r < 0x80:
		return false
	}
	return unicode.Is(unicode.Z, r)
}

// requireColumns returns an error wrapping evidence.ErrCorrupt, naming the
// database file, when table is absent from db or lacks one of cols
// (compared without case, as SQLite does).
func requireColumns(db *evidence.DB, table string, cols ...string) error {
	have, err := db.Columns(table)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		return schemaError(db, "no %s table", table)
	}
	lower := make(map[string]bool, len(have))
	for c := range have {
		lower[strings.ToLower(c)] = true
	}
	var missing []string
	for _, c := range cols {
		if !lower[strings.ToLower(c)] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return schemaError(db, "table %s lacks column(s) %s", table, strings.Join(missing, ", "))
	}
	return nil
}

// schemaError reports a database whose schema the module does not know.
func schemaError(db *evidence.DB, format string, args ...any) error {
	e := db.Entry()
	return &evidence.FileError{Op: "read", Path: e.Name(), Evidence: e.Local,
		Err: fmt.Errorf("%w: unknown schema: %s", evidence.ErrCorrupt, fmt.Sprintf(format, args...))}
}

// pyText formats a record value as Python's str() does in MVT's timeline
// texts: nil is "None", booleans "True"/"False", floats keep ".0".
func pyText(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return pyFloat(x)
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			if f, err := x.Float64(); err == nil {
				return pyFloat(f)
			}
		}
		return string(x)
	}
	return fmt.Sprint(v)
}

// pyFloat is Python's repr of a float.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// maxPlistFile bounds the property lists modules read whole.
const maxPlistFile = 64 << 20

// readPlistDict reads a property list whose top level is a dictionary; it
// also returns the file's bytes, for plistKeyOrder.
func readPlistDict(src evidence.Source, e evidence.Entry) (map[string]any, []byte, error) {
	data, err := evidence.ReadFile(src, e, maxPlistFile)
	if err != nil {
		return nil, nil, err
	}
	v, err := evidence.DecodePlist(data)
	if err != nil {
		return nil, nil, &evidence.FileError{Op: "parse plist", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, nil, &evidence.FileError{Op: "parse plist", Path: e.Name(), Evidence: e.Local,
			Err: fmt.Errorf("%w: top level is %T, not a dictionary", evidence.ErrCorrupt, v)}
	}
	return dict, data, nil
}

// keysInPlistOrder lists the keys of m in the order order gives (the order
// the property list stores them, see plistKeyOrder), then any remaining
// keys sorted, so iteration is stable whatever the list's format.
func keysInPlistOrder(m map[string]any, order []string) []string {
	out := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// plistKeyOrder returns the keys of the dictionary reached from the top
// dictionary of a binary or XML property list through the keys of path,
// in the order the file stores them (the order MVT's plistlib iterates).
// Anything it cannot follow gives nil; callers then fall back to sorted keys.
func plistKeyOrder(data []byte, path ...string) []string {
	if bytes.HasPrefix(data, []byte("bplist00")) {
		return bplistKeyOrder(data, path)
	}
	return xmlPlistKeyOrder(data, path)
}

// bplist is the parsed trailer of a binary property list.
type bplist struct {
	data                []byte
	offsetSize, refSize int
	numObjects          uint64
	offsetTable         uint64
}

func bplistKeyOrder(data []byte, path []string) []string {
	if len(data) < 40 {
		return nil
	}
	t := data[len(data)-32:]
	p := bplist{data: data, offsetSize: int(t[6]), refSize: int(t[7]),
		numObjects: binary.BigEndian.Uint64(t[8:16]), offsetTable: binary.BigEndian.Uint64(t[24:32])}
	if p.offsetSize < 1 || p.offsetSize > 8 || p.refSize < 1 || p.refSize > 8 {
		return nil
	}
	ref := binary.BigEndian.Uint64(t[16:24])
	for depth := 0; ; depth++ {
		keys, vals, ok := p.dict(ref)
		if !ok {
			return nil
		}
		names := make([]string, len(keys))
		for i, k := range keys {
			if names[i], ok = p.str(k); !ok {
				return nil
			}
		}
		if depth == len(path) {
			return names
		}
		found := false
		for i, n := range names {
			if n == path[depth] {
				ref, found = vals[i], true
				break
			}
		}
		if !found {
			return nil
		}
	}
}

// uint reads a big-endian unsigned integer of n bytes at off.
func (p bplist) uint(off uint64, n int) (uint64, bool) {
	if off > uint64(len(p.data)) || uint64(len(p.data))-off < uint64(n) {
		return 0, false
	}
	var v uint64
	for _, b := range p.data[off : off+uint64(n)] {
		v = v<<8 | uint64(b)
	}
	return v, true
}

// object returns the marker byte and the offset of object ref.
func (p bplist) object(ref uint64) (byte, uint64, bool) {
	if ref >= p.numObjects || ref > math.MaxUint64/8 {
		return 0, 0, false
	}
	off, ok := p.uint(p.offsetTable+ref*uint64(p.offsetSize), p.offsetSize)
	if !ok || off >= uint64(len(p.data)) {
		return 0, 0, false
	}
	return p.data[off], off, true
}

// count reads an object's length: the marker's low nibble, or an integer
// object following it when the nibble is 0xF. It returns the length and
// the offset of the object's content.
func (p bplist) count(marker byte, off uint64) (uint64, uint64, bool) {
	n := uint64(marker & 0x0f)
	if n != 0x0f {
		return n, off + 1, true
	}
	m, ok := p.uint(off+1, 1)
	if !ok || m>>4 != 0x1 || m&0x0f > 3 {
		return 0, 0, false
	}
	size := 1 << (m & 0x0f)
	n, ok = p.uint(off+2, size)
	return n, off + 2 + uint64(size), ok
}

func (p bplist) dict(ref uint64) (keys, vals []uint64, ok bool) {
	marker, off, ok := p.object(ref)
	if !ok || marker>>4 != 0xd {
		return nil, nil, false
	}
	n, start, ok := p.count(marker, off)
	if !ok || n > uint64(len(p.data))/uint64(2*p.refSize) {
		return nil, nil, false
	}
	refs := make([]uint64, 2*n)
	for i := range refs {
		if refs[i], ok = p.uint(start+uint64(i*p.refSize), p.refSize); !ok {
			return nil, nil, false
		}
	}
	return refs[:n], refs[n:], true
}

func (p bplist) str(ref uint64) (string, bool) {
	marker, off, ok := p.object(ref)
	if !ok {
		return "", false
	}
	n, start, ok := p.count(marker, off)
	if !ok || n > uint64(len(p.data)) {
		return "", false
	}
	switch marker >> 4 {
	case 0x5:
		if start+n > uint64(len(p.data)) {
			return "", false
		}
		return string(p.data[start : start+n]), true
	case 0x6:
		if start+2*n > uint64(len(p.data)) {
			return "", false
		}
		units := make([]uint16, n)
		for i := range units {
			units[i] = binary.BigEndian.Uint16(p.data[start+2*uint64(i):])
		}
		return string(utf16.Decode(units)), true
	}
	return "", false
}

// xmlFrame is an open <dict> or <array> of an XML property list.
type xmlFrame struct {
	dict    bool
	path    []string // keys leading here; nil when inside an array
	lastKey string
}

func xmlPlistKeyOrder(data []byte, path []string) []string {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlFrame
	var out []string
	matched := false
	for {
		tok, err := dec.Token()
		if err != nil {
			if matched {
				return out
			}
			return nil
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "key":
				var k string
				if err := dec.DecodeElement(&k, &el); err != nil || len(stack) == 0 {
					return nil
				}
				top := stack[len(stack)-1]
				top.lastKey = k
				if top.dict && equalPath(top.path, path) {
					out = append(out, k)
				}
			case "dict", "array":
				f := &xmlFrame{dict: el.Name.Local == "dict"}
				switch {
				case len(stack) == 0:
					f.path = []string{}
				case stack[len(stack)-1].dict && stack[len(stack)-1].path != nil:
					parent := stack[len(stack)-1]
					f.path = append(append([]string{}, parent.path...), parent.lastKey)
				}
				if f.dict && equalPath(f.path, path) {
					matched = true
				}
				stack = append(stack, f)
			}
		case xml.EndElement:
			if (el.Name.Local == "dict" || el.Name.Local == "array") && len(stack) > 0 {
				stack = stack[:len(stack)-1]
				if matched && len(stack) == 0 {
					return out
				}
			}
		}
	}
}

func equalPath(a, b []string) bool {
	if a == nil || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// unixISO is MVT's convert_unix_to_iso on a record value: Unix seconds
// (a number or a numeric string) as TimeLayout; anything else gives "".
func unixISO(v any) string {
	f, ok := record.Num(v)
	if s, isText := v.(string); isText {
		var err error
		f, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
		ok = err == nil
	}
	if !ok {
		return ""
	}
	return record.FromUnix(f)
}

// eachDB opens, in order, every database q finds in src and calls fn with
// it. A database that fails does not stop the others: the errors are
// joined. Finding nothing gives evidence.ErrNotFound.
func eachDB(ctx context.Context, src evidence.Source, q evidence.Query, fn func(*evidence.DB) error) error {
	entries, err := src.Find(ctx, q)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return evidence.ErrNotFound
	}
	var errs []error
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		errs = append(errs, withDB(src, e, fn))
	}
	return errors.Join(errs...)
}

// withDB opens one database, calls fn with it and closes it.
func withDB(src evidence.Source, e evidence.Entry, fn func(*evidence.DB) error) error {
	db, err := evidence.OpenDB(src, e)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// entryRelPath is where e sits inside the acquisition, with forward
// slashes, as MVT's os.path.relpath(file, target_path) gives it: the device
// path "private/var/…" in a filesystem dump (folder or archive), "1a/1a0e…"
// in a backup.
func entryRelPath(src evidence.Source, e evidence.Entry) string {
	if e.DevicePath != "" {
		return e.DevicePath
	}
	if rel, err := filepath.Rel(src.Path(), e.Local); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return e.Name()
}

// sortByISODate orders records by their "isodate" text, keeping the order
// of equal times.
func sortByISODate(all []map[string]any) {
	sort.SliceStable(all, func(i, j int) bool {
		a, _ := all[i]["isodate"].(string)
		b, _ := all[j]["isodate"].(string)
		return a < b
	})
}

// emitByISODate emits records in time order (for artifacts read whole).
func emitByISODate(all []map[string]any, emit func(record.Record)) {
	sortByISODate(all)
	for _, d := range all {
		emit(record.Record{Data: d})
	}
}

// pageAndIconURLs are a favicon record's observables: the page URL, then
// the icon URL.
func pageAndIconURLs(r record.Record) []record.Observable {
	obs := module.Observe(record.Critical, record.URL, "url", r.String("url"))
	return append(obs, module.Observe(record.Critical, record.URL, "icon_url", r.String("icon_url"))...)
}

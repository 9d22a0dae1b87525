package android

// Tombstones: native crash reports the device kept (tombstone_NN text
// files and, since Android 12, tombstone_NN.pb protobuf twins).
//
//   bug report: FS/data/tombstones/tombstone_* (any */tombstone_* below the root)
//
// Text tombstones are read line by line: "Build fingerprint:", "Revision:",
// "ABI:", "Timestamp:", "Process uptime:", "Cmdline:", the first
// "pid: X, tid: Y, name: Z  >>> binary <<<" line (the crashing thread),
// "uid:", "signal N (NAME), code M (CODE)", "Cause:", "Abort message:".
// Protobuf tombstones follow AOSP's system/core/debuggerd/proto/
// tombstone.proto (decoded here without a protobuf library: only the
// fields kept). A file that lacks a required field (fingerprint,
// revision, timestamp, pid, tid, uid, signal) is reported and skipped, as
// MVT skips it. Timestamps keep the device's wall clock (the offset is
// dropped) to the microsecond.

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Tombstones reads crash tombstones.
type Tombstones struct{}

// Info implements module.Module.
func (Tombstones) Info() module.Info {
	return module.Info{Name: "tombstones", Title: "Tombstones", Kinds: []evidence.Kind{evidence.Bugreport}, TimeField: "timestamp"}
}

// maxTombstone bounds the size of one tombstone file.
const maxTombstone = 64 << 20

// tombstoneQuery finds */tombstone_* at any depth below the root.
func tombstoneQuery() evidence.Query {
	var globs []string
	dir := "*"
	for range maxTreeDepth {
		globs = append(globs, dir+"/tombstone_*")
		dir += "/*"
	}
	return evidence.Query{DevicePaths: globs}
}

// Extract implements module.Module. A tombstone that cannot be parsed is
// skipped; the errors are returned together after the others are read.
func (Tombstones) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, tombstoneQuery())
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find */tombstone_*: %w", evidence.ErrNotFound)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var errs []error
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		d, err := readTombstone(src, e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		emit(record.Record{Data: d})
	}
	return errors.Join(errs...)
}

func readTombstone(src evidence.Source, e evidence.Entry) (map[string]any, error) {
	data, err := evidence.ReadFile(src, e, maxTombstone)
	if err != nil {
		return nil, err
	}
	when, err := wallClock(src, e)
	if err != nil {
		return nil, err
	}
	parse := parseTextTombstone
	if strings.HasSuffix(e.Name(), ".pb") {
		parse = parseProtoTombstone
	}
	d, err := parse(data)
	if err != nil {
		return nil, corruptFile(e, "parse tombstone", err)
	}
	d["file_name"], d["file_timestamp"] = path.Base(e.Name()), when
	return d, nil
}

// newTombstone is a record with MVT's optional fields unset.
func newTombstone() map[string]any {
	d := map[string]any{}
	for _, k := range []string{"arch", "process_uptime", "command_line", "process_name", "binary_path",
		"selinux_label", "cause", "causes", "abort_message", "extra"} {
		d[k] = nil
	}
	return d
}

// requireTombstone checks the fields MVT's model requires.
func requireTombstone(d map[string]any) error {
	var missing []string
	for _, k := range []string{"build_fingerprint", "revision", "timestamp", "pid", "tid", "uid", "signal_info"} {
		if _, ok := d[k]; !ok {
			missing = append(missing, k)
		}
	}
	if missing != nil {
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

const tombstoneDelimiter = "*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***"

// tombstoneKeys are the line prefixes MVT reads, in the order it tries
// them, with the record field each fills.
var tombstoneKeys = [][2]string{
	{"Build fingerprint", "build_fingerprint"}, {"Revision", "revision"}, {"ABI", "arch"}, {"Timestamp", "timestamp"},
	{"Process uptime", "process_uptime"}, {"Cmdline", "command_line"}, {"pid", "pid"}, {"tid", "tid"},
	{"name", "process_name"}, {"binary_path", "binary_path"}, {"uid", "uid"}, {"signal", "signal_info"},
	{"code", "code"}, {"Cause", "cause"}, {"Abort message", "abort_message"},
}

// parseTextTombstone parses a text tombstone.
func parseTextTombstone(data []byte) (map[string]any, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not UTF-8 text")
	}
	d := newTombstone()
	for i, line := range splitTombstoneLines(string(data)) {
		if strings.TrimSpace(line) == "" || strings.Contains(line, tombstoneDelimiter) {
			continue
		}
		for _, k := range tombstoneKeys {
			if strings.HasPrefix(line, k[0]) {
				if err := tombstoneLine(d, line, k[0], k[1]); err != nil {
					return nil, fmt.Errorf("line %d: %w", i+1, err)
				}
				break
			}
		}
	}
	return d, requireTombstone(d)
}

// splitTombstoneLines is Python's str.splitlines.
func splitTombstoneLines(s string) []string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\v", "\n", "\f", "\n", "\x1c", "\n", "\x1d", "\n", "\x1e", "\n",
		"\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func tombstoneLine(d map[string]any, line, key, field string) error {
	switch key {
	case "pid":
		return tombstonePidLine(d, line)
	case "signal":
		return tombstoneSignalLine(d, line)
	case "Timestamp":
		_, v, _ := strings.Cut(line, ":")
		ts, err := tombstoneTime(strings.TrimSpace(v))
		d["timestamp"] = ts
		return err
	}
	lineKey, value, ok := strings.Cut(line, ":")
	if !ok || lineKey != key {
		return fmt.Errorf("expected key %s, got %q", key, lineKey)
	}
	value = strings.Trim(strings.TrimSpace(value), "'")
	switch field {
	case "uid", "process_uptime", "tid":
		n, err := strconv.ParseInt(strings.TrimRight(value, "s"), 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		d[field] = n
	case "code": // read by MVT, but not a field of its record
	case "command_line":
		d[field] = []any{value}
	default:
		d[field] = value
	}
	return nil
}

// tombstonePidLine reads the crashing thread's line; later ones are other
// threads.
func tombstonePidLine(d map[string]any, line string) error {
	if _, ok := d["pid"]; ok {
		return nil
	}
	sep := ">>>"
	if strings.Contains(line, " >>> ") {
		sep = " >>> "
	}
	parts := strings.Split(line, sep)
	for _, info := range strings.Split(parts[0], ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(info), ":")
		if !ok {
			return fmt.Errorf("pid line: %q has no value", info)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "pid", "tid":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("pid line: %w", err)
			}
			d[k] = n
		case "name":
			d["process_name"] = v
		}
	}
	if len(parts) > 1 {
		d["binary_path"] = strings.TrimRight(strings.TrimSpace(parts[1]), " <")
	}
	return nil
}

// tombstoneSignalLine reads "signal N (NAME), code M (CODE), …".
func tombstoneSignalLine(d map[string]any, line string) error {
	parts := strings.Split(line, ",")
	if len(parts) < 2 {
		return errors.New("signal line without code")
	}
	number, name, err := signalPart(strings.TrimSpace(parts[0]), "signal ")
	if err != nil {
		return err
	}
	code, codeName, err := signalPart(strings.TrimSpace(parts[1]), "code ")
	if err != nil {
		return err
	}
	d["signal_info"] = map[string]any{"code": code, "code_name": codeName, "name": name, "number": number}
	return nil
}

func signalPart(part, prefix string) (int64, string, error) {
	pieces := strings.Split(part, prefix)
	if len(pieces) < 2 {
		return 0, "", fmt.Errorf("signal line: no %q in %q", prefix, part)
	}
	m := pieces[1]
	fields := strings.Fields(m)
	if len(fields) == 0 {
		return 0, "", fmt.Errorf("signal line: no number after %q", prefix)
	}
	n, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("signal line: %w", err)
	}
	name := "UNKNOWN"
	if _, after, ok := strings.Cut(m, "("); ok {
		name, _, _ = strings.Cut(after, ")")
	}
	return n, name, nil
}

// tombstoneTimePattern is a tombstone time: date, time, optional fraction
// and zone.
var tombstoneTimePattern = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(?:Z|[+-]\d{2}:?\d{2})?$`)

// tombstoneTime keeps the wall clock of a tombstone time, to the
// microsecond (the fraction is cut, not rounded).
func tombstoneTime(s string) (string, error) {
	m := tombstoneTimePattern.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("unknown time format %q", s)
	}
	n := make([]int, 6)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	frac := (m[7] + "000000")[:6]
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 || n[5] > 59 {
		return "", fmt.Errorf("time out of range %q", s)
	}
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%s", n[0], n[1], n[2], n[3], n[4], n[5], frac), nil
}

// Observables implements module.Module: the process name, then the
// command's base name.
func (Tombstones) Observables(r record.Record) []record.Observable {
	out := module.Observe(record.Critical, record.Process, "process_name", r.String("process_name"))
	if cmd := r.Strings("command_line"); len(cmd) > 0 {
		out = append(out, module.Observe(record.Critical, record.Process, "command_line", cmd[0][strings.LastIndex(cmd[0], "/")+1:])...)
	}
	return out
}

// Timeline implements module.Module.
func (m Tombstones) Timeline(r record.Record) []record.Event {
	sig, _ := r.Data["signal_info"].(map[string]any)
	data := fmt.Sprintf("Crash in '%s' process running as UID '%s' in file '%s' Crash type '%s' with code '%s'",
		pyValue(r.Data["process_name"]), pyValue(r.Data["uid"]), r.String("file_name"), pyValue(sig["name"]), pyValue(sig["code_name"]))
	return module.Event(m.Info().Title, r.String("timestamp"), "Tombstone", data)
}

// pyValue formats a value as Python's str() does for these fields.
func pyValue(v any) string {
	if v == nil {
		return "None"
	}
	if f, ok := record.Num(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// suspiciousCrashUIDs are root, system and shell.
var suspiciousCrashUIDs = map[float64]bool{0: true, 1000: true, 2000: true}

// NewInspector implements module.Heuristic: a crash of a process running
// as root, system or shell (MEDIUM).
func (Tombstones) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		uid, ok := r.Number("uid")
		if !ok || !suspiciousCrashUIDs[uid] {
			return
		}
		raise(module.Alert(record.Medium, r, "", fmt.Sprintf(
			"Potentially suspicious crash in process '%s' running as UID '%s' in tombstone '%s' at %s",
			pyValue(r.Data["process_name"]), pyValue(r.Data["uid"]), r.String("file_name"), r.String("timestamp"))))
	})
}

// Protobuf tombstones. The wire format: a message is a run of fields, each
// a varint key (field number << 3 | wire type) then a varint (type 0), 8
// bytes (1), a varint length and that many bytes (2: strings, bytes,
// messages, packed lists) or 4 bytes (5).

// pbField is one field of a message.
type pbField struct {
	num   uint64
	wire  uint64
	value uint64 // types 0, 1, 5
	data  []byte // type 2
}

// pbVarint reads a varint at b[*i].
func pbVarint(b []byte, i *int) (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if *i >= len(b) {
			return 0, errors.New("truncated varint")
		}
		c := b[*i]
		*i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("varint too long")
}

// pbFields splits a message into its fields.
func pbFields(b []byte) ([]pbField, error) {
	var out []pbField
	for i := 0; i < len(b); {
		key, err := pbVarint(b, &i)
		if err != nil {
			return nil, err
		}
		f := pbField{num: key >> 3, wire: key & 7}
		switch f.wire {
		case 0:
			f.value, err = pbVarint(b, &i)
		case 1, 5:
			n := 8
			if f.wire == 5 {
				n = 4
			}
			if len(b)-i < n {
				return nil, errors.New("truncated fixed field")
			}
			for k := n - 1; k >= 0; k-- {
				f.value = f.value<<8 | uint64(b[i+k])
			}
			i += n
		case 2:
			var n uint64
			if n, err = pbVarint(b, &i); err == nil && n > uint64(len(b)-i) {
				err = errors.New("truncated length-delimited field")
			}
			if err == nil {
				f.data = b[i : i+int(n)]
				i += int(n)
			}
		default:
			err = fmt.Errorf("unsupported wire type %d", f.wire)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// pbMessage decodes a message with fn called for each field.
func pbMessage(b []byte, fn func(f pbField) error) error {
	fields, err := pbFields(b)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// pbString is a field's text (bytes that are not UTF-8 are escaped).
func pbString(f pbField) string { return evidence.BytesText(f.data) }

// pbInt32 is a varint read as a signed 32-bit value.
func pbInt32(f pbField) int64 { return int64(int32(f.value)) }

// pbUint64 is a 64-bit value the way proto3 JSON writes it (a string).
func pbUint64(f pbField) string { return strconv.FormatUint(f.value, 10) }

var tombstoneArchitectures = []string{"ARM32", "ARM64", "X86", "X86_64", "RISCV64", "NONE"}

// pbEnum is an enum value's name, or its number when unknown.
func pbEnum(names []string, v uint64) any {
	if v < uint64(len(names)) {
		return names[v]
	}
	return int64(v)
}

// parseProtoTombstone decodes a tombstone.proto Tombstone message into the
// record fields.
func parseProtoTombstone(data []byte) (map[string]any, error) {
	d := newTombstone()
	for k, v := range map[string]any{"arch": "ARM32", "build_fingerprint": "", "revision": "", "pid": int64(0),
		"tid": int64(0), "uid": int64(0), "selinux_label": "", "process_uptime": int64(0), "abort_message": ""} {
		d[k] = v
	}
	d["signal_info"] = map[string]any{"code": int64(0), "code_name": "", "name": "", "number": int64(0)}
	cmd, causes := []any{}, []any{}
	threads := map[uint64]string{}
	ts := ""
	err := pbMessage(data, func(f pbField) error {
		var err error
		switch f.num {
		case 1:
			d["arch"] = pbEnum(tombstoneArchitectures, f.value)
		case 2:
			d["build_fingerprint"] = pbString(f)
		case 3:
			d["revision"] = pbString(f)
		case 4:
			ts = pbString(f)
		case 5, 6, 7, 20:
			d[map[uint64]string{5: "pid", 6: "tid", 7: "uid", 20: "process_uptime"}[f.num]] = int64(uint32(f.value))
		case 8:
			d["selinux_label"] = pbString(f)
		case 9:
			cmd = append(cmd, pbString(f))
		case 10:
			d["signal_info"], err = pbSignal(f.data)
		case 14:
			d["abort_message"] = pbString(f)
		case 15:
			var c map[string]any
			c, err = pbCause(f.data)
			causes = append(causes, c)
		case 16:
			err = pbThreadEntry(f.data, threads)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if d["timestamp"], err = tombstoneTime(strings.TrimSpace(ts)); err != nil {
		return nil, err
	}
	d["command_line"], d["causes"] = cmd, causes
	d["process_name"] = "Unknown"
	if tid, _ := d["tid"].(int64); threads[uint64(tid)] != "" {
		d["process_name"] = threads[uint64(tid)]
	}
	return d, nil
}

// pbSignal decodes Signal: number 1, name 2, code 3, code_name 4.
func pbSignal(b []byte) (map[string]any, error) {
	s := map[string]any{"code": int64(0), "code_name": "", "name": "", "number": int64(0)}
	return s, pbMessage(b, func(f pbField) error {
		switch f.num {
		case 1:
			s["number"] = pbInt32(f)
		case 2:
			s["name"] = pbString(f)
		case 3:
			s["code"] = pbInt32(f)
		case 4:
			s["code_name"] = pbString(f)
		}
		return nil
	})
}

// pbThreadEntry decodes one threads map entry (key 1: thread id; value 2:
// Thread with id 1 and name 2) into id → name.
func pbThreadEntry(b []byte, threads map[uint64]string) error {
	var id uint64
	var name string
	err := pbMessage(b, func(f pbField) error {
		if f.num != 2 {
			return nil
		}
		return pbMessage(f.data, func(t pbField) error {
			switch t.num {
			case 1:
				id = uint64(uint32(pbInt32(t)))
			case 2:
				name = pbString(t)
			}
			return nil
		})
	})
	if err == nil {
		if _, seen := threads[id]; !seen || threads[id] == "" {
			threads[id] = name
		}
	}
	return err
}

var (
	memoryErrorTools = []string{"GWP_ASAN", "SCUDO"}
	memoryErrorTypes = []string{"UNKNOWN", "USE_AFTER_FREE", "DOUBLE_FREE", "INVALID_FREE", "BUFFER_OVERFLOW", "BUFFER_UNDERFLOW"}
)

// pbCause decodes Cause: human_readable 1, memory_error 2 (MemoryError:
// tool 1, type 2, heap 3).
func pbCause(b []byte) (map[string]any, error) {
	c := map[string]any{"human_readable": "", "memory_error": nil}
	return c, pbMessage(b, func(f pbField) error {
		switch f.num {
		case 1:
			c["human_readable"] = pbString(f)
		case 2:
			me := map[string]any{"tool": "GWP_ASAN", "type": "UNKNOWN"}
			c["memory_error"] = me
			return pbMessage(f.data, func(m pbField) error {
				switch m.num {
				case 1:
					me["tool"] = pbEnum(memoryErrorTools, m.value)
				case 2:
					me["type"] = pbEnum(memoryErrorTypes, m.value)
				case 3:
					heap, err := pbHeapObject(m.data)
					me["heap"] = heap
					return err
				}
				return nil
			})
		}
		return nil
	})
}

// pbHeapObject decodes HeapObject: address 1, size 2, allocation_tid 3,
// deallocation_tid 5 (the backtraces, 4 and 6, are left out).
func pbHeapObject(b []byte) (map[string]any, error) {
	h := map[string]any{"address": "0", "size": "0", "allocation_tid": "0", "deallocation_tid": "0"}
	names := map[uint64]string{1: "address", 2: "size", 3: "allocation_tid", 5: "deallocation_tid"}
	return h, pbMessage(b, func(f pbField) error {
		if name, ok := names[f.num]; ok {
			h[name] = pbUint64(f)
		}
		return nil
	})
}

package android

// DumpsysADBState: the ADB hosts the device trusts, from the "adb"
// section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt (+ acquisition.json / adb_host_key.pub for
//               the acquisition host's key)
//
// The section holds "ADB MANAGER STATE" and an indented key=value dump
// between "{" and "}" (DualDumpOutputStream): nested "key={" blocks, and
// the multi-line values user_keys (one "base64key user@host" per line) and
// keystore. The keystore is XML ("<adbKey key=… lastConnection=…/>",
// Android 11+) or Android binary XML ("ABX", Android 12+), which is kept
// as text like MVT keeps its bytes. Binary bytes are everywhere here, so
// the section is read raw.
//
// When the source is an androidqf acquisition, the record also carries
// "androidqf_acquisition" ({started, adb_host_public_key}) so the trusted
// keys can be compared with the key of the host that made the acquisition.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysADBState reads the adb section.
type DumpsysADBState struct{}

// Info implements module.Module.
func (DumpsysADBState) Info() module.Info {
	return module.Info{Name: "dumpsys_adb_state", Title: "DumpsysADBState", Kinds: dumpstateKinds}
}

// maxADBSection bounds the adb section read into memory.
const maxADBSection = 16 << 20

// Extract implements module.Module.
func (DumpsysADBState) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	var section [][]byte
	size := 0
	err := eachDumpsysLine(ctx, src, "adb", dumpsys.Binary, func(line string) error {
		if size += len(line) + 1; size > maxADBSection {
			return fmt.Errorf("%w: adb section larger than %d bytes", evidence.ErrCorrupt, maxADBSection)
		}
		section = append(section, []byte(line))
		return nil
	})
	if err != nil {
		return err
	}
	d := parseADBState(bytes.Join(section, []byte("\n")))
	if d == nil {
		return nil
	}
	if src.Kind() == evidence.AndroidQF {
		d["androidqf_acquisition"] = acquisitionContext(ctx, src)
	}
	emit(record.Record{Data: d})
	return nil
}

// parseADBState returns the debugging_manager object of an adb section,
// or nil when the section holds none.
func parseADBState(content []byte) map[string]any {
	if len(content) == 0 || bytes.Contains(content, []byte("Can't find service: adb")) {
		return nil
	}
	start := bytes.Index(content, []byte("\n{"))
	end := bytes.LastIndex(content, []byte("}\n"))
	if start == -1 || end == -1 || end <= start {
		return nil
	}
	body := bytes.TrimRight([]byte(pySlice(string(content), start+2, end-2)), " \t\n\r\v\f")
	parsed := parseIndentedDump(body)
	dm, ok := parsed["debugging_manager"].(map[string]any)
	if !ok {
		return nil
	}
	keystore := joinLines(parsed["keystore"])
	if keystore == nil {
		keystore = joinLines(dm["keystore"])
	}
	dm["keystore"] = nil
	if keystore != nil {
		dm["keystore"] = keystoreValue(keystore)
	}
	keys := []any{}
	if list, ok := dm["user_keys"].(*adbLines); ok {
		for _, k := range list.lines {
			keys = append(keys, adbKeyInfo(k))
		}
	}
	dm["user_keys"] = keys
	return plainADB(dm).(map[string]any)
}

// keystoreValue parses an XML keystore into its keys; anything else (ABX,
// or XML that does not parse) is kept as text.
func keystoreValue(data []byte) any {
	if bytes.HasPrefix(data, []byte("<?xml")) {
		if keys, err := parseADBKeystoreXML(data); err == nil {
			return keys
		}
	}
	return evidence.BytesText(data)
}

// adbLines is a multi-line value of the dump.
type adbLines struct{ lines [][]byte }

// adbMultiline are the keys whose value continues on the following lines.
var adbMultiline = map[string]bool{"user_keys": true, "keystore": true}

// parseIndentedDump reads the key=value tree the way MVT does: a line
// less indented than the previous one closes a block, "}" closes one, and
// a multi-line value runs to a blank line or to a line that looks like a
// key=value or "}" line.
func parseIndentedDump(data []byte) map[string]any {
	root := map[string]any{}
	stack := []any{root}
	pop := func() {
		if len(stack) > 1 {
			stack = stack[:len(stack)-1]
		}
	}
	curIndent, multiline := 0, false
	for _, line := range bytes.Split(bytes.Trim(data, "\n"), []byte("\n")) {
		trimmed := bytes.TrimLeft(line, " \t\n\r\v\f")
		indent := len(line) - len(trimmed)
		if indent < curIndent {
			pop()
		}
		curIndent = indent
		key, value, hasValue := bytes.Cut(trimmed, []byte("="))
		k := evidence.BytesText(key)
		if multiline {
			list, inList := stack[len(stack)-1].(*adbLines)
			if k == "" {
				multiline = false
				if inList {
					pop()
				}
				continue
			}
			if !(k == "}" || hasValue && isIdentifier(k)) {
				if inList {
					list.lines = append(list.lines, trimmed)
				}
				continue
			}
			multiline = false
			if inList {
				pop()
			}
		}
		dict, isDict := stack[len(stack)-1].(map[string]any)
		switch {
		case k == "}":
			pop()
		case !hasValue || !isDict:
		case string(value) == "{":
			child := map[string]any{}
			dict[k] = child
			stack = append(stack, child)
		case adbMultiline[k]:
			list := &adbLines{lines: [][]byte{value}}
			dict[k] = list
			multiline = true
			stack = append(stack, list)
		default:
			dict[k] = value
		}
	}
	return root
}

// isIdentifier is Python's str.isidentifier.
func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r))) {
			return false
		}
	}
	return s != ""
}

// joinLines joins a multi-line value with "\n"; other values give nil.
func joinLines(v any) []byte {
	if l, ok := v.(*adbLines); ok {
		if j := bytes.Join(l.lines, []byte("\n")); len(j) > 0 {
			return j
		}
	}
	return nil
}

// plainADB turns the parsed tree into plain JSON values.
func plainADB(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plainADB(e)
		}
		return x
	case []byte:
		return evidence.BytesText(x)
	case *adbLines:
		out := make([]any, len(x.lines))
		for i, l := range x.lines {
			out[i] = evidence.BytesText(l)
		}
		return out
	}
	return v
}

// parseADBKeystoreXML lists the <adbKey> entries of an XML keystore.
func parseADBKeystoreXML(data []byte) ([]any, error) {
	var doc struct {
		Keys []struct {
			Key            string  `xml:"key,attr"`
			LastConnection *string `xml:"lastConnection,attr"`
		} `xml:"adbKey"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(doc.Keys))
	for _, k := range doc.Keys {
		info := adbKeyInfo([]byte(k.Key))
		info["last_connected"] = nil
		if k.LastConnection != nil {
			info["last_connected"] = *k.LastConnection
		}
		out = append(out, info)
	}
	return out, nil
}

// adbKeyInfo splits "base64key user@host" and adds the key's fingerprint
// (MD5 of the decoded key, upper-case hex pairs joined by ":"; "" when
// the key is not base64).
func adbKeyInfo(userKey []byte) map[string]any {
	key, user, _ := bytes.Cut(userKey, []byte(" "))
	fingerprint := ""
	if raw, err := lenientBase64(key); err == nil {
		sum := md5.Sum(raw)
		h := strings.ToUpper(hex.EncodeToString(sum[:]))
		pairs := make([]string, 0, len(h)/2)
		for i := 0; i < len(h); i += 2 {
			pairs = append(pairs, h[i:i+2])
		}
		fingerprint = strings.Join(pairs, ":")
	}
	return map[string]any{"user": evidence.BytesText(user), "fingerprint": fingerprint, "key": evidence.BytesText(key)}
}

// lenientBase64 decodes as Python's b64decode without validation: bytes
// outside the alphabet are skipped, decoding stops at padding, and a
// length that padding cannot complete is an error.
func lenientBase64(b []byte) ([]byte, error) {
	var clean []byte
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '=' && len(clean)%4 >= 2:
			return base64.RawStdEncoding.DecodeString(string(clean))
		}
	}
	if len(clean)%4 != 0 {
		return nil, errors.New("incorrect padding")
	}
	return base64.StdEncoding.DecodeString(string(clean))
}

// acquisitionContext reads what androidqf recorded of the acquisition
// host: acquisition.json's started and adb_host_public_key, else the key
// in adb_host_key.pub. Unreadable files leave the values out.
func acquisitionContext(ctx context.Context, src evidence.Source) map[string]any {
	out := map[string]any{}
	if data, _, err := readRootFile(ctx, src, "acquisition.json", "*/acquisition.json"); err == nil {
		var meta map[string]any
		if json.Unmarshal(data, &meta) == nil && meta != nil {
			out["started"], out["adb_host_public_key"] = meta["started"], meta["adb_host_public_key"]
		}
	}
	if s, _ := out["adb_host_public_key"].(string); s == "" {
		if data, _, err := readRootFile(ctx, src, "adb_host_key.pub", "*/adb_host_key.pub"); err == nil {
			out["adb_host_public_key"] = evidence.BytesText(data)
		}
	}
	return out
}

// Observables implements module.Module: MVT checks no indicators here.
func (DumpsysADBState) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: MVT makes none.
func (DumpsysADBState) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: with an androidqf acquisition,
// each trusted key that is invalid, or cannot be compared, or is not the
// acquisition host's (LOW), or is the host's but was last used at least a
// day before the acquisition (INFORMATIONAL).
func (DumpsysADBState) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		acq, ok := r.Data["androidqf_acquisition"].(map[string]any)
		if !ok {
			return
		}
		hostKey := adbKeyMaterial(acq["adb_host_public_key"])
		if !validBase64Key(hostKey) {
			hostKey = ""
		}
		var cutoff time.Time
		if started, ok := parseAcquisitionTime(acq["started"]); ok {
			cutoff = started.Add(-24 * time.Hour)
		}
		for _, k := range trustedADBKeys(r) {
			if f, ok := judgeADBKey(r.Module, k, hostKey, cutoff); ok {
				raise(f)
			}
		}
	})
}

// trustedADBKeys lists the unique trusted keys, keystore entries first.
func trustedADBKeys(r record.Record) []map[string]any {
	var candidates []any
	if ks, ok := r.Data["keystore"].([]any); ok {
		candidates = append(candidates, ks...)
	}
	if uk, ok := r.Data["user_keys"].([]any); ok {
		candidates = append(candidates, uk...)
	}
	var out []map[string]any
	seen := map[string]bool{}
	for _, c := range candidates {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		id := adbKeyMaterial(m["key"])
		if id == "" {
			b, _ := json.Marshal(m)
			id = "\x00" + string(b)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, m)
		}
	}
	return out
}

func judgeADBKey(mod string, k map[string]any, hostKey string, cutoff time.Time) (record.Finding, bool) {
	key := adbKeyMaterial(k["key"])
	fp, user := textField(k, "fingerprint"), textField(k, "user")
	if fp == "" {
		fp = "<unknown key>"
	}
	if user == "" {
		user = "unknown user"
	}
	desc := fmt.Sprintf("%s (%s)", fp, user)
	last, hasLast := lastConnected(k["last_connected"])
	when := ""
	if hasLast {
		when = record.ISO(last)
	}
	f := record.Finding{Severity: record.Low, Module: mod, EventTime: when, Event: k}
	switch {
	case !validBase64Key(key):
		f.Message = "Found an invalid trusted ADB host key: " + desc
	case hostKey == "":
		f.Message = "Found a trusted ADB host key, but the AndroidQF acquisition does not include its host key: " + desc
	case key != hostKey:
		f.Message = "Found a trusted ADB host key different from the AndroidQF acquisition host: " + desc
	case !cutoff.IsZero() && hasLast && !last.After(cutoff):
		f.Severity = record.Info
		f.Message = "Found a trusted ADB host key last connected at least one day before the AndroidQF acquisition: " + desc
	default:
		return f, false
	}
	return f, true
}

// adbKeyMaterial is the base64 part of "key user@host".
func adbKeyMaterial(v any) string {
	s, _ := v.(string)
	key, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return key
}

// validBase64Key is Python's strict b64decode giving a non-empty key.
func validBase64Key(s string) bool {
	if s == "" || strings.ContainsAny(s, "\r\n") {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) > 0
}

// parseAcquisitionTime reads androidqf's RFC 3339 "started" time; a time
// without zone is UTC.
func parseAcquisitionTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// lastConnected reads a keystore lastConnection (Unix milliseconds).
func lastConnected(v any) (time.Time, bool) {
	var ms int64
	switch x := v.(type) {
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		ms = n
	default:
		f, ok := record.Num(v)
		if !ok {
			return time.Time{}, false
		}
		ms = int64(f)
	}
	return time.UnixMilli(ms).UTC(), true
}

package report

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendPlain appends v as encoding/json would write it with
// SetEscapeHTML(false) and SetIndent(prefix, "    ") (without the final
// newline), for the plain values records hold: nil, bool, string, the
// integer types, float64, json.Number, []any, []string and map[string]any.
// It reports false, leaving what it appended undefined, when v holds
// anything else (or a float JSON cannot represent); the caller then uses
// encoding/json. It is several times faster than encoding/json, which
// encodes through reflection, sorts map keys through reflect.Value, and
// indents in a second pass.
func appendPlain(b []byte, v any, prefix string) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendString(b, x), true
	case bool:
		return strconv.AppendBool(b, x), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int32:
		return strconv.AppendInt(b, int64(x), 10), true
	case uint64:
		return strconv.AppendUint(b, x, 10), true
	case float64:
		return appendFloat(b, x)
	case json.Number:
		if x == "" {
			return append(b, '0'), true
		}
		if !json.Valid([]byte(x)) {
			return b, false
		}
		return append(b, x...), true
	case []any:
		if x == nil {
			return append(b, "null"...), true
		}
		return appendList(b, len(x), prefix, func(b []byte, i int, p string) ([]byte, bool) { return appendPlain(b, x[i], p) })
	case []string:
		if x == nil {
			return append(b, "null"...), true
		}
		return appendList(b, len(x), prefix, func(b []byte, i int, _ string) ([]byte, bool) { return appendString(b, x[i]), true })
	case map[string]any:
		return appendMap(b, x, prefix)
	}
	return b, false
}

const indentUnit = "    "

func appendList(b []byte, n int, prefix string, elem func([]byte, int, string) ([]byte, bool)) ([]byte, bool) {
	if n == 0 {
		return append(b, "[]"...), true
	}
	inner := prefix + indentUnit
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		b = append(b, inner...)
		var ok bool
		if b, ok = elem(b, i, inner); !ok {
			return b, false
		}
	}
	b = append(b, '\n')
	b = append(b, prefix...)
	return append(b, ']'), true
}

func appendMap(b []byte, m map[string]any, prefix string) ([]byte, bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	if len(m) == 0 {
		return append(b, "{}"...), true
	}
	var stack [64]string
	return appendMapKeys(b, m, sortedKeys(m, stack[:0]), prefix)
}

// sortedKeys appends m's keys to keys, sorted.
func sortedKeys(m map[string]any, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyHeads encodes, for each key, the start of its line in an object
// indented by inner: a newline, the indent, the quoted key and ": ".
func keyHeads(keys []string, inner string, heads [][]byte) [][]byte {
	for _, k := range keys {
		h := append([]byte{'\n'}, inner...)
		h = appendString(h, k)
		heads = append(heads, append(h, ':', ' '))
	}
	return heads
}

// appendKnownMap writes a non-empty map whose sorted keys are expected to
// be keys (with their encoded line starts heads). same is false, and b is
// returned unchanged, when m has other keys; ok is false when a value is
// not a plain value.
func appendKnownMap(b []byte, m map[string]any, keys []string, heads [][]byte, prefix string) (out []byte, ok, same bool) {
	if len(m) != len(keys) {
		return b, true, false
	}
	start := len(b)
	inner := prefix + indentUnit
	b = append(b, '{')
	for i, k := range keys {
		v, found := m[k]
		if !found {
			return b[:start], true, false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, heads[i]...)
		if b, ok = appendPlain(b, v, inner); !ok {
			return b, false, true
		}
	}
	b = append(b, '\n')
	b = append(b, prefix...)
	return append(b, '}'), true, true
}

// appendMapKeys writes a non-empty map whose sorted keys are keys.
func appendMapKeys(b []byte, m map[string]any, keys []string, prefix string) ([]byte, bool) {
	inner := prefix + indentUnit
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		b = append(b, inner...)
		b = appendString(b, k)
		b = append(b, ':', ' ')
		var ok bool
		if b, ok = appendPlain(b, m[k], inner); !ok {
			return b, false
		}
	}
	b = append(b, '\n')
	b = append(b, prefix...)
	return append(b, '}'), true
}

// appendFloat formats f as encoding/json does (ES6 number formatting).
func appendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does without HTML escaping:
// quote, backslash and control characters escaped, invalid UTF-8 as
// U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

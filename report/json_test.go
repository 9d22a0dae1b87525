package report

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// stdJSON is what appendPlain must equal: encoding/json without HTML
// escaping, indented by four spaces after prefix, no final newline.
func stdJSON(t *testing.T, v any, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "    ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

var jsonStrings = []string{"", "plain", `q"uote\back`, "tab\tnl\nret\r\b\f\x00\x1f\x7f", "<html>&amp;",
	"é ü 漢字 🙂", "bad\xff\xfeutf8", "sep\u2028\u2029", "https://example.com/?a=1&b=<2>"}

var jsonFloats = []float64{0, math.Copysign(0, -1), 1, -1.5, 1e-7, 1e-6, 123456789.125, 1e20, 1e21, 1.5e300, -2.5e-300, 7.0e-10, 738892800.123456}

func randomPlain(r *rand.Rand, depth int) any {
	switch r.IntN(11) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return jsonStrings[r.IntN(len(jsonStrings))]
	case 3:
		return r.Int64() - r.Int64()
	case 4:
		return jsonFloats[r.IntN(len(jsonFloats))]
	case 5:
		return json.Number("12.50")
	case 6:
		return r.IntN(1000)
	case 7:
		return []string{jsonStrings[r.IntN(len(jsonStrings))], "x"}
	}
	if depth > 3 {
		return "leaf"
	}
	if r.IntN(2) == 0 {
		l := make([]any, r.IntN(4))
		for i := range l {
			l[i] = randomPlain(r, depth+1)
		}
		return l
	}
	m := map[string]any{}
	for range r.IntN(5) {
		m[jsonStrings[r.IntN(len(jsonStrings))]+string(rune('a'+r.IntN(26)))] = randomPlain(r, depth+1)
	}
	return m
}

func TestAppendPlainMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []any{nil, map[string]any{}, map[string]any(nil), []any{}, []any(nil), []string{}, []string(nil)}
	for range 2000 {
		values = append(values, randomPlain(r, 0))
	}
	for _, v := range values {
		for _, prefix := range []string{"", "    "} {
			got, ok := appendPlain(nil, v, prefix)
			if !ok {
				t.Fatalf("appendPlain refused %#v", v)
			}
			if want := stdJSON(t, v, prefix); !bytes.Equal(got, want) {
				t.Fatalf("value %#v, prefix %q:\ngot  %s\nwant %s", v, prefix, got, want)
			}
		}
	}
}

func TestAppendPlainRefusesOthers(t *testing.T) {
	for _, v := range []any{math.NaN(), map[string]any{"a": math.Inf(1)}, []any{struct{}{}}, json.Number("1x"), []byte("x")} {
		if _, ok := appendPlain(nil, v, ""); ok {
			t.Errorf("appendPlain accepted %#v", v)
		}
	}
}

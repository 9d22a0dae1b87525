package ios

import (
	"regexp"
	"slices"
	"testing"
)

// linkPattern is MVT's link finder: http(s):// followed by anything up to
// whitespace. Python's \s is Unicode-aware, so the Unicode separators are
// excluded as well. findLinks must find exactly what it finds.
var linkPattern = regexp.MustCompile(`(?i)https?://[^\s\v\x{1c}-\x{1f}\x{85}\p{Z}]+`)

func FuzzFindLinks(f *testing.F) {
	for _, s := range []string{
		"Please click here https://badbadbad.example.org/ now",
		"httpſ://long.s/ HTTPſ:// x",
		"HTTP://A.B/c\u00a0next http://x.y\u2028z httpss://no http:// https:/ ",
		"hthttps://a.b/ https://\u0085 ftp://x http://\x1cx HtTpS://é.example/ü",
		"https://a.b\r\nhttp://c.d\thttp://e.f\vhttp://g",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := linkPattern.FindAllString(s, -1)
		if want == nil {
			want = []string{}
		}
		if got := findLinks(s); !slices.Equal(got, want) {
			t.Errorf("findLinks(%q) = %q, regexp finds %q", s, got, want)
		}
	})
}

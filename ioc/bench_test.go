package ioc

import (
	"fmt"
	"os"
	"testing"

	"github.com/spycheck/spycheck/record"
)

// syntheticIndex holds n domain indicators and n/10 URL indicators.
func syntheticIndex(n int) *Index {
	ix := newIndex()
	ind := record.Indicator{Name: "Bench", File: "bench.stix2"}
	for i := range n {
		e, _ := newEntry(bDomains, fmt.Sprintf("host%d.campaign%d.example", i, i%97), ind)
		ix.add(e)
		if i%10 == 0 {
			e, _ := newEntry(bURLs, fmt.Sprintf("https://short%d.example/x", i), ind)
			ix.add(e)
		}
	}
	return ix
}

func BenchmarkLookupURL(b *testing.B) {
	cases := map[string][]record.Observable{
		"miss": {
			{Kind: record.URL, Value: "https://www.news.site.example.com/articles/2024/01/story.html?ref=home"},
			{Kind: record.URL, Value: "https://cdn.static.example.net/img/logo.png"},
			{Kind: record.URL, Value: "http://203.0.113.77:8080/"},
		},
		"hit": {
			{Kind: record.URL, Value: "https://a.host500.campaign15.example/landing"},
		},
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		ix := syntheticIndex(n)
		for _, name := range []string{"miss", "hit"} {
			obs := cases[name]
			b.Run(fmt.Sprintf("indicators=%d/%s", n, name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					ix.Lookup(obs[i%len(obs)])
				}
			})
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	p := sharedFile(b, "iocs/amnesty-investigations/2021-07-18_nso/pegasus.stix2")
	info, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(p); err != nil {
			b.Fatal(err)
		}
	}
}

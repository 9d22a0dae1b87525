package ioc

import (
	"strings"
	"testing"

	"github.com/spycheck/spycheck/record"
)

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		`[domain-name:value='example.org']`,
		`[url:value = 'https://a.example/x']`,
		`[file:hashes.'SHA-256'='ab']`,
		`[a:b='x' OR c:d='y'] OR ([e:f='z'] AND [g:h='w']) WITHIN 5 SECONDS`,
		`[x:y IN ('a', 'b')] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'`,
		`[domain-name:resolves_to_refs[*].value NOT LIKE 'q\'\\']`,
		`[[[(((`,
		`'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePattern(s)
		if err == nil && len(p.cmps) == 0 {
			t.Fatalf("parsePattern(%q): no comparisons and no error", s)
		}
	})
}

func FuzzLoadSTIX(f *testing.F) {
	f.Add(singleMalware(`[domain-name:value='example.org']`, `[ipv4-addr:value='198.51.100.1']`))
	f.Add(bundle(reportObj("report--r", "R", "indicator--a"), indicatorObj("indicator--a", `[file:path='/var/x/']`)))
	f.Add(bundle(indicatorObj("indicator--a", `[process:name='p' OR email-addr:value='E@x.org']`)))
	f.Add(`{"objects": [{"type": "indicator", "id": 5}]}`)
	f.Add(`{"objects": null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, data string) {
		res, err := parseSTIX([]byte(data), "fuzz.stix2")
		if err != nil {
			return
		}
		ix := newIndex()
		ix.commit("fuzz.stix2", res)
		for _, e := range res.entries {
			probe(t, ix, e)
		}
	})
}

// probe looks up an added indicator's own value, which must not panic and,
// for exact kinds, must match.
func probe(t *testing.T, ix *Index, e entry) {
	kinds := map[bucket]record.Kind{
		bDomains: record.URL, bURLs: record.URL, bProcesses: record.Process, bEmails: record.Email,
		bFileNames: record.FilePath, bFilePaths: record.FilePath, bAppIDs: record.AppID,
		bCerts: record.CertHash, bProfiles: record.ProfileUUID, bProperties: record.AndroidProperty,
		bSHA256: record.FileHash, bSHA1: record.FileHash, bMD5: record.FileHash,
	}
	o := record.Observable{Kind: kinds[e.b], Value: e.ind.Value}
	_, ok := ix.Lookup(o)
	switch e.b {
	case bURLs, bAppIDs, bCerts, bProfiles, bProperties, bFilePaths:
		if !ok {
			t.Errorf("indicator %+v does not match its own value", e.ind)
		}
	}
}

func FuzzLookupURL(f *testing.F) {
	ix := lookupIndex(f)
	for _, s := range []string{
		"https://www.example.org/foobar", "http://example.org:8080/toto", "https://198.51.100.1:8080/",
		"http://[2001:db8::66]:8443/x", "//a.b.example.net", "mailto:x@example.org", "https://xn--bcher-kva.example/",
		"https://www.bücher.example/", "http://[::1", "https://a..b/", ".", "@", ":", "[]", "http://%zz/",
		strings.Repeat("a.", 200) + "example.org",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		for _, k := range []record.Kind{record.URL, record.Email, record.Process, record.ProcessPath, record.FilePath, record.FileHash} {
			ix.Lookup(record.Observable{Kind: k, Value: u})
		}
	})
}

package ioc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spycheck/spycheck/record"
)

// sharedTestdata is the project's shared corpus, outside this module.
const sharedTestdata = "../../shared/testdata"

func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(sharedTestdata, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data not available (%v); these tests compare with MVT on published indicator files", err)
	}
	return p
}

// TestConformanceCounts checks that files load to MVT's indicator counts.
// MVT files IPv4 addresses under domains; so does Counts.
func TestConformanceCounts(t *testing.T) {
	tests := []struct {
		file   string
		len    int
		counts map[string]int
		name   string // collection of every indicator
	}{
		{"iocs/test.stix2", 9, map[string]int{
			TypeDomains: 2, TypeURLs: 1, TypeProcesses: 1, TypeEmails: 1, TypeFileNames: 1,
			TypeSHA256: 1, TypeSHA1: 1, TypePropertyNames: 1,
		}, "TestMalware"},
		{"mvt/stix2/cytrox.stix2", 343, map[string]int{
			TypeDomains: 336, TypeFilePaths: 6, TypeProfileIDs: 1,
		}, "Predator"},
		{"mvt/stix2/638cd3ee5e5f019f84f9e0ea.json", 69, map[string]int{
			TypeDomains: 15, TypeURLs: 54,
		}, "Pegasus Forensic Traces per Target Identified in the Aftermath of the Pegasus Project Revelations - Amnesty International"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			ix := mustLoad(t, sharedFile(t, tt.file))
			if ix.Len() != tt.len {
				t.Errorf("Len() = %d, want %d", ix.Len(), tt.len)
			}
			if diff := cmp.Diff(tt.counts, ix.Counts()); diff != "" {
				t.Errorf("Counts() (-want +got):\n%s", diff)
			}
			for _, ind := range ix.all() {
				if ind.Name != tt.name || ind.File != filepath.Base(tt.file) {
					t.Fatalf("indicator %+v: want collection %q from %s", ind, tt.name, filepath.Base(tt.file))
				}
			}
			if n := len(ix.Skipped()); n != 0 {
				t.Errorf("%d patterns skipped, want none", n)
			}
		})
	}
}

// TestConformanceMVTMatches replays MVT's URL checks on its test file.
func TestConformanceMVTMatches(t *testing.T) {
	ix := mustLoad(t, sharedFile(t, "iocs/test.stix2"))
	tests := []struct {
		kind  record.Kind
		value string
		want  bool
	}{
		{record.URL, "http://example.com/thisisbad", true},
		{record.URL, "http://example.com/thisisgood", false},
		{record.URL, "https://www.example.org/foobar", true},
		{record.URL, "http://example.org:8080/toto", true},
		{record.URL, "https://github.com", false},
		{record.URL, "https://example.com/", false},
		{record.URL, "https://198.51.100.1:8080/", true},
		{record.URL, "https://1.1.1.1/", false},
		{record.URL, "not a url at all", false},
		{record.Email, "FOOBAR@example.org", true},
		{record.Process, "Launch", true},
		{record.AndroidProperty, "sys.foobar", true},
		{record.FileHash, "570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6", true},
		{record.FileHash, "DA0611A300A9CE9AA7A09D1212F203FCA5856794", true},
	}
	for _, tt := range tests {
		if _, got := ix.Lookup(record.Observable{Kind: tt.kind, Value: tt.value}); got != tt.want {
			t.Errorf("Lookup(%s %q) = %v, want %v", tt.kind, tt.value, got, tt.want)
		}
	}
}

// TestConformanceLoadAll loads every published file of the corpus.
func TestConformanceLoadAll(t *testing.T) {
	ix := mustLoad(t, sharedFile(t, "iocs"), sharedFile(t, "mvt/stix2"))
	if ix.Len() < 5000 || len(ix.Files()) < 40 {
		t.Errorf("loaded %d indicators from %d files; want the whole corpus", ix.Len(), len(ix.Files()))
	}
	// coruna publishes "fgr1w2gnsdvsb.xyz/x" as a domain, in its STIX file
	// and in its domains.txt; no host can equal it, so it is skipped.
	var skipped []string
	for _, s := range ix.Skipped() {
		skipped = append(skipped, filepath.Base(s.File)+": "+s.Reason)
	}
	want := []string{
		`coruna.stix2: "fgr1w2gnsdvsb.xyz/x" is not a domain name`,
		`domains.txt: "fgr1w2gnsdvsb.xyz/x" is not a domain name`,
	}
	if diff := cmp.Diff(want, skipped); diff != "" {
		t.Errorf("Skipped() (-want +got):\n%s", diff)
	}
	m, ok := ix.Lookup(record.Observable{Kind: record.FilePath, Value: "/var/db/com.apple.xpc.roleaccountd.staging/PlugIns/fud.appex/Info.plist"})
	if !ok || m.Indicator.Type != TypeFilePaths {
		t.Errorf("QuaDream path lookup = %+v, %v", m, ok)
	}
}

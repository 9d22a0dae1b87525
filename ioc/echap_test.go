package ioc

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spycheck/spycheck/record"
)

const echapSample = `- name: SpyCorp
  names:
  - SpyCorp
  - SpyAlias
  type: stalkerware
  packages:
  - com.spycorp.agent
  - com.spycorp.agent
  certificates:
  - 31A6ECECD97CF39BC4126B8745CD94A7C30BF81C
  websites:
  - spycorp.example
  - www.spycorp.example
  - both.example
  distribution:
  - dl.spycorp-apps.example
  c2:
    domains:
    - api.spycorp.example
    - both.example
    ips:
    - 192.0.2.10
- name: OtherSpy
  type: stalkerware
  packages:
  - com.other.spy
  c2:
    ip:
    - 198.51.100.20
    domains:
    - not a host
`

func TestEchapLoad(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "stalkerware-indicators/ioc.yaml", echapSample)
	writeFile(t, dir, "mvt-indicators/indicators.yaml", "- name: feed\n  type: github\n") // not Echap's: ignored in a folder
	ix := mustLoad(t, dir)
	want := map[string]int{TypeAppIDs: 2, TypeCertHashes: 1, TypeDomains: 4}
	if diff := cmp.Diff(want, ix.Counts()); diff != "" {
		t.Errorf("counts: %s", diff)
	}
	if sk := ix.Skipped(); len(sk) != 1 || sk[0].Pattern != "not a host" || sk[0].Object != "OtherSpy" {
		t.Errorf("skipped = %+v", sk)
	}
	cases := []struct {
		o    record.Observable
		name string
		ok   bool
	}{
		{record.Observable{Kind: record.AppID, Value: "COM.SpyCorp.Agent"}, "SpyCorp", true},
		{record.Observable{Kind: record.CertHash, Value: "31a6ececd97cf39bc4126b8745cd94a7c30bf81c"}, "SpyCorp", true},
		{record.Observable{Kind: record.URL, Value: "https://api.spycorp.example/upload"}, "SpyCorp", true},
		{record.Observable{Kind: record.URL, Value: "https://both.example/"}, "SpyCorp", true},
		{record.Observable{Kind: record.URL, Value: "http://192.0.2.10:8080/"}, "SpyCorp", true},
		{record.Observable{Kind: record.URL, Value: "198.51.100.20"}, "OtherSpy", true},
		// vendor websites and download sites are not infection indicators
		{record.Observable{Kind: record.URL, Value: "https://www.spycorp.example/pricing"}, "", false},
		{record.Observable{Kind: record.URL, Value: "https://dl.spycorp-apps.example/a.apk"}, "", false},
	}
	for _, c := range cases {
		m, ok := ix.Lookup(c.o)
		if ok != c.ok || m.Indicator.Name != c.name {
			t.Errorf("Lookup(%v) = %v, %v", c.o, m, ok)
		}
		if ok && m.Indicator.File != "ioc.yaml" {
			t.Errorf("file = %q", m.Indicator.File)
		}
	}
	if _, err := Load(p); err != nil {
		t.Errorf("explicit file: %v", err)
	}
}

func TestEchapVendorSites(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ioc.yaml", echapSample)
	vs := mustLoad(t, dir).VendorSites()
	if vs.Len() != 3 { // spycorp.example, www.spycorp.example, dl.spycorp-apps.example; both.example is a C2
		t.Errorf("Len = %d", vs.Len())
	}
	m, ok := vs.Lookup(record.Observable{Kind: record.URL, Value: "https://shop.spycorp.example/buy"})
	if !ok || m.Indicator.Name != "SpyCorp" || m.Indicator.Type != TypeVendorSites ||
		!strings.Contains(m.Message, "website of stalkerware vendor SpyCorp") {
		t.Errorf("Lookup = %+v, %v", m, ok)
	}
	for _, o := range []record.Observable{
		{Kind: record.URL, Value: "https://both.example/"},
		{Kind: record.URL, Value: "https://example/"},
		{Kind: record.AppID, Value: "spycorp.example"},
	} {
		if m, ok := vs.Lookup(o); ok {
			t.Errorf("Lookup(%v) = %+v", o, m)
		}
	}
}

func TestEchapMalformed(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"notlist.yaml": "name: x\npackages: [a]\n",
		"noname.yaml":  "- packages: [com.x]\n",
		"broken.yaml":  "- name: [unclosed\n",
	} {
		p := writeFile(t, dir, name, content)
		_, err := Load(p)
		var le *LoadError
		if !errors.As(err, &le) || le.File != p {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// The shared copy of Echap's ioc.yaml loads with every bucket counted
// (values compared case-insensitively, each once): 612 packages, 471
// certificates, 925 C2 domains and 68 C2 IPs (65 under "ips", 3 under the
// "ip" spelling two families use), IPs under domains as in MVT.
func TestEchapConformance(t *testing.T) {
	p := sharedFile(t, "iocs/stalkerware-indicators/ioc.yaml")
	ix := mustLoad(t, p)
	want := map[string]int{TypeAppIDs: 612, TypeCertHashes: 471, TypeDomains: 925 + 65 + 3}
	if diff := cmp.Diff(want, ix.Counts()); diff != "" {
		t.Errorf("counts: %s", diff)
	}
	m, ok := ix.Lookup(record.Observable{Kind: record.AppID, Value: "com.thetruth"})
	if !ok || m.Indicator.Name != "TheTruthSpy" || m.Indicator.Type != TypeAppIDs {
		t.Errorf("com.thetruth: %+v, %v", m, ok)
	}
	if _, ok := ix.Lookup(record.Observable{Kind: record.URL, Value: "https://thetruthspy.com/"}); ok {
		t.Error("a vendor website matched as an infection indicator")
	}
	if m, ok := ix.VendorSites().Lookup(record.Observable{Kind: record.URL, Value: "https://thetruthspy.com/"}); !ok || m.Indicator.Name != "TheTruthSpy" {
		t.Errorf("vendor site: %+v, %v", m, ok)
	}
}

package ioc

// Echap's stalkerware indicators (github.com/AssoEchap/stalkerware-indicators)
// read natively from ioc.yaml (and watchware.yaml, same schema): a YAML list
// with one entry per app family:
//
//	- name: TheTruthSpy
//	  names: [Copy9, ...]        # aliases
//	  type: stalkerware
//	  packages: [com.thetruth]   # Android app ids         → TypeAppIDs
//	  certificates: [31A6EC...]  # APK signing-cert SHA-1  → TypeCertHashes
//	  c2: {domains: [...], ips: [...]}  # ("ip" in places) → TypeDomains
//	  websites: [thetruthspy.com]       # vendor marketing sites
//	  distribution: [app.fonetracker.com] # download sites
//
// Only packages, certificates and C2 hosts say that the stalkerware is (or
// was) on the device, so only they enter the Index, as infection
// indicators named after the family. Vendor websites and download sites do
// not: visiting a vendor's site is no sign of infection (mvt#482, where a
// colleague's browser visit raised a detection because Echap's STIX bundle
// files websites as domain-name indicators like C2 servers). They are
// kept apart, in the [VendorSites] set of [Index.VendorSites], whose
// Lookup reports a visited URL as "website of stalkerware vendor X", for
// the caller to show at INFORMATIONAL level. A host listed both as a C2
// and as a website stays a C2 indicator.
//
// Keys Echap uses that hold no matchable value (certificate_organizations,
// certificate_cname_re, type) are ignored.

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/spycheck/spycheck/record"
)

// TypeVendorSites is the indicator type of a vendor website or download
// site in [VendorSites].
const TypeVendorSites = "vendor_websites"

// echapFamily is one entry of ioc.yaml.
type echapFamily struct {
	Name         string   `yaml:"name"`
	Packages     []string `yaml:"packages"`
	Certificates []string `yaml:"certificates"`
	Websites     []string `yaml:"websites"`
	Distribution []string `yaml:"distribution"`
	C2           struct {
		Domains []string `yaml:"domains"`
		IPs     []string `yaml:"ips"`
		IP      []string `yaml:"ip"`
	} `yaml:"c2"`
}

// isEchapName says whether a file found in a folder is one of Echap's.
func isEchapName(name string) bool {
	switch strings.ToLower(name) {
	case "ioc.yaml", "watchware.yaml":
		return true
	}
	return false
}

// isYAML says whether a file named explicitly is read as Echap's format.
func isYAML(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml":
		return true
	}
	return false
}

func decodeEchap(data []byte, file string) ([]echapFamily, error) {
	var fams []echapFamily
	if err := yaml.Unmarshal(data, &fams); err != nil {
		return nil, &LoadError{File: file, Err: fmt.Errorf("not an Echap indicator list: %w", err)}
	}
	for i, f := range fams {
		if strings.TrimSpace(f.Name) == "" {
			return nil, &LoadError{File: file, Err: fmt.Errorf("entry %d has no name", i+1)}
		}
	}
	return fams, nil
}

// parseEchap reads the infection indicators of an Echap file.
func parseEchap(data []byte, file string) (fileResult, error) {
	fams, err := decodeEchap(data, file)
	if err != nil {
		return fileResult{}, err
	}
	var res fileResult
	add := func(b bucket, ind record.Indicator, values []string) {
		for _, v := range values {
			v = strings.TrimSpace(v)
			e, reason := newEntry(b, v, ind)
			if reason != "" {
				res.skipped = append(res.skipped, Skip{File: file, Object: ind.Name, Pattern: v, Reason: reason})
				continue
			}
			res.entries = append(res.entries, e)
		}
	}
	base := filepath.Base(file)
	for _, f := range fams {
		ind := record.Indicator{Name: f.Name, File: base}
		add(bAppIDs, ind, f.Packages)
		add(bCerts, ind, f.Certificates)
		add(bDomains, ind, f.C2.Domains)
		add(bDomains, ind, f.C2.IPs)
		add(bDomains, ind, f.C2.IP)
		site := record.Indicator{Name: f.Name, File: base, Type: TypeVendorSites}
		for _, v := range slices.Concat(f.Websites, f.Distribution) {
			res.sites = append(res.sites, vendorSite{site: v, ind: site})
		}
	}
	return res, nil
}

// vendorSite is one website or download site of a vendor.
type vendorSite struct {
	site string
	ind  record.Indicator
}

// VendorSites is the set of stalkerware vendors' websites and download
// sites: hosts whose visit is worth telling, never an infection. An Index
// keeps those of the Echap files it loaded ([Index.VendorSites]).
type VendorSites struct {
	hosts map[string]record.Indicator
}

// newVendorSites keeps the sites whose host is not a domain indicator of
// ix (a host listed both as C2 and as a website is an infection
// indicator, and the index reports it).
func newVendorSites(sites []vendorSite, ix *Index) *VendorSites {
	vs := &VendorSites{hosts: map[string]record.Indicator{}}
	for _, s := range sites {
		h, ok := normaliseHost(urlHost(strings.TrimSpace(s.site)))
		if !ok || h == "" || !validHost(h) {
			continue
		}
		if _, isC2 := ix.byKey[bDomains][h]; isC2 {
			continue
		}
		if _, dup := vs.hosts[h]; !dup {
			ind := s.ind
			ind.Value = s.site
			vs.hosts[h] = ind
		}
	}
	return vs
}

// Len is the number of distinct vendor hosts.
func (vs *VendorSites) Len() int { return len(vs.hosts) }

// Lookup reports whether a URL observable's host (or a parent domain of
// it, down to the registrable domain) is a vendor's site. Other kinds
// never match.
func (vs *VendorSites) Lookup(o record.Observable) (Match, bool) {
	if o.Kind != record.URL {
		return Match{}, false
	}
	host, ok := normaliseHost(urlHost(o.Value))
	if !ok || host == "" {
		return Match{}, false
	}
	for d := host; ; {
		if ind, found := vs.hosts[d]; found && strings.Contains(d, ".") {
			return Match{
				Indicator: ind,
				Message:   fmt.Sprintf("%q is a website of stalkerware vendor %s (%s): a visit, not a sign of infection", o.Value, ind.Name, ind.File),
				Context:   true,
			}, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return Match{}, false
		}
		d = d[i+1:]
	}
}

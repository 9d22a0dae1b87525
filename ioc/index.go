package ioc

import (
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/spycheck/spycheck/record"
	"golang.org/x/net/publicsuffix"
)

// bucket is one kind of indicator; its name (bucketName) is MVT's.
type bucket int

const (
	bDomains bucket = iota // domain names and IP addresses
	bURLs
	bProcesses
	bEmails
	bFileNames
	bFilePaths
	bSHA256
	bSHA1
	bMD5
	bCerts
	bAppIDs
	bProfiles
	bProperties
	nBuckets
)

// Indicator types, as MVT names its buckets. They are the values of
// record.Indicator.Type and the keys of [Index.Counts].
const (
	TypeDomains       = "domains" // domain names and IPv4 addresses, as in MVT
	TypeURLs          = "urls"
	TypeProcesses     = "processes"
	TypeEmails        = "emails"
	TypeFileNames     = "file_names"
	TypeFilePaths     = "file_paths"
	TypeSHA256        = "files_sha256"
	TypeSHA1          = "files_sha1"
	TypeMD5           = "files_md5"
	TypeCertHashes    = "app_cert_hashes"
	TypeAppIDs        = "app_ids"
	TypeProfileIDs    = "ios_profile_ids"
	TypePropertyNames = "android_property_names"
)

func (b bucket) name() string {
	return [nBuckets]string{
		TypeDomains, TypeURLs, TypeProcesses, TypeEmails, TypeFileNames, TypeFilePaths,
		TypeSHA256, TypeSHA1, TypeMD5, TypeCertHashes, TypeAppIDs, TypeProfileIDs, TypePropertyNames,
	}[b]
}

// Index holds loaded indicators, one map per kind keyed by the normalised
// value. It is immutable once built.
type Index struct {
	byKey [nBuckets]map[string]record.Indicator
	// ips holds IP addresses, which MVT files under domains.
	ips map[netip.Addr]record.Indicator
	// suffixes holds the domain indicators that are public suffixes
	// themselves; they match only their exact host.
	suffixes map[string]struct{}
	// trunc15 and trunc16 map the first 15 or 16 bytes of longer process
	// indicators to the first such indicator, for truncated names.
	trunc15, trunc16 map[string]record.Indicator
	files            []string
	skipped          []Skip
	vendors          *VendorSites
}

// Skip is a pattern (or a comparison of a compound pattern), or a line of a
// plain list, that was well-formed but could not become an indicator.
type Skip struct {
	File    string // the file, as loaded
	Object  string // the STIX indicator's id
	Line    int    // the line of a plain list
	Pattern string // the whole pattern, or the list's line
	Reason  string // e.g. `object path "ipv6-addr:value" is not supported`
}

// entry is one indicator ready to be added to an Index.
type entry struct {
	b   bucket
	key string // normalised value; unused for IPs
	ip  netip.Addr
	ind record.Indicator
}

func newIndex() *Index {
	ix := &Index{
		ips:      map[netip.Addr]record.Indicator{},
		suffixes: map[string]struct{}{},
		trunc15:  map[string]record.Indicator{},
		trunc16:  map[string]record.Indicator{},
	}
	for b := range ix.byKey {
		ix.byKey[b] = map[string]record.Indicator{}
	}
	return ix
}

// add stores e unless its value is already present; the first one wins.
func (ix *Index) add(e entry) {
	if e.ip.IsValid() {
		if _, dup := ix.ips[e.ip]; !dup {
			ix.ips[e.ip] = e.ind
		}
		return
	}
	m := ix.byKey[e.b]
	if _, dup := m[e.key]; dup {
		return
	}
	m[e.key] = e.ind
	switch e.b {
	case bProcesses:
		addPrefix(ix.trunc15, e.key, 15, e.ind)
		addPrefix(ix.trunc16, e.key, 16, e.ind)
	case bDomains:
		if ps, _ := publicsuffix.PublicSuffix(e.key); ps == e.key {
			ix.suffixes[e.key] = struct{}{}
		}
	}
}

func addPrefix(m map[string]record.Indicator, name string, n int, ind record.Indicator) {
	if len(name) <= n {
		return
	}
	if _, dup := m[name[:n]]; !dup {
		m[name[:n]] = ind
	}
}

// Len returns the number of distinct indicators: a value present in several
// files or collections counts once.
func (ix *Index) Len() int {
	n := len(ix.ips)
	for _, m := range ix.byKey {
		n += len(m)
	}
	return n
}

// Counts returns the number of distinct indicators per type (the Type*
// constants); types without indicators are absent. IP addresses count under
// TypeDomains, as in MVT.
func (ix *Index) Counts() map[string]int {
	out := map[string]int{}
	for b, m := range ix.byKey {
		if n := len(m); n > 0 {
			out[bucket(b).name()] = n
		}
	}
	if len(ix.ips) > 0 {
		out[TypeDomains] += len(ix.ips)
	}
	return out
}

// Files returns the files loaded, in load order.
func (ix *Index) Files() []string { return append([]string(nil), ix.files...) }

// Skipped returns the patterns that were valid STIX but of a kind the index
// cannot match (other object types, operators, AND, qualifiers), in load
// order.
func (ix *Index) Skipped() []Skip { return append([]Skip(nil), ix.skipped...) }

// newEntry normalises value for bucket b. A non-empty reason means the
// value cannot become an indicator.
func newEntry(b bucket, value string, ind record.Indicator) (entry, string) {
	ind.Value, ind.Type = value, b.name()
	e := entry{b: b, ind: ind}
	if value == "" {
		return e, "empty value"
	}
	var reason string
	switch b {
	case bDomains:
		e.key, e.ip, reason = domainKey(value)
	case bFilePaths:
		e.key = canonPath(value)
		if e.key == "/" || e.key == "." {
			reason = "path matches every file"
		}
	case bFileNames:
		e.key = value
		if strings.Contains(value, "/") {
			e.key = canonPath(value)
		}
	case bURLs, bProcesses:
		e.key = value
	case bEmails:
		e.key = emailKey(value)
	default: // hashes, certificates, app ids, profile ids, property names
		e.key = strings.ToLower(value)
	}
	return e, reason
}

// domainKey normalises a domain indicator; an IP address goes to ip.
func domainKey(v string) (string, netip.Addr, string) {
	if ip, ok := parseIP(v); ok {
		return "", ip, ""
	}
	if p, err := netip.ParsePrefix(v); err == nil {
		if p.IsSingleIP() {
			return "", p.Addr().Unmap(), ""
		}
		return "", netip.Addr{}, "IP ranges are not supported"
	}
	h, ok := normaliseHost(v)
	if !ok || !validHost(h) {
		return "", netip.Addr{}, fmt.Sprintf("%q is not a domain name", v)
	}
	return h, netip.Addr{}, ""
}

func emailKey(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	return strings.ToLower(v)
}

// canonPath cleans p and folds /private/var, /private/tmp and /private/etc
// onto /var, /tmp and /etc, so both spellings of an iOS path compare equal.
func canonPath(p string) string {
	p = path.Clean(p)
	for _, dir := range [...]string{"/private/var", "/private/tmp", "/private/etc"} {
		if strings.HasPrefix(p, dir) && (len(p) == len(dir) || p[len(dir)] == '/') {
			return p[len("/private"):]
		}
	}
	return p
}

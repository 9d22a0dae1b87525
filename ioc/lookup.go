package ioc

import (
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/record"
)

// Match is an indicator an observable matched.
type Match struct {
	Indicator record.Indicator
	// Message is one sentence saying what matched what, e.g.
	// `domain "evil.example" of URL "https://a.evil.example/x" matches
	// indicator "evil.example" (Pegasus, pegasus.stix2)`.
	Message string
	// Context marks a match that is context, not a sign of infection (a
	// stalkerware vendor's website): it is reported at INFO level.
	Context bool
}

// Lookup reports whether o matches an indicator, using the rule of o.Kind
// (see the package documentation). Unknown kinds and values that cannot be
// parsed match nothing.
func (ix *Index) Lookup(o record.Observable) (Match, bool) {
	v := o.Value
	switch o.Kind {
	case record.URL:
		return ix.lookupURL(v)
	case record.Email:
		return ix.exact(bEmails, emailKey(v), "email address %q", v)
	case record.Process:
		return ix.lookupProcess(v)
	case record.ProcessPath:
		return ix.lookupProcessPath(v)
	case record.FilePath:
		return ix.lookupFilePath(v)
	case record.FileHash:
		return ix.lookupHash(v)
	case record.CertHash:
		return ix.exact(bCerts, strings.ToLower(v), "certificate hash %q", v)
	case record.AppID:
		return ix.exact(bAppIDs, strings.ToLower(v), "app id %q", v)
	case record.ProfileUUID:
		return ix.exact(bProfiles, strings.ToLower(v), "configuration profile %q", v)
	case record.AndroidProperty:
		return ix.exact(bProperties, strings.ToLower(v), "Android property %q", v)
	}
	return Match{}, false
}

// exact looks key up in bucket b; what and args describe the observed value.
func (ix *Index) exact(b bucket, key, what string, args ...any) (Match, bool) {
	ind, ok := ix.byKey[b][key]
	if !ok {
		return Match{}, false
	}
	return match(ind, what, args...), true
}

// match builds a Match whose message reads "<what> matches indicator …".
func match(ind record.Indicator, what string, args ...any) Match {
	src := ind.File
	if ind.Name != "" {
		src = ind.Name + ", " + ind.File
	}
	subject := fmt.Sprintf(what, args...)
	return Match{
		Indicator: ind,
		Message:   fmt.Sprintf("%s matches indicator %q (%s)", subject, ind.Value, src),
	}
}

// lookupURL tries the exact URL, then its host: an IP address by value, a
// domain name and each parent down to the registrable domain.
func (ix *Index) lookupURL(u string) (Match, bool) {
	if ind, ok := ix.byKey[bURLs][u]; ok {
		return match(ind, "URL %q", u), true
	}
	raw := urlHost(u)
	if raw == "" {
		return Match{}, false
	}
	if ip, ok := parseIP(raw); ok {
		ind, found := ix.ips[ip]
		if !found {
			return Match{}, false
		}
		return match(ind, "IP address %s%s", ip, ofURL(raw, u)), true
	}
	host, ok := normaliseHost(raw)
	if !ok || host == "" || strings.ContainsAny(host, ": ") {
		return Match{}, false
	}
	return ix.lookupDomain(host, u)
}

// lookupDomain walks host and its parent domains. A parent matches unless
// the indicator is itself a public suffix (co.uk, github.io): that stops
// the walk at the registrable domain without parsing the host against the
// public suffix list on every lookup.
func (ix *Index) lookupDomain(host, u string) (Match, bool) {
	m := ix.byKey[bDomains]
	for d := host; ; {
		if ind, ok := m[d]; ok {
			if _, suffix := ix.suffixes[d]; d == host || !suffix {
				return match(ind, "domain %q%s", d, ofURL(d, u)), true
			}
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return Match{}, false
		}
		d = d[i+1:]
	}
}

// ofURL says which URL a host came from, unless the URL is just the host.
func ofURL(host, u string) string {
	if strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(u), "."), host) {
		return ""
	}
	return fmt.Sprintf(" of URL %q", u)
}

// lookupProcess compares the name after the last "/" with process
// indicators; a 15- or 16-byte name may be a truncated longer one.
func (ix *Index) lookupProcess(v string) (Match, bool) {
	name := v[strings.LastIndexByte(v, '/')+1:]
	if name == "" {
		return Match{}, false
	}
	what, args := "process %q", []any{name}
	if name != v {
		what, args = "process %q (from %q)", []any{name, v}
	}
	if ind, ok := ix.byKey[bProcesses][name]; ok {
		return match(ind, what, args...), true
	}
	trunc := ix.trunc16
	if len(name) == 15 {
		trunc = ix.trunc15
	} else if len(name) != 16 {
		return Match{}, false
	}
	if ind, ok := trunc[name]; ok {
		return match(ind, what+", possibly truncated,", args...), true
	}
	return Match{}, false
}

// lookupProcessPath compares each component of a path with process names.
func (ix *Index) lookupProcessPath(p string) (Match, bool) {
	m := ix.byKey[bProcesses]
	for rest := p; rest != ""; {
		comp := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			comp, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if ind, ok := m[comp]; ok {
			return match(ind, "component %q of path %q", comp, p), true
		}
	}
	return Match{}, false
}

// lookupFilePath compares the base name with file names, then the path and
// each of its ancestors with file paths.
func (ix *Index) lookupFilePath(p string) (Match, bool) {
	if p == "" {
		return Match{}, false
	}
	names := ix.byKey[bFileNames]
	if base := p[strings.LastIndexByte(p, '/')+1:]; base != "" {
		if ind, ok := names[base]; ok {
			return match(ind, "file name %q of path %q", base, p), true
		}
	}
	c := canonPath(p)
	if ind, ok := names[c]; ok {
		return match(ind, "path %q", p), true
	}
	paths := ix.byKey[bFilePaths]
	if ind, ok := paths[c]; ok {
		return match(ind, "path %q", p), true
	}
	for d := c; ; {
		i := strings.LastIndexByte(d, '/')
		if i <= 0 {
			return Match{}, false
		}
		d = d[:i]
		if ind, ok := paths[d]; ok {
			return match(ind, "path %q", p), true
		}
	}
}

// lookupHash picks the hash bucket by length, as MVT does.
func (ix *Index) lookupHash(h string) (Match, bool) {
	h = strings.ToLower(strings.TrimSpace(h))
	b, what := bSHA256, "SHA-256 hash %q"
	switch len(h) {
	case 32:
		b, what = bMD5, "MD5 hash %q"
	case 40:
		b, what = bSHA1, "SHA-1 hash %q"
	}
	return ix.exact(b, h, what, h)
}

package ioc

import (
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// urlHost returns the host of a URL ("https://u@Host:8080/p"), of a
// scheme-less "host/path", or of a bare host, without port or brackets.
// It returns "" when s has no plausible host.
func urlHost(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 && !strings.ContainsAny(s[:i], "/?#") {
		s = s[i+3:]
	} else {
		s = strings.TrimPrefix(s, "//")
	}
	if i := strings.IndexAny(s, "/?#\\"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	return stripPort(s)
}

// stripPort removes a ":port" suffix and IPv6 brackets.
func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return ""
		}
		return h[1:end]
	}
	i := strings.LastIndexByte(h, ':')
	if i < 0 {
		return h
	}
	if strings.IndexByte(h[:i], ':') >= 0 {
		return h // bare IPv6 address
	}
	if strings.Trim(h[i+1:], "0123456789") != "" {
		return "" // "tel:+1…", "javascript:…": not a host
	}
	return h[:i]
}

// parseIP parses an IPv4 or IPv6 address, IPv4-mapped forms folded to IPv4.
// It avoids the parser (and its error allocation) for ordinary domain names.
func parseIP(h string) (netip.Addr, bool) {
	if strings.Trim(h, "0123456789.") != "" && strings.IndexByte(h, ':') < 0 {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap().WithZone(""), true
}

// normaliseHost lower-cases h, drops one trailing dot and converts an
// internationalised name to its ASCII (punycode) form. ASCII input is
// returned without allocating when already lower-case.
func normaliseHost(h string) (string, bool) {
	h = strings.TrimSuffix(h, ".")
	if isASCII(h) {
		return strings.ToLower(h), true
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", false
	}
	return a, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

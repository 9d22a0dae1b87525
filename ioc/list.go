package ioc

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spycheck/spycheck/record"
)

// listBucket maps a plain list's name (without .txt, lower-case) to the
// bucket of its values.
func listBucket(name string) (bucket, bool) {
	switch name {
	case TypeDomains, "ip-addresses", "ip_addresses", "ips":
		return bDomains, true
	case "urls":
		return bURLs, true
	case "processes", "process_names":
		return bProcesses, true
	case "emails", "email_addresses":
		return bEmails, true
	case "file_names", "filenames":
		return bFileNames, true
	case "file_paths", "paths":
		return bFilePaths, true
	case "sha256", TypeSHA256:
		return bSHA256, true
	case "sha1", TypeSHA1:
		return bSHA1, true
	case "md5", TypeMD5:
		return bMD5, true
	case "package_names", TypeAppIDs, "bundle_ids":
		return bAppIDs, true
	case "package_cert_hashes", TypeCertHashes, "cert_hashes":
		return bCerts, true
	case "config_profiles", TypeProfileIDs, "profile_ids":
		return bProfiles, true
	case "android_properties", TypePropertyNames:
		return bProperties, true
	}
	return 0, false
}

// listName returns the list-type part of a .txt file name.
func listName(file string) string {
	return strings.ToLower(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
}

// parseList reads a plain list: one value per line, blank lines and
// #-comments skipped. The bucket comes from the file name, or else from
// each line's shape. The collection is the folder's name.
func parseList(data []byte, file string) (fileResult, error) {
	named, byName := listBucket(listName(file))
	ind := record.Indicator{
		Name: filepath.Base(filepath.Dir(file)),
		File: filepath.Base(file),
	}
	var res fileResult
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		b := named
		if !byName {
			var ok bool
			if b, ok = guessBucket(line); !ok {
				return fileResult{}, &LoadError{File: file, Line: n, Err: fmt.Errorf("cannot tell what kind of indicator %q is", line)}
			}
		}
		e, reason := newEntry(b, line, ind)
		if reason != "" {
			res.skipped = append(res.skipped, Skip{File: file, Line: n, Pattern: line, Reason: reason})
			continue
		}
		res.entries = append(res.entries, e)
	}
	if err := sc.Err(); err != nil {
		return fileResult{}, &LoadError{File: file, Err: err}
	}
	return res, nil
}

// guessBucket infers a value's kind from its shape.
func guessBucket(v string) (bucket, bool) {
	switch {
	case strings.Contains(v, "://"):
		return bURLs, true
	case strings.HasPrefix(v, "/"):
		return bFilePaths, true
	case strings.Contains(v, "@"):
		return bEmails, true
	}
	if _, ok := parseIP(v); ok {
		return bDomains, true
	}
	if b, ok := hexBucket(v); ok {
		return b, true
	}
	return bDomains, looksLikeDomain(v)
}

func hexBucket(v string) (bucket, bool) {
	if strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
		return 0, false
	}
	switch len(v) {
	case 32:
		return bMD5, true
	case 40:
		return bSHA1, true
	case 64:
		return bSHA256, true
	}
	return 0, false
}

// looksLikeDomain accepts a valid host name of two labels or more whose
// last label is not all digits.
func looksLikeDomain(v string) bool {
	v = strings.TrimSuffix(v, ".")
	i := strings.LastIndexByte(v, '.')
	return i > 0 && validHost(v) && strings.Trim(v[i+1:], "0123456789") != ""
}

// validHost accepts non-empty dot-separated labels of letters, digits, "-"
// and "_" (or non-ASCII letters).
func validHost(h string) bool {
	for _, l := range strings.Split(h, ".") {
		if l == "" || strings.IndexFunc(l, notHostRune) >= 0 {
			return false
		}
	}
	return true
}

func notHostRune(r rune) bool {
	return r < 0x80 && !(r == '-' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
}

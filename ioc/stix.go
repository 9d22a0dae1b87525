package ioc

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spycheck/spycheck/record"
)

// stixObject holds the fields of the STIX objects the index uses.
type stixObject struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Pattern     *string  `json:"pattern"`
	PatternType string   `json:"pattern_type"`
	ObjectRefs  []string `json:"object_refs"`
	SourceRef   string   `json:"source_ref"`
	TargetRef   string   `json:"target_ref"`
}

// fileResult is what one file contributes to an Index.
type fileResult struct {
	entries []entry
	skipped []Skip
	// sites are stalkerware vendors' websites (Echap files only).
	sites []vendorSite
}

// parseSTIX reads a STIX 2.1 bundle. file names the file in errors and
// skips; its base name goes into each indicator.
func parseSTIX(data []byte, file string) (fileResult, error) {
	objs, err := decodeBundle(data, file)
	if err != nil {
		return fileResult{}, err
	}
	names := collectionNames(objs)
	base := filepath.Base(file)
	var res fileResult
	for _, o := range objs {
		if o.Type != "indicator" {
			continue
		}
		ind := record.Indicator{Name: names[o.ID], File: base}
		if err := res.addPattern(o, ind, file); err != nil {
			return fileResult{}, &LoadError{File: file, Object: o.ID, Err: err}
		}
	}
	return res, nil
}

// decodeBundle decodes the objects the index uses. Objects of other types
// are not inspected beyond their type, so odd fields there do no harm.
func decodeBundle(data []byte, file string) ([]stixObject, error) {
	if objs, ok := decodeBundleStrict(data); ok {
		return objs, nil
	}
	var bundle struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &bundle); err != nil {
		return nil, &LoadError{File: file, Err: err}
	}
	if bundle.Objects == nil {
		return nil, &LoadError{File: file, Err: errors.New("not a STIX bundle: no objects")}
	}
	objs := make([]stixObject, 0, len(bundle.Objects))
	for i, raw := range bundle.Objects {
		o, err := decodeObject(raw)
		if err != nil {
			id := o.ID
			if id == "" {
				id = fmt.Sprintf("#%d", i)
			}
			return nil, &LoadError{File: file, Object: id, Err: err}
		}
		if o.Type != "" {
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// decodeBundleStrict decodes the whole bundle in one pass, about twice as
// fast as decoding each object again from its raw bytes. It gives up (ok
// false) on anything the object-by-object decoding would judge — an odd
// field in any object, an indicator without id or pattern, no objects —
// and decodeBundle then decides as before.
func decodeBundleStrict(data []byte) (objs []stixObject, ok bool) {
	var bundle struct {
		Objects []stixObject `json:"objects"`
	}
	if json.Unmarshal(data, &bundle) != nil || bundle.Objects == nil {
		return nil, false
	}
	objs = bundle.Objects[:0]
	for _, o := range bundle.Objects {
		switch o.Type {
		case "indicator":
			if o.ID == "" || o.Pattern == nil {
				return nil, false
			}
		case "malware", "report", "relationship":
		default:
			continue
		}
		objs = append(objs, o)
	}
	return objs, true
}

// decodeObject decodes one object; the zero Type means "not used here".
func decodeObject(raw json.RawMessage) (stixObject, error) {
	var o stixObject
	err := json.Unmarshal(raw, &o)
	switch o.Type {
	case "indicator", "malware", "report", "relationship":
	default:
		return stixObject{}, nil
	}
	if err != nil {
		return o, err
	}
	if o.Type == "indicator" {
		switch {
		case o.ID == "":
			return o, errors.New("indicator without id")
		case o.Pattern == nil:
			return o, errors.New("indicator without pattern")
		}
	}
	return o, nil
}

// collectionNames maps indicator ids to their collection: the first report
// listing them, else the first malware a relationship from them targets.
func collectionNames(objs []stixObject) map[string]string {
	malware := map[string]string{}
	for _, o := range objs {
		if o.Type == "malware" {
			malware[o.ID] = o.Name
		}
	}
	names := map[string]string{}
	for _, o := range objs {
		if o.Type != "report" {
			continue
		}
		for _, ref := range o.ObjectRefs {
			if _, seen := names[ref]; !seen {
				names[ref] = o.Name
			}
		}
	}
	for _, o := range objs {
		if o.Type != "relationship" {
			continue
		}
		name, ok := malware[o.TargetRef]
		if _, seen := names[o.SourceRef]; ok && !seen {
			names[o.SourceRef] = name
		}
	}
	return names
}

// addPattern parses the indicator's pattern into entries and skips.
func (res *fileResult) addPattern(o stixObject, ind record.Indicator, file string) error {
	pat := *o.Pattern
	skip := func(reason string) {
		res.skipped = append(res.skipped, Skip{File: file, Object: o.ID, Pattern: pat, Reason: reason})
	}
	if o.PatternType != "" && !strings.EqualFold(o.PatternType, "stix") {
		skip(fmt.Sprintf("pattern type %q is not supported", o.PatternType))
		return nil
	}
	p, err := parsePattern(pat)
	if err != nil {
		return fmt.Errorf("pattern %q: %w", pat, err)
	}
	if p.conjunctive != "" {
		skip(p.conjunctive + " is not supported")
		return nil
	}
	for _, c := range p.cmps {
		e, reason := comparisonEntry(c, ind)
		if reason != "" {
			skip(reason)
			continue
		}
		res.entries = append(res.entries, e)
	}
	return nil
}

// comparisonEntry turns one "path = 'value'" comparison into an entry.
func comparisonEntry(c comparison, ind record.Indicator) (entry, string) {
	if c.op != "=" {
		return entry{}, fmt.Sprintf("operator %q is not supported", c.op)
	}
	if !c.typed {
		return entry{}, "value is not a string"
	}
	b, ok := stixBucket(c.path)
	if !ok {
		return entry{}, fmt.Sprintf("object path %q is not supported", c.path)
	}
	return newEntry(b, strings.TrimSpace(c.value), ind)
}

// stixBucket maps an object path to its bucket. Hash algorithm names are
// compared without quotes, dashes or case: 'SHA-256', SHA256, sha256.
func stixBucket(path string) (bucket, bool) {
	obj, prop, _ := strings.Cut(strings.ToLower(path), ":")
	if alg, ok := strings.CutPrefix(prop, "hashes."); ok && obj == "file" {
		return hashBucket(alg)
	}
	if alg, ok := strings.CutPrefix(prop, "cert."); ok && obj == "app" {
		if _, ok := hashBucket(alg); ok {
			return bCerts, true
		}
		return 0, false
	}
	switch obj + ":" + prop {
	case "domain-name:value", "ipv4-addr:value":
		return bDomains, true
	case "url:value":
		return bURLs, true
	case "process:name":
		return bProcesses, true
	case "email-addr:value":
		return bEmails, true
	case "file:name":
		return bFileNames, true
	case "file:path":
		return bFilePaths, true
	case "app:id":
		return bAppIDs, true
	case "configuration-profile:id":
		return bProfiles, true
	case "android-property:name":
		return bProperties, true
	}
	return 0, false
}

func hashBucket(alg string) (bucket, bool) {
	switch strings.NewReplacer("'", "", "-", "").Replace(alg) {
	case "md5":
		return bMD5, true
	case "sha1":
		return bSHA1, true
	case "sha256":
		return bSHA256, true
	}
	return 0, false
}

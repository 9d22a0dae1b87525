package ioc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spycheck/spycheck/record"
)

// all lists every indicator in the index, sorted, for comparisons.
func (ix *Index) all() []record.Indicator {
	var out []record.Indicator
	for _, m := range ix.byKey {
		for _, ind := range m {
			out = append(out, ind)
		}
	}
	for _, ind := range ix.ips {
		out = append(out, ind)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Value < out[j].Value
	})
	return out
}

func TestLoadSTIXPatternForms(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "forms.stix2", singleMalware(
		`[domain-name:value='Example.ORG']`,
		`[ipv4-addr:value='198.51.100.1']`,
		`[url:value = 'http://example.com/thisisbad']`,
		`[process:name='Launch']`,
		`[email-addr:value='Foo@Example.org']`,
		`[file:name='evil.dylib']`,
		`[file:path='/private/var/db/x/']`,
		`[file:hashes.md5='D41D8CD98F00B204E9800998ECF8427E']`,
		`[file:hashes.'SHA-1'='da39a3ee5e6b4b0d3255bfef95601890afd80709']`,
		`[file:hashes.SHA256='e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']`,
		`[app:cert.sha256='AA11']`,
		`[app:id='com.Evil.app']`,
		`[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']`,
		`[android-property:name='sys.foobar']`,
		`[domain-name:value = ' spaced.example ']`,
	))
	ix := mustLoad(t, f)
	ind := func(typ, v string) record.Indicator {
		return record.Indicator{Value: v, Type: typ, Name: "Pegasus", File: "forms.stix2"}
	}
	want := []record.Indicator{
		ind(TypeCertHashes, "AA11"),
		ind(TypeAppIDs, "com.Evil.app"),
		ind(TypeDomains, "198.51.100.1"),
		ind(TypeDomains, "Example.ORG"),
		ind(TypeDomains, "spaced.example"),
		ind(TypeEmails, "Foo@Example.org"),
		ind(TypeFileNames, "evil.dylib"),
		ind(TypeFilePaths, "/private/var/db/x/"),
		ind(TypeMD5, "D41D8CD98F00B204E9800998ECF8427E"),
		ind(TypeSHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
		ind(TypeSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
		ind(TypePropertyNames, "sys.foobar"),
		ind(TypeProfileIDs, "76DAB334-7E17-475D-A5D6-0794EB5818A5"),
		ind(TypeProcesses, "Launch"),
		ind(TypeURLs, "http://example.com/thisisbad"),
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i].Type != want[j].Type {
			return want[i].Type < want[j].Type
		}
		return want[i].Value < want[j].Value
	})
	if diff := cmp.Diff(want, ix.all()); diff != "" {
		t.Errorf("indicators (-want +got):\n%s", diff)
	}
	if ix.Len() != 15 {
		t.Errorf("Len() = %d, want 15", ix.Len())
	}
	if diff := cmp.Diff([]string{f}, ix.Files()); diff != "" {
		t.Errorf("Files() (-want +got):\n%s", diff)
	}
}

func TestLoadCollections(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "coll.stix2", bundle(
		// A report listing an indicator wins over a relationship.
		indicatorObj("indicator--rep", `[domain-name:value='report.example']`),
		relObj("indicator--rep", "malware--b"),
		// Relationships declared before their malware still count.
		indicatorObj("indicator--rel", `[domain-name:value='rel.example']`),
		relObj("indicator--rel", "malware--unknown"),
		relObj("indicator--rel", "malware--a"),
		relObj("indicator--rel", "malware--b"),
		malwareObj("malware--a", "Alpha"),
		malwareObj("malware--b", "Beta"),
		reportObj("report--1", "Campaign One", "indicator--rep", "identity--x"),
		reportObj("report--2", "Campaign Two", "indicator--rep"),
		// No report, no relationship to a malware: default collection.
		indicatorObj("indicator--none", `[domain-name:value='none.example']`),
		relObj("indicator--none", "threat-actor--z"),
		obj("type", "threat-actor", "id", "threat-actor--z", "name", "Z", "description", []string{"lists are fine here"}),
		obj("type", "identity", "id", "identity--x", "name", 42),
	))
	ix := mustLoad(t, f)
	want := []record.Indicator{
		{Value: "none.example", Type: TypeDomains, Name: "", File: "coll.stix2"},
		{Value: "rel.example", Type: TypeDomains, Name: "Alpha", File: "coll.stix2"},
		{Value: "report.example", Type: TypeDomains, Name: "Campaign One", File: "coll.stix2"},
	}
	if diff := cmp.Diff(want, ix.all()); diff != "" {
		t.Errorf("indicators (-want +got):\n%s", diff)
	}
}

func TestLoadORAndSkips(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "or.stix2", bundle(
		indicatorObj("indicator--or", `[domain-name:value='a.example' OR ipv6-addr:value='2001:db8::1' OR process:name='p']`),
		indicatorObj("indicator--obs", `[url:value='https://b.example/x'] OR [email-addr:value='e@c.example']`),
		indicatorObj("indicator--and", `[domain-name:value='and.example' AND process:name='q']`),
		indicatorObj("indicator--like", `[domain-name:value LIKE '%.example']`),
		indicatorObj("indicator--x509", `[x509-certificate:hashes.'SHA-256'='00']`),
		indicatorObj("indicator--cidr", `[ipv4-addr:value='198.51.100.0/24']`),
		indicatorObj("indicator--host32", `[ipv4-addr:value='198.51.100.7/32']`),
		indicatorObj("indicator--root", `[file:path='/']`),
		obj("type", "indicator", "id", "indicator--yara", "pattern", "rule x { condition: true }", "pattern_type", "yara"),
	))
	ix := mustLoad(t, f)
	want := map[string]int{TypeDomains: 2, TypeProcesses: 1, TypeURLs: 1, TypeEmails: 1}
	if diff := cmp.Diff(want, ix.Counts()); diff != "" {
		t.Errorf("Counts() (-want +got):\n%s", diff)
	}
	var reasons []string
	for _, s := range ix.Skipped() {
		if s.File != f {
			t.Errorf("skip %+v: File = %q, want %q", s, s.File, f)
		}
		reasons = append(reasons, s.Object+": "+s.Reason)
	}
	wantReasons := []string{
		`indicator--or: object path "ipv6-addr:value" is not supported`,
		`indicator--and: AND is not supported`,
		`indicator--like: operator "LIKE" is not supported`,
		`indicator--x509: object path "x509-certificate:hashes.'SHA-256'" is not supported`,
		`indicator--cidr: IP ranges are not supported`,
		`indicator--root: path matches every file`,
		`indicator--yara: pattern type "yara" is not supported`,
	}
	if diff := cmp.Diff(wantReasons, reasons); diff != "" {
		t.Errorf("Skipped() reasons (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		want          string // substring of the error
		object        string
	}{
		{"badjson.stix2", `{"objects": [`, "ioc: load " + filepath.Join(dir, "badjson.stix2") + ": unexpected end of JSON input", ""},
		{"noobjects.stix2", `{"type": "bundle", "id": "bundle--x"}`, "no objects", ""},
		{"array.json", `[1, 2]`, "cannot unmarshal array", ""},
		{"nopattern.stix2", bundle(obj("type", "indicator", "id", "indicator--abc")), "object indicator--abc: indicator without pattern", "indicator--abc"},
		{"noid.stix2", bundle(obj("type", "indicator", "pattern", "[file:name='x']")), "object #0: indicator without id", "#0"},
		{"badtype.stix2", bundle(obj("type", "indicator", "id", "indicator--t", "pattern", 7)), "object indicator--t: json: cannot unmarshal", "indicator--t"},
		{"garbage.stix2", bundle(indicatorObj("indicator--g", `[domain-name:value='x'`)),
			`object indicator--g: pattern "[domain-name:value='x'": syntax error: unexpected end of pattern`, "indicator--g"},
		{"refs.stix2", bundle(obj("type", "report", "id", "report--r", "object_refs", "nope")), "object report--r:", "report--r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.name, tt.content)
			ix, err := Load(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
			var le *LoadError
			if !errors.As(err, &le) || le.File != p || le.Object != tt.object {
				t.Errorf("error %#v: want a *LoadError for file %q, object %q", le, p, tt.object)
			}
			if ix == nil || ix.Len() != 0 || len(ix.Files()) != 0 {
				t.Errorf("a broken file must contribute nothing; got %d indicators", ix.Len())
			}
		})
	}
}

func TestLoadKeepsGoodFiles(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.stix2", singleMalware(`[domain-name:value='good.example']`))
	bad := writeFile(t, dir, "bad.stix2", bundle(indicatorObj("indicator--abc", `[domain-name:value=]`)))
	missing := filepath.Join(dir, "missing.stix2")
	ix, err := Load(good, bad, missing)
	if err == nil {
		t.Fatal("Load: want an error")
	}
	msg := err.Error()
	for _, want := range []string{
		"ioc: load " + bad + `: object indicator--abc: pattern "[domain-name:value=]": syntax error`,
		"ioc: load " + missing + ": ",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v: want it to wrap fs.ErrNotExist", err)
	}
	if ix.Len() != 1 || !cmp.Equal(ix.Files(), []string{good}) {
		t.Errorf("got %d indicators from %v, want 1 from the good file", ix.Len(), ix.Files())
	}
}

func TestLoadLists(t *testing.T) {
	dir := t.TempDir()
	camp := filepath.Join(dir, "2024_campaign")
	writeFile(t, camp, "domains.txt", "# comment\n\nEvil.Example\r\n  spaced.example  \n198.51.100.9\n")
	writeFile(t, camp, "ip-addresses.txt", "203.0.113.5\n2001:db8::5\n")
	writeFile(t, camp, "processes.txt", "BackupAgent")
	writeFile(t, camp, "file_paths.txt", "/private/var/tmp/x\n")
	writeFile(t, camp, "file_names.txt", "x.dylib\n")
	writeFile(t, camp, "sha256.txt", strings.Repeat("A", 64)+" \n")
	writeFile(t, camp, "sha1.txt", strings.Repeat("b", 40)+"\n")
	writeFile(t, camp, "md5.txt", strings.Repeat("c", 32)+"\n")
	writeFile(t, camp, "emails.txt", "Someone@Example.com\n")
	writeFile(t, camp, "package_names.txt", "com.evil.app\n")
	writeFile(t, camp, "package_cert_hashes.txt", strings.Repeat("d", 64)+"\n")
	writeFile(t, camp, "config_profiles.txt", "76DAB334-7E17-475D-A5D6-0794EB5818A5\n")
	writeFile(t, camp, "urls.txt", "https://evil.example/x\n")
	// Not indicator lists: ignored inside a folder.
	writeFile(t, camp, "README.txt", "see https://blog.example/post\n")
	writeFile(t, camp, "indicators_yaml_entry.txt", "  -\n    type: github\n")
	writeFile(t, camp, "notes.md", "evil.example\n")
	writeFile(t, dir, ".git/domains.txt", "hidden.example\n")

	ix := mustLoad(t, dir)
	want := map[string]int{
		TypeDomains: 5, TypeProcesses: 1, TypeFilePaths: 1, TypeFileNames: 1, TypeSHA256: 1, TypeSHA1: 1,
		TypeMD5: 1, TypeEmails: 1, TypeAppIDs: 1, TypeCertHashes: 1, TypeProfileIDs: 1, TypeURLs: 1,
	}
	if diff := cmp.Diff(want, ix.Counts()); diff != "" {
		t.Errorf("Counts() (-want +got):\n%s", diff)
	}
	m, ok := ix.Lookup(record.Observable{Kind: record.URL, Value: "https://www.evil.example/"})
	wantInd := record.Indicator{Value: "Evil.Example", Type: TypeDomains, Name: "2024_campaign", File: "domains.txt"}
	if !ok || m.Indicator != wantInd {
		t.Errorf("Lookup = %+v, %v; want %+v", m.Indicator, ok, wantInd)
	}
	if len(ix.Files()) != 13 {
		t.Errorf("Files() = %v, want the 13 lists", ix.Files())
	}
}

func TestLoadListInferred(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "mixed/iocs.txt", strings.Join([]string{
		"# one of each",
		"https://evil.example/landing",
		"198.51.100.20",
		"2001:db8::20",
		"agent@evil.example",
		"/private/var/tmp/implant",
		strings.Repeat("1", 32),
		strings.Repeat("2", 40),
		strings.Repeat("3", 64),
		"bücher.example",
		"c2.evil.example.",
	}, "\n"))
	ix := mustLoad(t, f)
	want := map[string]int{
		TypeURLs: 1, TypeDomains: 4, TypeEmails: 1, TypeFilePaths: 1, TypeMD5: 1, TypeSHA1: 1, TypeSHA256: 1,
	}
	if diff := cmp.Diff(want, ix.Counts()); diff != "" {
		t.Errorf("Counts() (-want +got):\n%s", diff)
	}
	m, ok := ix.Lookup(record.Observable{Kind: record.URL, Value: "https://xn--bcher-kva.example/"})
	if !ok || m.Indicator.Name != "mixed" || m.Indicator.File != "iocs.txt" {
		t.Errorf("IDN lookup = %+v, %v", m, ok)
	}
}

func TestLoadListErrors(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "iocs.txt", "evil.example\nnot an indicator\n")
	_, err := Load(p)
	want := "ioc: load " + p + `:2: cannot tell what kind of indicator "not an indicator" is`
	var le *LoadError
	if err == nil || err.Error() != want || !errors.As(err, &le) || le.Line != 2 {
		t.Errorf("Load error = %v, want %q", err, want)
	}
}

func TestLoadListSkips(t *testing.T) {
	dir := t.TempDir()
	ips := writeFile(t, dir, "c/ip-addresses.txt", "# ips\n198.51.100.0/24\n198.51.100.1\n")
	doms := writeFile(t, dir, "c/domains.txt", "a..b\nevil.example/x\nok.example\n")
	ix := mustLoad(t, dir)
	want := []Skip{
		{File: doms, Line: 1, Pattern: "a..b", Reason: `"a..b" is not a domain name`},
		{File: doms, Line: 2, Pattern: "evil.example/x", Reason: `"evil.example/x" is not a domain name`},
		{File: ips, Line: 2, Pattern: "198.51.100.0/24", Reason: "IP ranges are not supported"},
	}
	if diff := cmp.Diff(want, ix.Skipped()); diff != "" {
		t.Errorf("Skipped() (-want +got):\n%s", diff)
	}
	if ix.Len() != 2 {
		t.Errorf("Len() = %d, want 2", ix.Len())
	}
}

func TestLoadSTIXBeforeLists(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rcs/domains.txt", "shared.example\n")
	writeFile(t, dir, "rcs/rcs.stix2", singleMalware(`[domain-name:value='shared.example']`))
	ix := mustLoad(t, dir)
	m, ok := ix.Lookup(record.Observable{Kind: record.URL, Value: "shared.example"})
	want := record.Indicator{Value: "shared.example", Type: TypeDomains, Name: "Pegasus", File: "rcs.stix2"}
	if !ok || m.Indicator != want {
		t.Errorf("Lookup = %+v, %v; want %+v", m.Indicator, ok, want)
	}
	if ix.Len() != 1 {
		t.Errorf("Len() = %d, want 1 (duplicates count once)", ix.Len())
	}
	wantFiles := []string{filepath.Join(dir, "rcs/rcs.stix2"), filepath.Join(dir, "rcs/domains.txt")}
	if diff := cmp.Diff(wantFiles, ix.Files()); diff != "" {
		t.Errorf("Files() (-want +got):\n%s", diff)
	}
	// The same file named twice is loaded once.
	if n := len(mustLoad(t, dir, filepath.Join(dir, "rcs", "..", "rcs", "rcs.stix2")).Files()); n != 2 {
		t.Errorf("loaded %d files, want 2", n)
	}
}

func TestDefaultPaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("LOCALAPPDATA", filepath.Join(home, "AppData", "Local"))
	sep := string(os.PathListSeparator)
	t.Setenv("SPYCHECK_IOCS", "/a/one.stix2"+sep+sep+"/a/dir")
	t.Setenv("MVT_STIX2", "/m/x.stix2::/m/dir")

	base := []string{"/a/one.stix2", "/a/dir", "/m/x.stix2", "/m/dir"}
	if diff := cmp.Diff(base, DefaultPaths()); diff != "" {
		t.Errorf("DefaultPaths() without default folders (-want +got):\n%s", diff)
	}

	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Skipf("no user config dir: %v", err)
	}
	ours := filepath.Join(cfg, "spycheck", "indicators")
	mvt := filepath.Join(mvtDataDir(), "indicators")
	for _, d := range []string{ours, mvt} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(append(base, ours, mvt), DefaultPaths()); diff != "" {
		t.Errorf("DefaultPaths() (-want +got):\n%s", diff)
	}
}

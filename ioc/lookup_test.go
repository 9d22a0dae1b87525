package ioc

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spycheck/spycheck/record"
)

// lookupIndex loads a fixture covering every kind of indicator.
func lookupIndex(t testing.TB) *Index {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "fixture.stix2", singleMalware(
		`[domain-name:value='example.org']`,
		`[ipv4-addr:value='198.51.100.1']`,
		`[url:value='http://example.com/thisisbad']`,
		`[domain-name:value='b.example.net']`,
		`[domain-name:value='eb.example.com']`,
		`[domain-name:value='bücher.example']`,
		`[domain-name:value='co.uk']`,
		`[domain-name:value='evil.co.uk']`,
		`[process:name='Launch']`,
		`[process:name='com.apple.longprocess.agent']`,
		`[process:name='exactlysixteen16']`,
		`[email-addr:value='Foobar@Example.org']`,
		`[file:name='evil.dylib']`,
		`[file:name='/var/foobar/txt']`,
		`[file:path='/var/foo']`,
		`[file:path='/private/var/tmp/dropped/']`,
		`[file:path='/data/local/tmp/implant']`,
		`[file:hashes.md5='d41d8cd98f00b204e9800998ecf8427e']`,
		`[file:hashes.'SHA-1'='DA39A3EE5E6B4B0D3255BFEF95601890AFD80709']`,
		`[file:hashes.sha256='e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']`,
		`[app:cert.sha256='AABBCC']`,
		`[app:id='com.Evil.app']`,
		`[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']`,
		`[android-property:name='sys.foobar']`,
	))
	writeFile(t, dir, "v6/ip-addresses.txt", "2001:db8::66\n")
	return mustLoad(t, dir)
}

func TestLookup(t *testing.T) {
	ix := lookupIndex(t)
	tests := []struct {
		kind  record.Kind
		value string
		want  string // matched indicator value, "" for no match
	}{
		// MVT's URL cases.
		{record.URL, "http://example.com/thisisbad", "http://example.com/thisisbad"},
		{record.URL, "http://example.com/thisisgood", ""},
		{record.URL, "https://www.example.org/foobar", "example.org"},
		{record.URL, "http://example.org:8080/toto", "example.org"},
		{record.URL, "https://github.com", ""},
		{record.URL, "https://example.com/", ""},
		{record.URL, "https://198.51.100.1:8080/", "198.51.100.1"},
		{record.URL, "https://1.1.1.1/", ""},
		{record.URL, "foo bar baz", ""},
		{record.URL, "", ""},
		// Hosts: bare, scheme-less, case, trailing dot, user info, parents.
		{record.URL, "example.org", "example.org"},
		{record.URL, "EXAMPLE.ORG.", "example.org"},
		{record.URL, "a.b.c.example.org/path?q=1#f", "example.org"},
		{record.URL, "//example.org/x", "example.org"},
		{record.URL, "https://user:pw@example.org:443/", "example.org"},
		{record.URL, "a.b.example.net", "b.example.net"},
		{record.URL, "https://b.example.net/x", "b.example.net"},
		{record.URL, "https://example.net/x", ""},
		{record.URL, "https://xb.example.net/", ""},
		{record.URL, "https://web.example.com/", ""},
		{record.URL, "https://www.eb.example.com/", "eb.example.com"},
		{record.URL, "https://www.bücher.example/", "bücher.example"},
		{record.URL, "https://xn--bcher-kva.example/", "bücher.example"},
		{record.URL, "https://other.co.uk/", ""},
		{record.URL, "https://a.evil.co.uk/", "evil.co.uk"},
		{record.URL, "https://example.org.attacker.test/", ""},
		{record.URL, "https://safe.test/?next=https://example.org/", ""},
		{record.URL, "mailto:someone@example.org", "example.org"},
		{record.URL, "tel:+15551234", ""},
		// IP hosts.
		{record.URL, "198.51.100.1", "198.51.100.1"},
		{record.URL, "http://198.51.100.1", "198.51.100.1"},
		{record.URL, "http://198.51.100.10/", ""},
		{record.URL, "http://[2001:db8::66]:8443/x", "2001:db8::66"},
		{record.URL, "2001:db8::66", "2001:db8::66"},
		{record.URL, "http://[::ffff:198.51.100.1]/", "198.51.100.1"},
		{record.URL, "http://[2001:db8::66/", ""},
		// E-mail.
		{record.Email, "foobar@example.org", "Foobar@Example.org"},
		{record.Email, "mailto:FOOBAR@example.ORG", "Foobar@Example.org"},
		{record.Email, "foobar@example.net", ""},
		// Processes.
		{record.Process, "Launch", "Launch"},
		{record.Process, "/usr/libexec/Launch", "Launch"},
		{record.Process, "launch", ""},
		{record.Process, "com.apple.longpr", "com.apple.longprocess.agent"}, // 16: iOS
		{record.Process, "com.apple.longp", "com.apple.longprocess.agent"},  // 15: Linux comm
		{record.Process, "com.apple.long", ""},                              // 14: too short to be truncated
		{record.Process, "com.apple.longprocess", ""},
		{record.Process, "exactlysixteen16", "exactlysixteen16"},
		{record.Process, "exactlysixteen1", "exactlysixteen16"}, // 15 chars: Linux truncation of a 16-char name
		{record.Process, "/", ""},
		// Process paths.
		{record.ProcessPath, "/private/var/db/Launch/x", "Launch"},
		{record.ProcessPath, "Launch", "Launch"},
		{record.ProcessPath, "/private/var/db/Launcher/x", ""},
		{record.ProcessPath, "//", ""},
		// File paths.
		{record.FilePath, "/private/var/mobile/evil.dylib", "evil.dylib"},
		{record.FilePath, "/var/foobar/txt", "/var/foobar/txt"},
		{record.FilePath, "/private/var/foobar/txt", "/var/foobar/txt"},
		{record.FilePath, "/var/foo", "/var/foo"},
		{record.FilePath, "/var/foo/", "/var/foo"},
		{record.FilePath, "/var/foo/x/y", "/var/foo"},
		{record.FilePath, "/private/var/foo/x", "/var/foo"},
		{record.FilePath, "/var/foobar", ""},
		{record.FilePath, "/var", ""},
		{record.FilePath, "/tmp/dropped", ""}, // /tmp is /private/tmp, not /private/var/tmp
		{record.FilePath, "/var/tmp/dropped/a.bin", "/private/var/tmp/dropped/"},
		{record.FilePath, "/private/var/tmp/droppedx", ""},
		{record.FilePath, "/data/local/tmp/implant", "/data/local/tmp/implant"},
		{record.FilePath, "/data/local/tmp/implant2", ""},
		{record.FilePath, "relative/evil.dylib", "evil.dylib"},
		{record.FilePath, "", ""},
		{record.FilePath, "/", ""},
		// Hashes.
		{record.FileHash, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"},
		{record.FileHash, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
		{record.FileHash, " E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 ", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{record.FileHash, "e3b0c44298fc1c149afbf4c8996fb924", ""},
		{record.CertHash, "aabbcc", "AABBCC"},
		{record.CertHash, "aabbccdd", ""},
		// App ids, profiles, properties.
		{record.AppID, "com.evil.APP", "com.Evil.app"},
		{record.AppID, "com.evil", ""},
		{record.ProfileUUID, "76dab334-7e17-475d-a5d6-0794eb5818a5", "76DAB334-7E17-475D-A5D6-0794EB5818A5"},
		{record.ProfileUUID, "76DAB334", ""},
		{record.AndroidProperty, "SYS.FOOBAR", "sys.foobar"},
		{record.AndroidProperty, "sys.foo", ""},
		{record.Kind("unknown"), "example.org", ""},
	}
	for _, tt := range tests {
		m, ok := ix.Lookup(record.Observable{Kind: tt.kind, Value: tt.value})
		got := ""
		if ok {
			got = m.Indicator.Value
		}
		if got != tt.want {
			t.Errorf("Lookup(%s %q) matched %q (%s), want %q", tt.kind, tt.value, got, m.Message, tt.want)
		}
	}
}

func TestLookupMessages(t *testing.T) {
	ix := lookupIndex(t)
	tests := []struct {
		kind  record.Kind
		value string
		want  Match
	}{
		{record.URL, "https://a.example.org/x", Match{
			Indicator: record.Indicator{Value: "example.org", Type: TypeDomains, Name: "Pegasus", File: "fixture.stix2"},
			Message:   `domain "example.org" of URL "https://a.example.org/x" matches indicator "example.org" (Pegasus, fixture.stix2)`,
		}},
		{record.URL, "example.org", Match{
			Indicator: record.Indicator{Value: "example.org", Type: TypeDomains, Name: "Pegasus", File: "fixture.stix2"},
			Message:   `domain "example.org" matches indicator "example.org" (Pegasus, fixture.stix2)`,
		}},
		{record.URL, "http://example.com/thisisbad", Match{
			Indicator: record.Indicator{Value: "http://example.com/thisisbad", Type: TypeURLs, Name: "Pegasus", File: "fixture.stix2"},
			Message:   `URL "http://example.com/thisisbad" matches indicator "http://example.com/thisisbad" (Pegasus, fixture.stix2)`,
		}},
		{record.URL, "https://198.51.100.1:8080/", Match{
			Indicator: record.Indicator{Value: "198.51.100.1", Type: TypeDomains, Name: "Pegasus", File: "fixture.stix2"},
			Message:   `IP address 198.51.100.1 of URL "https://198.51.100.1:8080/" matches indicator "198.51.100.1" (Pegasus, fixture.stix2)`,
		}},
		{record.URL, "2001:db8::66", Match{
			Indicator: record.Indicator{Value: "2001:db8::66", Type: TypeDomains, Name: "v6", File: "ip-addresses.txt"},
			Message:   `IP address 2001:db8::66 matches indicator "2001:db8::66" (v6, ip-addresses.txt)`,
		}},
		{record.Process, "/sbin/com.apple.longpr", Match{
			Indicator: record.Indicator{Value: "com.apple.longprocess.agent", Type: TypeProcesses, Name: "Pegasus", File: "fixture.stix2"},
			Message:   `process "com.apple.longpr" (from "/sbin/com.apple.longpr"), possibly truncated, matches indicator "com.apple.longprocess.agent" (Pegasus, fixture.stix2)`,
		}},
		{record.FilePath, "/private/var/foo/x", Match{
			Indicator: record.Indicator{Value: "/var/foo", Type: TypeFilePaths, Name: "Pegasus", File: "fixture.stix2"},
			Message:   `path "/private/var/foo/x" matches indicator "/var/foo" (Pegasus, fixture.stix2)`,
		}},
		{record.FileHash, "D41D8CD98F00B204E9800998ECF8427E", Match{
			Indicator: record.Indicator{Value: "d41d8cd98f00b204e9800998ecf8427e", Type: TypeMD5, Name: "Pegasus", File: "fixture.stix2"},
			Message:   `MD5 hash "d41d8cd98f00b204e9800998ecf8427e" matches indicator "d41d8cd98f00b204e9800998ecf8427e" (Pegasus, fixture.stix2)`,
		}},
	}
	for _, tt := range tests {
		got, ok := ix.Lookup(record.Observable{Kind: tt.kind, Value: tt.value})
		if !ok {
			t.Errorf("Lookup(%s %q): no match", tt.kind, tt.value)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Lookup(%s %q) (-want +got):\n%s", tt.kind, tt.value, diff)
		}
	}
}

func TestLookupDefaultCollectionMessage(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "loose.stix2", bundle(indicatorObj("indicator--l", `[app:id='com.loose']`)))
	m, ok := mustLoad(t, f).Lookup(record.Observable{Kind: record.AppID, Value: "com.loose"})
	want := `app id "com.loose" matches indicator "com.loose" (loose.stix2)`
	if !ok || m.Message != want {
		t.Errorf("Message = %q, want %q", m.Message, want)
	}
}

func TestLookupConcurrent(t *testing.T) {
	ix := lookupIndex(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if _, ok := ix.Lookup(record.Observable{Kind: record.URL, Value: "https://a.example.org/"}); !ok {
					t.Error("no match")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLookupURLAllocations(t *testing.T) {
	ix := lookupIndex(t)
	for _, u := range []string{
		"https://www.a.b.c.nomatch.example.com/path?q=1",
		"https://203.0.113.9:8443/",
		"example.net",
	} {
		o := record.Observable{Kind: record.URL, Value: u}
		if n := testing.AllocsPerRun(100, func() { ix.Lookup(o) }); n != 0 {
			t.Errorf("Lookup(%q) allocates %.0f times per call, want 0", u, n)
		}
	}
	o := record.Observable{Kind: record.FilePath, Value: "/private/var/mobile/Library/a/b/c.db"}
	if n := testing.AllocsPerRun(100, func() { ix.Lookup(o) }); n != 0 {
		t.Errorf("file path Lookup allocates %.0f times per call, want 0", n)
	}
}

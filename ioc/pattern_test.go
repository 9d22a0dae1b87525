package ioc

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePattern(t *testing.T) {
	eq := func(path, value string) comparison {
		return comparison{path: path, op: "=", value: value, typed: true}
	}
	tests := []struct {
		in   string
		want parsedPattern
	}{
		{`[domain-name:value='example.org']`, parsedPattern{cmps: []comparison{eq("domain-name:value", "example.org")}}},
		{`[url:value = 'https://a.example/x?y=1']`, parsedPattern{cmps: []comparison{eq("url:value", "https://a.example/x?y=1")}}},
		{`  [ process:name  =  'Launch' ]  `, parsedPattern{cmps: []comparison{eq("process:name", "Launch")}}},
		{`domain-name:value='bare.example'`, parsedPattern{cmps: []comparison{eq("domain-name:value", "bare.example")}}},
		{`[file:hashes.'SHA-256'='AB']`, parsedPattern{cmps: []comparison{eq("file:hashes.'SHA-256'", "AB")}}},
		{`[file:hashes.SHA-1 = 'cd']`, parsedPattern{cmps: []comparison{eq("file:hashes.SHA-1", "cd")}}},
		{`[file:name='O\'Brien \\ co']`, parsedPattern{cmps: []comparison{eq("file:name", `O'Brien \ co`)}}},
		{`[file:name='a=b']`, parsedPattern{cmps: []comparison{eq("file:name", "a=b")}}},
		{`[domain-name:value='a.example' OR domain-name:value='b.example']`, parsedPattern{cmps: []comparison{
			eq("domain-name:value", "a.example"), eq("domain-name:value", "b.example")}}},
		{`[domain-name:value='a.example'] OR [process:name='p']`, parsedPattern{cmps: []comparison{
			eq("domain-name:value", "a.example"), eq("process:name", "p")}}},
		{`([url:value='u'] or ([email-addr:value='e']))`, parsedPattern{cmps: []comparison{
			eq("url:value", "u"), eq("email-addr:value", "e")}}},
		{`[(domain-name:value='a') OR (domain-name:value='b')]`, parsedPattern{cmps: []comparison{
			eq("domain-name:value", "a"), eq("domain-name:value", "b")}}},
		{`[domain-name:value='a' AND domain-name:value='b']`, parsedPattern{conjunctive: "AND", cmps: []comparison{
			eq("domain-name:value", "a"), eq("domain-name:value", "b")}}},
		{`[file:name='a'] FOLLOWEDBY [file:name='b']`, parsedPattern{conjunctive: "FOLLOWEDBY", cmps: []comparison{
			eq("file:name", "a"), eq("file:name", "b")}}},
		{`[file:name='a'] WITHIN 300 SECONDS`, parsedPattern{conjunctive: "WITHIN", cmps: []comparison{eq("file:name", "a")}}},
		{`[file:name='a'] REPEATS 5 TIMES`, parsedPattern{conjunctive: "REPEATS", cmps: []comparison{eq("file:name", "a")}}},
		{`[file:name='a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, parsedPattern{conjunctive: "START",
			cmps: []comparison{eq("file:name", "a")}}},
		{`[file:name LIKE 'a%']`, parsedPattern{cmps: []comparison{{path: "file:name", op: "LIKE", value: "a%", typed: true}}}},
		{`[file:name NOT MATCHES '^a']`, parsedPattern{cmps: []comparison{{path: "file:name", op: "NOT MATCHES", value: "^a", typed: true}}}},
		{`[file:size != 10]`, parsedPattern{cmps: []comparison{{path: "file:size", op: "!=", value: "10"}}}},
		{`[file:size >= 10]`, parsedPattern{cmps: []comparison{{path: "file:size", op: ">=", value: "10"}}}},
		{`[file:hashes.MD5 = h'ff']`, parsedPattern{cmps: []comparison{{path: "file:hashes.MD5", op: "=", value: "ff"}}}},
		{`[ipv4-addr:value IN ('1.2.3.4', '5.6.7.8')]`, parsedPattern{cmps: []comparison{{path: "ipv4-addr:value", op: "IN"}}}},
		{`[domain-name:resolves_to_refs[*].value = '198.51.100.3']`, parsedPattern{cmps: []comparison{
			eq("domain-name:resolves_to_refs[*].value", "198.51.100.3")}}},
		{`[ipv6-addr:value = '2001:db8::1']`, parsedPattern{cmps: []comparison{eq("ipv6-addr:value", "2001:db8::1")}}},
	}
	for _, tt := range tests {
		got, err := parsePattern(tt.in)
		if err != nil {
			t.Errorf("parsePattern(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(parsedPattern{}, comparison{})); diff != "" {
			t.Errorf("parsePattern(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParsePatternSyntaxErrors(t *testing.T) {
	for _, in := range []string{
		``,
		`   `,
		`[]`,
		`[domain-name:value='a'`,
		`domain-name:value='a']`,
		`[domain-name:value='unterminated]`,
		`[domain-name:value]`,
		`[domain-name:value=]`,
		`[domain-name:value=='a']`,
		`[value='no object type']`,
		`['a'='b']`,
		`[domain-name:value='a'] garbage`,
		`[domain-name:value='a' OR]`,
		`[domain-name:value='a'] WITHIN 5`,
		`not a pattern at all`,
		`{"json": true}`,
		`((((((((((((((((((((((((((((((((((((((((([file:name='a'])))))))))))))))))))))))))))))))))))))))))`,
		`[file:name ! 'a']`,
	} {
		_, err := parsePattern(in)
		if !errors.Is(err, errSyntax) {
			t.Errorf("parsePattern(%q) error = %v, want a syntax error", in, err)
		}
	}
}

func TestStixBucket(t *testing.T) {
	tests := []struct {
		path string
		want bucket
		ok   bool
	}{
		{"domain-name:value", bDomains, true},
		{"ipv4-addr:value", bDomains, true},
		{"url:value", bURLs, true},
		{"process:name", bProcesses, true},
		{"email-addr:value", bEmails, true},
		{"file:name", bFileNames, true},
		{"file:path", bFilePaths, true},
		{"file:hashes.md5", bMD5, true},
		{"file:hashes.MD5", bMD5, true},
		{"file:hashes.'MD5'", bMD5, true},
		{"file:hashes.sha1", bSHA1, true},
		{"file:hashes.'SHA-1'", bSHA1, true},
		{"file:hashes.SHA-1", bSHA1, true},
		{"file:hashes.sha256", bSHA256, true},
		{"file:hashes.SHA256", bSHA256, true},
		{"file:hashes.SHA-256", bSHA256, true},
		{"file:hashes.'SHA-256'", bSHA256, true},
		{"file:hashes.'sha-256'", bSHA256, true},
		{"app:cert.md5", bCerts, true},
		{"app:cert.sha1", bCerts, true},
		{"app:cert.'SHA-256'", bCerts, true},
		{"app:id", bAppIDs, true},
		{"configuration-profile:id", bProfiles, true},
		{"android-property:name", bProperties, true},
		{"Domain-Name:Value", bDomains, true},
		{"file:hashes.'SHA-512'", 0, false},
		{"app:cert.sha512", 0, false},
		{"ipv6-addr:value", 0, false},
		{"x509-certificate:hashes.sha256", 0, false},
		{"process:pid", 0, false},
		{"file:size", 0, false},
	}
	for _, tt := range tests {
		got, ok := stixBucket(tt.path)
		if got != tt.want || ok != tt.ok {
			t.Errorf("stixBucket(%q) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

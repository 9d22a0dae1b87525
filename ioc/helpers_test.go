package ioc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// obj renders one STIX object from key/value pairs.
func obj(kv ...any) string {
	m := map[string]any{"spec_version": "2.1"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func indicatorObj(id, pattern string) string {
	return obj("type", "indicator", "id", id, "pattern", pattern, "pattern_type", "stix")
}

func malwareObj(id, name string) string { return obj("type", "malware", "id", id, "name", name) }

func relObj(src, dst string) string {
	return obj("type", "relationship", "id", "relationship--"+src, "relationship_type", "indicates",
		"source_ref", src, "target_ref", dst)
}

func reportObj(id, name string, refs ...string) string {
	return obj("type", "report", "id", id, "name", name, "object_refs", refs)
}

func bundle(objs ...string) string {
	return `{"type": "bundle", "id": "bundle--test", "objects": [` + strings.Join(objs, ",\n") + `]}`
}

// writeFile writes content to dir/name (creating folders) and returns the path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustLoad loads paths and fails the test on any error.
func mustLoad(t testing.TB, paths ...string) *Index {
	t.Helper()
	ix, err := Load(paths...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return ix
}

// singleMalware wraps indicator patterns in a bundle where malware "Pegasus"
// indicates each of them.
func singleMalware(patterns ...string) string {
	objs := []string{malwareObj("malware--p", "Pegasus")}
	for i, p := range patterns {
		id := "indicator--" + strings.Repeat("0", 3) + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		objs = append(objs, indicatorObj(id, p), relObj(id, "malware--p"))
	}
	return bundle(objs...)
}

package iosfs

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/spycheck/spycheck/evidence"
)

// exercise opens an archive and reads everything it lists; it must never
// panic, whatever the bytes.
func exercise(t *testing.T, p string) {
	s, err := Open(p, Options{MaxTotal: 64 << 20, Want: func(string) bool { return true }})
	if err != nil {
		return
	}
	defer s.Close()
	ctx := context.Background()
	var files []File
	_ = s.Walk(ctx, func(f File) error {
		files = append(files, f)
		return nil
	})
	_, _ = s.Find(ctx, evidence.Query{DevicePaths: []string{"private/var/*/*", "*", "[", "private/var/mobile/Library/SMS/sms.db"}})
	_, _ = s.FindName(ctx, "sms.db")
	for _, f := range files {
		rc, err := s.Open(s.Entry(f))
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, rc)
		rc.Close()
	}
	_ = s.Warnings()
}

func fuzzSeeds(f *testing.F, build func(t testing.TB, m []rawMember) []byte) {
	t := &testing.T{}
	members := []rawMember{
		{"dump/private/var/mobile/Library/SMS/sms.db", []byte("SQLite format 3\x00")},
		{"dump/private/var/a/b", []byte("b")},
		{"../evil", []byte("e")},
		{"var/x", []byte("x")},
	}
	f.Add(build(t, members))
	f.Add(build(t, members[:1]))
	f.Add([]byte{})
}

func FuzzOpenZip(f *testing.F) {
	fuzzSeeds(f, zipRaw)
	f.Add(zipLying(&testing.T{}, "private/var/bomb", 1<<16, 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.zip")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		exercise(t, p)
	})
}

// FuzzOpenTar opens the bytes both as a plain tar and as a .tar.gz.
func FuzzOpenTar(f *testing.F) {
	fuzzSeeds(f, tarRaw)
	fuzzSeeds(f, func(t testing.TB, m []rawMember) []byte { return gzipOf(t, tarRaw(t, m)) })
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		for _, name := range []string{"f.tar", "f.tgz"} {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			exercise(t, p)
		}
	})
}

package iosfs

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// bigTarGz writes a .tar.gz of n small files in n/100 folders.
func bigTarGz(b *testing.B, n int) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "big.tar.gz")
	f, err := os.Create(p)
	must(b, err)
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	data := []byte("0123456789abcdef")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("dump/private/var/mobile/d%04d/f%06d", i/100, i)
		must(b, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: fixtureTime, Typeflag: tar.TypeReg}))
		_, err := tw.Write(data)
		must(b, err)
	}
	must(b, tw.Close())
	must(b, zw.Close())
	must(b, f.Close())
	return p
}

func BenchmarkIndexTarGz(b *testing.B) {
	p := bigTarGz(b, 100_000)
	want := "private/var/mobile/d0500/f050000"
	b.ResetTimer()
	for b.Loop() {
		s, err := Open(p, Options{Want: func(d string) bool { return d == want }})
		must(b, err)
		n := 0
		must(b, s.Walk(context.Background(), func(File) error { n++; return nil }))
		if n != 100_000+1000+3 {
			b.Fatalf("walk gave %d entries", n)
		}
		s.Close()
	}
}

func BenchmarkOpenLazyTarGz(b *testing.B) {
	p := bigTarGz(b, 100_000)
	s, err := Open(p, Options{})
	must(b, err)
	defer s.Close()
	b.ResetTimer()
	// The last members: each costs a full pass over the archive.
	for i := 0; b.Loop(); i++ {
		k := 99_999 - i
		readAll(b, s, fmt.Sprintf("private/var/mobile/d%04d/f%06d", k/100, k))
	}
}

// Package detect tells what kind of acquisition a path holds, so that
// `spycheck check PATH` can run the right modules without being told.
//
// It only looks: folder listings, the first bytes of a file, the member
// names of an archive (for a .tar.gz only the first members, since a
// compressed tar can only be read from the start). Nothing is extracted.
package detect

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spycheck/spycheck/evidence"
)

// ErrUnknown means the path is none of the acquisitions spycheck reads.
var ErrUnknown = errors.New("not a recognised acquisition; expected an iTunes/Finder backup folder (Manifest.db and Info.plist), " +
	"an iOS full filesystem dump (folder, .tar, .tar.gz or .zip holding private/var), a sysdiagnose .tar.gz, " +
	"an androidqf acquisition (folder or .zip), an Android bug report (.zip or folder), an Android backup (.ab) " +
	"or an Android intrusion-log folder")

// maxPeek bounds how many archive members are looked at.
const maxPeek = 5000

// Kind returns the kind of acquisition at p.
func Kind(p string) (evidence.Kind, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("detect %s: %w", p, err)
	}
	var names []string
	if st.IsDir() {
		names, err = listFolder(p)
	} else {
		var k evidence.Kind
		k, names, err = fileKind(p)
		if k != "" {
			return k, nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("detect %s: %w", p, err)
	}
	if k := fromNames(names); k != "" {
		if k == evidence.IOSBackup && !st.IsDir() {
			return "", fmt.Errorf("detect %s: an iTunes/Finder backup inside an archive: extract it and give its folder (backups are read from their folder)", p)
		}
		return k, nil
	}
	return "", fmt.Errorf("detect %s: %w", p, ErrUnknown)
}

// listFolder lists names two levels deep (enough for a backup in a
// sub-folder, a dump under one top folder, androidqf's files).
func listFolder(root string) ([]string, error) {
	var names []string
	top, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	for _, e := range top {
		names = append(names, e.Name())
		if !e.IsDir() {
			continue
		}
		sub, err := os.ReadDir(filepath.Join(root, e.Name()))
		if err != nil {
			continue
		}
		for _, s := range sub {
			names = append(names, e.Name()+"/"+s.Name())
			if s.IsDir() {
				// A dump's private/var, one level further.
				if inner, err := os.ReadDir(filepath.Join(root, e.Name(), s.Name())); err == nil {
					for _, i := range inner {
						names = append(names, e.Name()+"/"+s.Name()+"/"+i.Name())
					}
				}
			}
		}
	}
	return names, nil
}

// fileKind looks at a file's first bytes, and lists an archive's members.
func fileKind(p string) (evidence.Kind, []string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("ANDROID BACKUP\n")):
		return evidence.AndroidBackup, nil, nil
	case bytes.HasPrefix(head, []byte("age-encryption.org/")):
		return "", nil, errors.New("an age-encrypted file (androidqf writes .zip.age): decrypt it with age and the acquisition key first")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		names, err := zipNames(p)
		return "", names, err
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", nil, err
		}
		gz, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			return "", nil, fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)
		}
		names, err := tarNames(gz)
		return "", names, err
	case n > 262 && string(head[257:262]) == "ustar":
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", nil, err
		}
		names, err := tarNames(f)
		return "", names, err
	}
	return "", nil, nil
}

func zipNames(p string) ([]string, error) {
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)
	}
	defer z.Close()
	var names []string
	for i, f := range z.File {
		if i == maxPeek {
			break
		}
		names = append(names, f.Name)
	}
	return names, nil
}

func tarNames(r io.Reader) ([]string, error) {
	tr := tar.NewReader(r)
	var names []string
	for len(names) < maxPeek {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(names) > 0 {
				break // judge by what could be read
			}
			return nil, fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)
		}
		names = append(names, h.Name)
	}
	return names, nil
}

// fromNames decides from member or file names (relative, '/'-separated).
func fromNames(names []string) evidence.Kind {
	has := func(match func(clean, base string, depth int) bool) bool {
		for _, n := range names {
			c := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(n, "./")), "/")
			if match(c, path.Base(c), strings.Count(c, "/")) {
				return true
			}
		}
		return false
	}
	shallow := func(base string) bool {
		return has(func(_, b string, d int) bool { return b == base && d <= 1 })
	}
	switch {
	case shallow("Manifest.db") && shallow("Info.plist"):
		return evidence.IOSBackup
	case has(func(c, _ string, _ int) bool {
		return strings.Contains("/"+c+"/", "/private/var/") || strings.HasPrefix(c, "var/mobile")
	}):
		return evidence.IOSFS
	case has(func(c, _ string, _ int) bool {
		first, _, _ := strings.Cut(c, "/")
		return strings.HasPrefix(first, "sysdiagnose_") || strings.Contains("/"+c+"/", "/system_logs.logarchive/") || strings.HasSuffix(c, "sysdiagnose.log")
	}):
		return evidence.IOSSysdiagnose
	case shallow("main_entry.txt") || has(func(_, b string, d int) bool {
		return d <= 1 && (strings.HasPrefix(b, "dumpstate") || strings.HasPrefix(b, "bugreport-") && strings.HasSuffix(b, ".txt"))
	}):
		return evidence.Bugreport
	case shallow("getprop.txt") || shallow("packages.json") || shallow("acquisition.json") || shallow("processes.json"):
		return evidence.AndroidQF
	case has(func(c, _ string, d int) bool { return d <= 1 && strings.HasPrefix(c, "apps/") }):
		return evidence.AndroidBackup
	case has(func(c, _ string, _ int) bool {
		return strings.Contains(c, "intrusion_logs") || strings.Contains(c, "intrusion-logs")
	}):
		return evidence.IntrusionLogs
	}
	return ""
}

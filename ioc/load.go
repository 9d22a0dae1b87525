package ioc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// LoadError is a file, or an object or line in it, that could not be loaded.
type LoadError struct {
	File   string // the file (or the path given) as loaded
	Object string // the STIX object's id, when one object is at fault
	Line   int    // the line of a plain list, when one line is at fault
	Err    error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("ioc: load ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Object != "" {
		b.WriteString(": object ")
		b.WriteString(e.Object)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// fileKind says how a file is parsed.
type fileKind int

const (
	stixFile fileKind = iota
	listFile
	echapFile // Echap's ioc.yaml (echap.go)
)

type source struct {
	path string
	kind fileKind
}

// Load reads indicators from files and folders (see the package
// documentation for what a folder yields). These STIX object paths become
// indicators: domain-name:value, ipv4-addr:value, url:value, process:name,
// email-addr:value, file:name, file:path, file:hashes.MD5/SHA-1/SHA-256
// (any quoting, dashes or case), app:cert.MD5/SHA-1/SHA-256, app:id,
// configuration-profile:id and android-property:name.
//
// Load always returns a usable Index holding every file it could read. Each
// file it could not read, or that is malformed, is left out whole and
// reported in the returned error, which joins one *LoadError per such file.
func Load(paths ...string) (*Index, error) {
	srcs, errs := collect(paths)
	ix := newIndex()
	var sites []vendorSite
	for _, s := range srcs {
		res, err := loadFile(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ix.commit(s.path, res)
		sites = append(sites, res.sites...)
	}
	ix.vendors = newVendorSites(sites, ix)
	return ix, errors.Join(errs...)
}

// VendorSites are the stalkerware vendors' websites of the Echap files
// loaded: context for a finding, never an infection indicator.
func (ix *Index) VendorSites() *VendorSites { return ix.vendors }

func (ix *Index) commit(file string, res fileResult) {
	ix.files = append(ix.files, file)
	ix.skipped = append(ix.skipped, res.skipped...)
	for _, e := range res.entries {
		ix.add(e)
	}
}

func loadFile(s source) (fileResult, error) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return fileResult{}, &LoadError{File: s.path, Err: err}
	}
	if s.kind == listFile {
		return parseList(data, s.path)
	}
	if s.kind == echapFile {
		return parseEchap(data, s.path)
	}
	return parseSTIX(data, s.path)
}

// collect expands paths into the files to load, each once, STIX files
// before plain lists (so STIX collection names win for duplicate values).
func collect(paths []string) ([]source, []error) {
	var stix, lists []source
	var errs []error
	seen := map[string]bool{}
	add := func(s source) {
		if key := filepath.Clean(s.path); !seen[key] {
			seen[key] = true
			if s.kind == listFile {
				lists = append(lists, s)
			} else {
				stix = append(stix, s)
			}
		}
	}
	for _, p := range paths {
		errs = append(errs, expand(p, add)...)
	}
	return append(stix, lists...), errs
}

// expand calls add for p itself, or for each indicator file below folder p.
func expand(p string, add func(source)) []error {
	info, err := os.Stat(p)
	if err != nil {
		return []error{&LoadError{File: p, Err: err}}
	}
	if !info.IsDir() {
		kind := stixFile
		if strings.EqualFold(filepath.Ext(p), ".txt") {
			kind = listFile
		} else if isYAML(p) {
			kind = echapFile
		}
		add(source{p, kind})
		return nil
	}
	var errs []error
	walk := func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, &LoadError{File: path, Err: err})
			return nil
		}
		if d.IsDir() {
			if path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if kind, ok := folderFileKind(d.Name()); ok {
			add(source{path, kind})
		}
		return nil
	}
	if err := filepath.WalkDir(p, walk); err != nil {
		errs = append(errs, &LoadError{File: p, Err: err})
	}
	return errs
}

// folderFileKind says whether a file found in a folder holds indicators.
func folderFileKind(name string) (fileKind, bool) {
	if isEchapName(name) {
		return echapFile, true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".stix2", ".json":
		return stixFile, true
	case ".txt":
		_, ok := listBucket(listName(name))
		return listFile, ok
	}
	return 0, false
}

// DefaultPaths returns where indicators are looked for when none are named:
// the entries of $SPYCHECK_IOCS (separated by os.PathListSeparator), those
// of MVT's $MVT_STIX2 (separated by ":", as MVT does), then whichever
// exist of <user config dir>/spycheck/indicators and MVT's download folder
// (~/.local/share/mvt/indicators on Linux), so indicators fetched with
// "mvt-ios download-iocs" keep working.
func DefaultPaths() []string {
	var out []string
	out = appendSplit(out, os.Getenv("SPYCHECK_IOCS"), string(os.PathListSeparator))
	out = appendSplit(out, os.Getenv("MVT_STIX2"), ":")
	if dir, err := os.UserConfigDir(); err == nil {
		out = appendDir(out, filepath.Join(dir, "spycheck", "indicators"))
	}
	if dir := mvtDataDir(); dir != "" {
		out = appendDir(out, filepath.Join(dir, "indicators"))
	}
	return out
}

func appendSplit(out []string, list, sep string) []string {
	for _, p := range strings.Split(list, sep) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func appendDir(out []string, dir string) []string {
	if info, err := os.Stat(dir); err == nil && info.IsDir() {
		out = append(out, dir)
	}
	return out
}

// mvtDataDir is MVT's data folder (Python appdirs' user_data_dir("mvt")).
func mvtDataDir() string {
	home, err := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "mvt", "mvt")
		}
		return ""
	case "darwin":
		if err != nil {
			return ""
		}
		return filepath.Join(home, "Library", "Application Support", "mvt")
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "mvt")
	}
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "share", "mvt")
}

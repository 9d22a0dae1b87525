// Package workload writes synthetic iPhone backups for spycheck's
// benchmarks: realistic in shape and size, deterministic for a seed, with
// a few planted traces of a fictional spyware whose expected findings are
// written beside the backup.
//
// A workload folder holds
//
//	backup/            an iTunes/Finder backup: Info.plist, Manifest.db and
//	                   the blobs of sms.db, Safari's History.db and
//	                   DataUsage.sqlite, in the schemas iOS writes
//	indicators.stix2   a STIX 2.1 bundle of domain-name and process
//	                   indicators, two malware objects and the relationships
//	                   tying each indicator to one of them
//	expected.json      the findings a correct check must raise, and only those
//	workload.json      the configuration and the row counts (written last:
//	                   its presence marks a complete workload)
//
// Scale 1 is about the size of a heavily used phone: 200,000 Safari visits,
// 100,000 messages, 20,000 DataUsage processes and 20,000 Manifest rows.
// Every count grows linearly with the scale.
//
// Benign values never match an indicator by construction: indicator domains
// carry a hyphen in their registrable label and benign hosts never do, and
// benign process names are drawn again whenever one collides with an
// indicator (case-insensitively, on its first 15 characters as well).
package workload

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/spycheck/spycheck/internal/fixture"
)

// Version changes whenever the generator's output changes, so cached
// workloads of an older generator are made again.
const Version = 1

// Sizes at scale 1.
const (
	VisitsPerScale    = 200_000
	MessagesPerScale  = 100_000
	ProcessesPerScale = 20_000
	ManifestPerScale  = 20_000
)

// Config chooses a workload.
type Config struct {
	// Scale multiplies every row count (1 is a heavily used phone; tests
	// use small fractions).
	Scale float64 `json:"scale"`
	// Indicators is the number of indicators in indicators.stix2 (about
	// 90% domains, 10% process names).
	Indicators int `json:"indicators"`
	// Seed makes the workload; the same seed gives the same bytes.
	Seed uint64 `json:"seed"`
}

// Counts are the rows a workload holds.
type Counts struct {
	Visits       int `json:"safari_visits"`
	HistoryItems int `json:"safari_history_items"`
	Messages     int `json:"sms_messages"`
	Handles      int `json:"sms_handles"`
	Processes    int `json:"datausage_processes"`
	LiveUsage    int `json:"datausage_live_rows"`
	Manifest     int `json:"manifest_rows"`
}

// Finding is one expected finding: the module that raises it, its
// severity (MVT's level name) and the indicator value it matches.
type Finding struct {
	Module string `json:"module"`
	Level  string `json:"level"`
	Value  string `json:"value"`
}

// Workload is a generated workload folder.
type Workload struct {
	Config   Config    `json:"config"`
	Version  int       `json:"generator_version"`
	Counts   Counts    `json:"counts"`
	Dir      string    `json:"-"`
	Expected []Finding `json:"-"`
}

// Backup is the backup folder.
func (w *Workload) Backup() string { return filepath.Join(w.Dir, "backup") }

// Indicators is the STIX2 file.
func (w *Workload) Indicators() string { return filepath.Join(w.Dir, "indicators.stix2") }

func (c Config) rows(perScale int) int {
	return max(1, int(math.Round(float64(perScale)*c.Scale)))
}

// Open reads the workload in dir when it is complete and was made with
// cfg by this generator version; otherwise it returns an error.
func Open(dir string, cfg Config) (*Workload, error) {
	data, err := os.ReadFile(filepath.Join(dir, "workload.json"))
	if err != nil {
		return nil, err
	}
	w := &Workload{Dir: dir}
	if err := json.Unmarshal(data, w); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if w.Config != cfg || w.Version != Version {
		return nil, fmt.Errorf("%s holds another workload (%+v, version %d)", dir, w.Config, w.Version)
	}
	if data, err = os.ReadFile(filepath.Join(dir, "expected.json")); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &w.Expected); err != nil {
		return nil, fmt.Errorf("%s: expected.json: %w", dir, err)
	}
	return w, nil
}

// OpenOrGenerate reuses the workload in dir when it matches cfg and
// generates it afresh otherwise.
func OpenOrGenerate(dir string, cfg Config) (w *Workload, reused bool, err error) {
	if w, err := Open(dir, cfg); err == nil {
		return w, true, nil
	}
	w, err = Generate(dir, cfg)
	return w, false, err
}

// Generate writes a workload into dir, replacing what was there.
func Generate(dir string, cfg Config) (*Workload, error) {
	if cfg.Scale <= 0 || cfg.Indicators < minIndicators {
		return nil, fmt.Errorf("workload: scale must be positive and indicators at least %d", minIndicators)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	ind := makeIndicators(cfg.Indicators, cfg.Seed)
	w := &Workload{Config: cfg, Version: Version, Dir: dir}
	b, err := fixture.NewBackup(w.Backup())
	if err != nil {
		return nil, err
	}
	if err := writeInfoPlist(b); err != nil {
		return nil, err
	}
	p := plant(ind)
	artifacts := []artifact{
		{"HomeDomain", "Library/SMS/sms.db", func(path string) error { return writeSMS(path, cfg, p, &w.Counts) }},
		{"HomeDomain", "Library/Safari/History.db", func(path string) error { return writeSafari(path, cfg, p, &w.Counts) }},
		{"WirelessDomain", "Library/Databases/DataUsage.sqlite", func(path string) error { return writeDataUsage(path, cfg, ind, p, &w.Counts) }},
	}
	// Each database is independent: build them side by side, then store
	// them in order.
	errs := make([]error, len(artifacts))
	var wg sync.WaitGroup
	for i, a := range artifacts {
		wg.Go(func() {
			if err := a.write(a.tmp(tmp, i)); err != nil {
				errs[i] = fmt.Errorf("%s: %w", a.rel, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, a := range artifacts {
		if err := a.store(b, a.tmp(tmp, i), newRand(cfg.Seed, streamArtifacts+uint64(i)<<8)); err != nil {
			return nil, err
		}
	}
	if err := b.Finish(); err != nil {
		return nil, err
	}
	if err := writeManifest(filepath.Join(w.Backup(), "Manifest.db"), cfg, p, &w.Counts); err != nil {
		return nil, err
	}
	if err := writeSTIX(w.Indicators(), ind, cfg.Seed); err != nil {
		return nil, err
	}
	w.Expected = p.expected
	if err := writeJSON(filepath.Join(dir, "expected.json"), w.Expected); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(tmp); err != nil {
		return nil, err
	}
	return w, writeJSON(filepath.Join(dir, "workload.json"), w)
}

// artifact is one database of the backup.
type artifact struct {
	domain, rel string
	write       func(path string) error
}

func (a artifact) tmp(dir string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("db%d.sqlite", i))
}

// store moves the database built at tmp into the backup.
func (a artifact) store(b *fixture.Backup, tmp string, r *rand.Rand) error {
	data, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	meta, err := mbFile(a.rel, int64(len(data)), 0o100644, r)
	if err != nil {
		return err
	}
	if _, err := b.Add(a.domain, a.rel, data, meta); err != nil {
		return err
	}
	return os.Remove(tmp)
}

func writeInfoPlist(b *fixture.Backup) error {
	info, err := fixture.Plist(map[string]any{
		"Build Version": "21F90", "Device Name": "Bench iPhone", "Display Name": "Bench iPhone",
		"Product Name": "iPhone 13 Pro", "Product Type": "iPhone14,2", "Product Version": "17.5.1",
		"IMEI": "000000000000000", "Serial Number": "BENCH0000000", "GUID": "00000000000000000000000000000000",
		"Target Identifier": "00008110-00000000BENCH", "Unique Identifier": "00008110-00000000BENCH",
		"Target Type": "Device", "iTunes Version": "12.13",
	})
	if err != nil {
		return err
	}
	return b.RootFile("Info.plist", info)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// SortFindings orders findings by module, level and value.
func SortFindings(f []Finding) {
	slices.SortFunc(f, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Module, b.Module), cmp.Compare(a.Level, b.Level), cmp.Compare(a.Value, b.Value))
	})
}

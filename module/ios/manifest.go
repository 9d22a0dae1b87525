package ios

// Manifest: every file a backup lists in Manifest.db, with the metadata
// of its NSKeyedArchiver "file" blob (MBFile: Birth, LastModified,
// LastStatusChange, Mode, UserID, Size).
//
//   backup: <backup folder>/Manifest.db, table Files (fileID, domain, relativePath, flags, file)
//
// iOS 10+ backups (Manifest.db); times are Unix seconds (older backups
// may hold NSDate objects, both are read).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Manifest reads every row of Manifest.db's Files table.
type Manifest struct{}

// manifestWalker is what a source offers when it can list its Manifest rows.
type manifestWalker interface {
	WalkManifest(ctx context.Context, fn func(iosbackup.Row) error) error
}

// Info implements module.Module.
func (Manifest) Info() module.Info {
	return module.Info{Name: "manifest", Title: "Manifest", Kinds: backupOnly}
}

// Extract implements module.Module: one record per Files row, in table
// order. A metadata blob that cannot be decoded leaves the record with
// the row's own fields only (as MVT does); the count of such blobs is
// reported as an error after every row was emitted.
func (Manifest) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	w, ok := src.(manifestWalker)
	if !ok {
		return fmt.Errorf("manifest: %s source has no Manifest.db: %w", src.Kind(), evidence.ErrNotFound)
	}
	bad := 0
	err := w.WalkManifest(ctx, func(row iosbackup.Row) error {
		d := map[string]any{"file_id": row.FileID, "domain": row.Domain, "relative_path": row.RelativePath,
			"flags": row.Flags, "created": ""}
		if len(row.File) > 0 {
			if !addManifestMetadata(d, row.File) {
				bad++
			}
		}
		emit(record.Record{Data: d})
		return nil
	})
	if err == nil && bad > 0 {
		err = &evidence.FileError{Op: "decode file metadata in", Path: "Manifest.db",
			Err: fmt.Errorf("%w: %d metadata blobs could not be decoded", evidence.ErrCorrupt, bad)}
	}
	return err
}

// addManifestMetadata decodes an MBFile blob into d; false when the blob
// is not a keyed archive of an object with an integer Mode.
func addManifestMetadata(d map[string]any, blob []byte) bool {
	v, err := evidence.DecodeKeyedArchive(blob)
	if err != nil {
		return false
	}
	meta, ok := v.(map[string]any)
	if !ok {
		return false
	}
	mode, ok := plistInt(meta["Mode"])
	if !ok {
		return false
	}
	octal := fmt.Sprintf("0o%o", mode)
	if mode < 0 {
		octal = fmt.Sprintf("-0o%o", -mode)
	}
	d["created"] = manifestTime(meta["Birth"])
	d["modified"] = manifestTime(meta["LastModified"])
	d["status_changed"] = manifestTime(meta["LastStatusChange"])
	d["mode"] = octal
	d["owner"] = evidence.Plain(meta["UserID"])
	d["size"] = evidence.Plain(meta["Size"])
	return true
}

// plistInt reads a decoded plist integer.
func plistInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		return int64(n), true
	}
	return 0, false
}

// manifestTime converts Unix seconds or an NSDate; anything else is "".
func manifestTime(v any) string {
	if t, ok := v.(time.Time); ok {
		return record.ISO(t)
	}
	if f, ok := record.Num(evidence.Plain(v)); ok {
		return record.FromUnix(f)
	}
	return ""
}

// Observables implements module.Module: the file's path, then every
// "_"-separated part of the lower-cased path that is a domain name (app
// containers and caches are often named after sites).
func (Manifest) Observables(r record.Record) []record.Observable {
	rel := r.String("relative_path")
	if rel == "" {
		return nil
	}
	obs := module.Observe(record.High, record.FilePath, "relative_path", "/"+rel)
	for _, part := range strings.Split(strings.ToLower(rel), "_") {
		if looksLikeDomain(part) {
			obs = append(obs, module.Observe(record.High, record.URL, "relative_path", part)...)
		}
	}
	return obs
}

// looksLikeDomain tells whether s, read as a URL without scheme, has a
// host under an ICANN public suffix.
func looksLikeDomain(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	host := s
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	if i := strings.IndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if !strings.Contains(host, ".") {
		return false
	}
	if _, icann := publicsuffix.PublicSuffix(host); !icann {
		return false
	}
	_, err := publicsuffix.EffectiveTLDPlusOne(host)
	return err == nil
}

// Timeline implements module.Module: one MACB event per distinct time
// (M modified, C status changed, B born; A is not recorded).
func (m Manifest) Timeline(r record.Record) []record.Event {
	if _, ok := r.Data["modified"]; !ok {
		return nil
	}
	if _, ok := r.Data["status_changed"]; !ok {
		return nil
	}
	created, modified, changed := r.String("created"), r.String("modified"), r.String("status_changed")
	data := r.String("relative_path") + " - " + r.String("domain")
	var out []record.Event
	seen := map[string]bool{}
	for _, ts := range []string{created, modified, changed} {
		if seen[ts] {
			continue
		}
		seen[ts] = true
		macb := []byte("----")
		if ts == modified {
			macb[0] = 'M'
		}
		if ts == changed {
			macb[2] = 'C'
		}
		if ts == created {
			macb[3] = 'B'
		}
		out = append(out, module.Event(m.Info().Title, ts, string(macb), data)...)
	}
	return out
}

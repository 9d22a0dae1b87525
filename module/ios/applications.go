package ios

// Applications: the installed App Store (and other) apps with their
// iTunes metadata: who published them and which app installed them.
//
//   backup: <backup folder>/Info.plist, key Applications = {bundle id: {iTunesMetadata (plist bytes), PlaceholderIcon}}
//   fs:     private/var/containers/Bundle/Application/*/iTunesMetadata.plist
//
// All iOS versions; recent Finder backups may omit the Applications key.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Applications reads the apps' iTunes metadata.
type Applications struct{}

var applicationsFSQuery = evidence.Query{DevicePaths: []string{"private/var/containers/Bundle/Application/*/iTunesMetadata.plist"}}

// knownAppInstallers are the sourceApp values of App Store and MDM installs.
var knownAppInstallers = map[string]bool{
	"com.apple.AppStore": true, "com.apple.AppStore.ProductPageExtension": true, "com.apple.dmd": true, "dmd": true,
}

// Info implements module.Module.
func (Applications) Info() module.Info {
	return module.Info{Name: "applications", Title: "Applications", Kinds: mixed}
}

// Extract implements module.Module.
func (Applications) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	if src.Kind() == evidence.IOSBackup {
		return backupApplications(ctx, src, emit)
	}
	entries, err := src.Find(ctx, applicationsFSQuery)
	if err != nil {
		return err
	}
	for _, e := range entries {
		meta, _, err := readPlistDict(src, e)
		if err != nil {
			return err
		}
		d := applicationRecord(meta)
		d["file_path"] = e.Local
		emit(record.Record{Data: d})
	}
	return nil
}

// backupApplications reads the Applications key of Info.plist, in file
// order. An app whose metadata is unreadable is skipped and reported in
// the error returned at the end.
func backupApplications(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, infoPlistQuery)
	if err != nil {
		return err
	}
	info, raw, err := readPlistDict(src, e)
	if err != nil {
		return err
	}
	apps, _ := info["Applications"].(map[string]any)
	var errs []error
	for _, name := range keysInPlistOrder(apps, plistKeyOrder(raw, "Applications")) {
		app, _ := apps[name].(map[string]any)
		blob, _ := app["iTunesMetadata"].([]byte)
		v, err := evidence.DecodePlist(blob)
		meta, ok := v.(map[string]any)
		if err != nil || !ok {
			errs = append(errs, &evidence.FileError{Op: "parse iTunesMetadata of " + name + " in", Path: e.Name(), Evidence: e.Local,
				Err: fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)})
			continue
		}
		d := applicationRecord(meta)
		if _, ok := meta["name"]; !ok {
			d["name"] = name
		}
		if icon, ok := app["PlaceholderIcon"].([]byte); ok {
			sum := sha256.Sum256(icon)
			d["icon_sha256"] = hex.EncodeToString(sum[:])
		}
		emit(record.Record{Data: d})
	}
	return errors.Join(errs...)
}

// applicationRecord is the plain metadata plus isodate, the purchase date.
func applicationRecord(meta map[string]any) map[string]any {
	d, _ := evidence.Plain(meta).(map[string]any)
	dl, _ := meta["com.apple.iTunesStore.downloadInfo"].(map[string]any)
	if s, ok := dl["purchaseDate"].(string); ok && s != "" {
		if t, err := time.Parse("2006-01-02T15:04:05Z", s); err == nil {
			d["isodate"] = record.ISO(t)
		}
	}
	return d
}

// Observables implements module.Module: the bundle ID as a process name,
// then as an app ID.
func (Applications) Observables(r record.Record) []record.Observable {
	id := r.String("softwareVersionBundleId")
	obs := module.Observe(record.Critical, record.Process, "softwareVersionBundleId", id)
	return append(obs, module.Observe(record.Critical, record.AppID, "softwareVersionBundleId", id)...)
}

// Timeline implements module.Module: the installation, when dated.
func (m Applications) Timeline(r record.Record) []record.Event {
	get := func(k string) string {
		if v, ok := r.Data[k]; ok {
			return pyText(v)
		}
		return ""
	}
	data := fmt.Sprintf("App %s version %s from %s installed from %s", get("name"), get("bundleShortVersionString"), get("artistName"), get("sourceApp"))
	return module.Event(m.Info().Title, r.String("isodate"), "app_installed", data)
}

// NewInspector implements module.Heuristic: apps without a bundle ID,
// and apps not installed by the App Store or an MDM.
func (Applications) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		id, ok := r.Data["softwareVersionBundleId"]
		if !ok {
			raise(module.Alert(record.Medium, r, "", "Suspicious application identified without softwareVersionBundleId"))
			return
		}
		source := "com.apple.AppStore"
		if v, ok := r.Data["sourceApp"]; ok {
			source = pyText(v)
		}
		if !knownAppInstallers[source] {
			raise(module.Alert(record.Medium, r, "", "Suspicious app not installed from the App Store or MDM: "+pyText(id)))
		}
	})
}

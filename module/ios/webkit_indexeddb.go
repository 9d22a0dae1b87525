package ios

// WebkitIndexedDB: the sites that stored IndexedDB data in an app's
// WebKit view, named by the folders WebKit makes per origin
// ("https_example.com_0").
//
//   fs: private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/IndexedDB
//
// Any iOS version with WebKit's WebsiteData layout (iOS 9+). This file
// also holds the reading shared with WebkitLocalStorage and
// WebkitSafariViewService: every entry of the folder whose name starts
// with "http" gives one record, with the folder's modification time.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// webkitFolder is the reading of one kind of WebKit WebsiteData folder.
type webkitFolder struct {
	name, title string
	pattern     string
	// event and describe make the timeline.
	event    string
	describe func(folder, url string) string
}

// Info implements module.Module.
func (w webkitFolder) Info() module.Info {
	return module.Info{Name: w.name, Title: w.title, Kinds: []evidence.Kind{evidence.IOSFS}, TimeField: "isodate"}
}

// Extract implements module.Module: the folders in device path order,
// the entries of each in name order.
func (w webkitFolder) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	d, err := dumpAs[dumpDirReader](src)
	if err != nil {
		return err
	}
	folders, err := globDumpDirs(d, w.pattern)
	if err != nil {
		return fmt.Errorf("find %s: %w", w.pattern, err)
	}
	if len(folders) == 0 {
		return fmt.Errorf("find %s: %w", w.pattern, evidence.ErrNotFound)
	}
	for _, f := range folders {
		if err := ctx.Err(); err != nil {
			return err
		}
		kids, err := d.ReadDir(f.DevicePath)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if strings.HasPrefix(k.Name(), "http") {
				emit(record.Record{Data: map[string]any{"folder": f.DevicePath, "url": webkitOriginURL(k.Name()), "isodate": dumpTime(f)}})
			}
		}
	}
	return nil
}

// webkitOriginURL turns a WebKit origin folder name ("https_example.com_0")
// into its URL ("https://example.com") the way MVT does.
func webkitOriginURL(name string) string {
	name = strings.ReplaceAll(name, "http_", "http://")
	name = strings.ReplaceAll(name, "https_", "https://")
	url, _, _ := strings.Cut(name, "_")
	return url
}

// Observables implements module.Module.
func (webkitFolder) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "url", r.String("url"))
}

// Timeline implements module.Module (none for a folder without an event,
// as MVT's SafariViewService module).
func (w webkitFolder) Timeline(r record.Record) []record.Event {
	if w.event == "" {
		return nil
	}
	return module.Event(w.title, r.String("isodate"), w.event, w.describe(r.String("folder"), r.String("url")))
}

// WebkitIndexedDB reads the IndexedDB folders of every app.
func WebkitIndexedDB() module.Module {
	return webkitFolder{
		name: "webkit_indexeddb", title: "WebkitIndexedDB", event: "webkit_indexeddb",
		pattern: "private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/IndexedDB",
		describe: func(folder, url string) string {
			return fmt.Sprintf("IndexedDB folder %s containing file for URL %s", folder, url)
		},
	}
}

package ios

// WebkitLocalStorage: the sites that stored Local Storage data in an app's
// WebKit view (one "https_example.com_0.localstorage" file per origin).
//
//   fs: private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/LocalStorage
//
// iOS 9+. Read as WebkitIndexedDB is (see webkit_indexeddb.go).

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// WebkitLocalStorage reads the LocalStorage folders of every app.
type WebkitLocalStorage struct{}

var webkitLocalStorage = webkitFolder{
	name: "webkit_local_storage", title: "WebkitLocalStorage", event: "webkit_local_storage",
	pattern: "private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/LocalStorage",
	describe: func(folder, url string) string {
		return fmt.Sprintf("WebKit Local Storage folder %s containing file for URL %s", folder, url)
	},
}

// Info implements module.Module.
func (WebkitLocalStorage) Info() module.Info { return webkitLocalStorage.Info() }

// Extract implements module.Module.
func (WebkitLocalStorage) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return webkitLocalStorage.Extract(ctx, src, emit)
}

// Observables implements module.Module.
func (WebkitLocalStorage) Observables(r record.Record) []record.Observable {
	return webkitLocalStorage.Observables(r)
}

// Timeline implements module.Module.
func (WebkitLocalStorage) Timeline(r record.Record) []record.Event {
	return webkitLocalStorage.Timeline(r)
}

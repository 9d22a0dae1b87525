package ios

// WebkitLocalStorage: the sites that stored Local Storage data in an app's
// WebKit view (one "https_example.com_0.localstorage" file per origin).
//
//   fs: private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/LocalStorage
//
// iOS 9+. Read as WebkitIndexedDB is (see webkit_indexeddb.go).

import (
	"fmt"

	"github.com/spycheck/spycheck/module"
)

// WebkitLocalStorage reads the LocalStorage folders of every app.
func WebkitLocalStorage() module.Module {
	return webkitFolder{
		name: "webkit_local_storage", title: "WebkitLocalStorage", event: "webkit_local_storage",
		pattern: "private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/LocalStorage",
		describe: func(folder, url string) string {
			return fmt.Sprintf("WebKit Local Storage folder %s containing file for URL %s", folder, url)
		},
	}
}

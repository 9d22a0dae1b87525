package ios

// WebkitSafariViewService: the sites an app opened in an in-app Safari
// view (SFSafariViewController) left WebsiteData for.
//
//   fs: private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData
//
// iOS 9+. Read as WebkitIndexedDB is (see webkit_indexeddb.go); like MVT,
// the module makes no timeline events.

import (
	"github.com/spycheck/spycheck/module"
)

// WebkitSafariViewService reads the SafariViewService WebsiteData folders.
func WebkitSafariViewService() module.Module {
	return webkitFolder{
		name: "webkit_safari_view_service", title: "WebkitSafariViewService",
		pattern: "private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData",
	}
}

package ios

// WebkitSafariViewService: the sites an app opened in an in-app Safari
// view (SFSafariViewController) left WebsiteData for.
//
//   fs: private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData
//
// iOS 9+. Read as WebkitIndexedDB is (see webkit_indexeddb.go); like MVT,
// the module makes no timeline events.

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// WebkitSafariViewService reads the SafariViewService WebsiteData folders.
type WebkitSafariViewService struct{}

var webkitSafariViewService = webkitFolder{
	name: "webkit_safari_view_service", title: "WebkitSafariViewService",
	pattern: "private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData",
}

// Info implements module.Module.
func (WebkitSafariViewService) Info() module.Info { return webkitSafariViewService.Info() }

// Extract implements module.Module.
func (WebkitSafariViewService) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return webkitSafariViewService.Extract(ctx, src, emit)
}

// Observables implements module.Module.
func (WebkitSafariViewService) Observables(r record.Record) []record.Observable {
	return webkitSafariViewService.Observables(r)
}

// Timeline implements module.Module: none, as MVT.
func (WebkitSafariViewService) Timeline(record.Record) []record.Event { return nil }

package ios

// IDStatusCache: Apple identity services' cache of iMessage/FaceTime
// look-ups (which handle was checked, by which service, and when).
// Exploits delivered over iMessage left look-ups of odd handles here.
//
//   backup: 6b97989189901ceaa4e5be9b7f05fb584120e27b (HomeDomain Library/Preferences/com.apple.identityservices.idstatuscache.plist)
//   fs:     private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist
//           private/var/mobile/Library/IdentityServices/idstatuscache.plist (iOS 14.7+)
//
// Format: {service: {handle: {LookupDate (Mac time), IDStatus}}}.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// IDStatusCache reads idstatuscache.plist.
type IDStatusCache struct{}

var idStatusCacheQuery = artifact("6b97989189901ceaa4e5be9b7f05fb584120e27b",
	"private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist",
	"private/var/mobile/Library/IdentityServices/idstatuscache.plist")

// idStatusNUL is how a NUL byte in a handle is written in the record.
const idStatusNUL = `\x00`

// Info implements module.Module.
func (IDStatusCache) Info() module.Info {
	return module.Info{Name: "id_status_cache", Title: "IDStatusCache", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module: one record per look-up, in file order,
// each counting how often its handle occurs in the same file. A file that
// cannot be read does not stop the others.
func (IDStatusCache) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, idStatusCacheQuery)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return evidence.ErrNotFound
	}
	var errs []error
	for _, e := range entries {
		recs, err := idStatusCacheFile(src, e)
		errs = append(errs, err)
		for _, d := range recs {
			emit(record.Record{Data: d})
		}
	}
	return errors.Join(errs...)
}

// idStatusCacheFile reads one cache; look-ups without LookupDate or
// IDStatus, and values of the wrong type, are skipped.
func idStatusCacheFile(src evidence.Source, e evidence.Entry) ([]map[string]any, error) {
	top, raw, err := readPlistDict(src, e)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	counts := map[string]int64{}
	for _, service := range keysInPlistOrder(top, plistKeyOrder(raw)) {
		handles, ok := top[service].(map[string]any)
		if !ok {
			continue
		}
		for _, handle := range keysInPlistOrder(handles, plistKeyOrder(raw, service)) {
			lookup, ok := handles[handle].(map[string]any)
			date, hasDate := lookup["LookupDate"]
			status, hasStatus := lookup["IDStatus"]
			if !ok || !hasDate || !hasStatus {
				continue
			}
			user := strings.ReplaceAll(handle, "\x00", idStatusNUL)
			counts[user]++
			out = append(out, map[string]any{
				"package": service, "user": user, "isodate": idStatusLookupDate(date), "idstatus": evidence.Plain(status),
			})
		}
	}
	for _, d := range out {
		d["occurrences"] = counts[d["user"].(string)]
	}
	return out, nil
}

func idStatusLookupDate(v any) string {
	if t, ok := v.(time.Time); ok {
		return record.ISO(t)
	}
	return macTimeISO(evidence.Plain(v))
}

// Observables implements module.Module: the address of a mailto: handle.
func (IDStatusCache) Observables(r record.Record) []record.Observable {
	user := r.String("user")
	if !strings.HasPrefix(user, "mailto:") {
		return nil
	}
	return module.Observe(record.Critical, record.Email, "user", strings.Trim(user[len("mailto:"):], "'"))
}

// Timeline implements module.Module.
func (m IDStatusCache) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("Lookup of %s within %s (Status %s)", pyText(r.Data["user"]), pyText(r.Data["package"]), pyText(r.Data["idstatus"]))
	return module.Event(m.Info().Title, r.String("isodate"), "lookup", data)
}

// NewInspector implements module.Heuristic: a handle with two NUL bytes in
// a row is the mark of a crafted look-up.
func (IDStatusCache) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		if user := r.String("user"); strings.Contains(user, idStatusNUL+idStatusNUL) {
			raise(module.Alert(record.High, r, r.String("isodate"),
				"Found an ID Status Cache entry with suspicious patterns: "+user))
		}
	})
}

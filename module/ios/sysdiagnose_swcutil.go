package ios

// SysdiagnoseSWCUtil: the associated-domains database of swcd, the
// shared web credentials daemon, as `swcutil show` prints it into the
// sysdiagnose: for every app that claims a domain in its
// com.apple.developer.associated-domains entitlement, the service
// (applinks, webcredentials, activitycontinuation, appclips …), the app,
// the domain and what swcd last learnt from the domain's
// apple-app-site-association file.
//
//   sysdiagnose: swcutil_show.txt (relative to the sysdiagnose's top folder)
//
// From iOS 12 on (the oldest that sysdiagnose parsers handle) the file has
// banner-titled sections (DATABASE, NETWORK, SETTINGS, MEMORY USAGE);
// DATABASE holds one block of "Key: value" lines per entry, blocks
// separated by a line of dashes:
//
//	Service:              applinks
//	App ID:               ABCDE12345.com.example.app
//	App Version:          1.0
//	Domain:               example.com?mode=developer
//	User Approval:        unspecified
//	Site/Fmwk Approval:   approved
//	Flags:                developer
//	Last Checked:         2023-08-24 10:09:00 +0000
//	Next Check:           2023-08-31 21:00:19 +0000
//	--------------------------------------------------------------------------------
//
// Since iOS 18.2 the times follow the device's clock setting, e.g.
// "2024-11-15 8:51:02 PM +0000" (single-digit hour, AM/PM, sometimes a
// narrow no-break space before it). A time with its UTC offset becomes a
// record time; any other text ("(null)", a localised AM/PM) is kept as
// written. Only the DATABASE entries become records: NETWORK lists
// pending downloads, SETTINGS user overrides keyed by bundle id without
// a domain, MEMORY USAGE swcd's own footprint. Text before the first
// banner is read as DATABASE, so an excerpt without banners still parses.
//
// Each entry ties an app to a domain it is entitled to open links from or
// share passwords with: the domain is matched as a URL, then the bundle id
// (the App ID without its 10-character team prefix) as an app id
// [CRITICAL]. MVT has no sysdiagnose modules. No heuristic: every
// installed app with associated domains has entries, Apple's own
// included, and "denied" or "unspecified" approvals and the developer or
// enterpriseManaged flags are routine (a CDN fetch failing, a test
// device, an MDM-managed app), so none of them singles out spyware, and
// no public spyware report names a trace in this file.

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SysdiagnoseSWCUtil reads swcutil_show.txt.
type SysdiagnoseSWCUtil struct{}

var sysdiagnoseSWCQuery = evidence.Query{DevicePaths: []string{"swcutil_show.txt"}}

// Info implements module.Module.
func (SysdiagnoseSWCUtil) Info() module.Info {
	return module.Info{Name: "sysdiagnose_swcutil", Title: "SysdiagnoseSWCUtil",
		Kinds: []evidence.Kind{evidence.IOSSysdiagnose}, TimeField: "last_checked"}
}

// Extract implements module.Module: one record per database entry, in
// file order.
func (SysdiagnoseSWCUtil) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, sysdiagnoseSWCQuery)
	if err != nil {
		return fmt.Errorf("find swcutil_show.txt: %w", err)
	}
	return readSysdiagnoseLines(src, e, func(r io.Reader) error {
		return parseSWCUtil(r, func(d map[string]any) { emit(record.Record{Data: d}) })
	})
}

// swcKeys are the entry keys kept, by their text in the file.
var swcKeys = map[string]string{"Service": "service", "App ID": "app_id", "App Version": "app_version",
	"Domain": "domain", "User Approval": "user", "Site/Fmwk Approval": "site", "Flags": "flags",
	"Last Checked": "last_checked", "Next Check": "next_check"}

// swcParser holds the state of parseSWCUtil between lines.
type swcParser struct {
	inDatabase bool              // in DATABASE or before any banner
	seenBanner bool              // a section banner was read
	entry      map[string]string // the entry being read, by swcKeys value
	emit       func(map[string]any)
	emitted    bool
}

// parseSWCUtil reads swcutil_show.txt and emits its database entries. A
// file with neither a section banner nor an entry is not swcutil output.
func parseSWCUtil(r io.Reader, emit func(map[string]any)) error {
	p := &swcParser{inDatabase: true, entry: map[string]string{}, emit: emit}
	if err := eachSysdiagnoseLine(r, p.line); err != nil {
		return err
	}
	p.flush()
	if !p.seenBanner && !p.emitted {
		return fmt.Errorf("%w: no swcutil sections or entries", evidence.ErrCorrupt)
	}
	return nil
}

// line reads one line; it always asks for the next.
func (p *swcParser) line(line string) bool {
	s := strings.TrimSpace(line)
	switch {
	case isSWCBanner(s):
		p.flush()
		p.seenBanner = true
		p.inDatabase = strings.Trim(s, "= ") == "DATABASE"
	case len(s) >= 3 && strings.Trim(s, "-") == "":
		p.flush()
	case p.inDatabase:
		key, value, ok := strings.Cut(s, ":")
		name, kept := swcKeys[strings.TrimSpace(key)]
		if !ok || !kept {
			return true
		}
		if _, again := p.entry[name]; again && name == "service" {
			p.flush() // entries not separated by a dashed line
		}
		p.entry[name] = strings.TrimSpace(value)
	}
	return true
}

// isSWCBanner tells a section title line ("==== DATABASE ====").
func isSWCBanner(s string) bool {
	return strings.HasPrefix(s, "===") && strings.HasSuffix(s, "===") && strings.Trim(s, "= ") != ""
}

// flush emits the entry read so far, if it names a service and a domain
// or app, and starts the next.
func (p *swcParser) flush() {
	e := p.entry
	if len(e) == 0 {
		return
	}
	p.entry = map[string]string{}
	if e["service"] == "" || (e["domain"] == "" && e["app_id"] == "") {
		return
	}
	p.emitted = true
	p.emit(map[string]any{
		"service":      e["service"],
		"app_id":       swcValue(e["app_id"]),
		"bundle_id":    swcBundleID(swcValue(e["app_id"])),
		"app_version":  swcValue(e["app_version"]),
		"domain":       swcValue(e["domain"]),
		"approvals":    map[string]any{"user": swcValue(e["user"]), "site": swcValue(e["site"])},
		"flags":        swcValue(e["flags"]),
		"last_checked": swcTime(e["last_checked"]),
		"next_check":   swcTime(e["next_check"]),
	})
}

// swcValue is v, or "" for the "(null)" swcutil prints for no value.
func swcValue(v string) string {
	if v == "(null)" {
		return ""
	}
	return v
}

// swcTeamPrefix is an App ID's team (or legacy app id) prefix.
var swcTeamPrefix = regexp.MustCompile(`^[A-Z0-9]{10}\.`)

// swcBundleID is the App ID without its team prefix; an App ID without
// one (Apple's own apps: "com.apple.mobilesafari") is the bundle id.
func swcBundleID(appID string) string {
	if loc := swcTeamPrefix.FindStringIndex(appID); loc != nil {
		return appID[loc[1]:]
	}
	return appID
}

// swcTimeLayouts are the times swcutil prints: 24-hour before iOS 18.2,
// the device's clock setting since.
var swcTimeLayouts = []string{"2006-01-02 15:04:05 -0700", "2006-01-02 3:04:05 PM -0700"}

// swcTime is a "Last Checked"/"Next Check" value as a record time when it
// gives one with its UTC offset, else the text as written.
func swcTime(v string) string {
	v = swcValue(v)
	norm := strings.ToUpper(strings.Join(strings.FieldsFunc(v, unicode.IsSpace), " "))
	for _, layout := range swcTimeLayouts {
		if t, err := time.Parse(layout, norm); err == nil {
			return record.ISO(t)
		}
	}
	return v
}

// Observables implements module.Module: the domain, then the bundle id.
func (SysdiagnoseSWCUtil) Observables(r record.Record) []record.Observable {
	obs := module.Observe(record.Critical, record.URL, "domain", r.String("domain"))
	return append(obs, module.Observe(record.Critical, record.AppID, "bundle_id", r.String("bundle_id"))...)
}

// Timeline implements module.Module: the last check of the domain, when
// its time was read.
func (m SysdiagnoseSWCUtil) Timeline(r record.Record) []record.Event {
	at := r.String("last_checked")
	if _, err := time.Parse(record.TimeLayout, at); err != nil {
		return nil
	}
	site := ""
	if a, ok := r.Data["approvals"].(map[string]any); ok {
		site, _ = a["site"].(string)
	}
	return module.Event(m.Info().Title, at, "domain_checked", fmt.Sprintf("%s association of %s with %s checked (site approval: %s)",
		r.String("service"), r.String("app_id"), r.String("domain"), site))
}

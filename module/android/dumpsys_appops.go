package android

// DumpsysAppops: the App-Ops permission use recorded per package, from the
// "appops" section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// From "  Uid 0:" on: "  Uid <uid>:" lines, "    Package <name>:" lines,
// permissions indented 6 spaces ("PERM (mode):"), and their accesses
// indented 10 spaces ("Access: [fg-s]2021-05-19 22:02:52.054 (-1d…)" or
// "Reject: …"); the first blank line ends the list.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysAppops reads the appops section.
type DumpsysAppops struct{}

// Info implements module.Module.
func (DumpsysAppops) Info() module.Info {
	return module.Info{Name: "dumpsys_appops", Title: "DumpsysAppops", Kinds: dumpstateKinds}
}

// Extract implements module.Module.
func (DumpsysAppops) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	p := &appopsParser{emit: emit}
	if err := eachDumpsysLine(ctx, src, "appops", dumpsys.Replace, p.line); err != nil {
		return err
	}
	p.flushPackage()
	return nil
}

// appopsParser builds one package at a time and emits it when the next
// starts.
type appopsParser struct {
	emit    func(record.Record)
	started bool
	uid     any // nil until the first "Uid" line, as MVT's None
	pkg     map[string]any
	perm    map[string]any
	entry   map[string]any
}

func (p *appopsParser) line(line string) error {
	if strings.HasPrefix(line, "  Uid 0:") {
		p.started = true
	}
	if !p.started {
		return nil
	}
	switch {
	case strings.HasPrefix(line, "  Uid "):
		p.uid = pySlice(line, 6, -1)
		p.flushPackage()
		return nil
	case strings.HasPrefix(line, "    Package "):
		p.flushPackage()
		p.pkg = map[string]any{"package_name": pySlice(line, 12, -1), "permissions": []any{}, "uid": p.uid}
		return nil
	case p.pkg != nil && strings.HasPrefix(line, "      ") && len(line) > 6 && line[6] != ' ':
		p.flushPerm()
		fields := strings.Fields(line)
		p.perm = map[string]any{"name": fields[0], "entries": []any{}}
		if len(fields) > 1 {
			p.perm["access"] = pySlice(fields[1], 1, -2)
		}
		return nil
	case strings.HasPrefix(line, "          "):
		p.accessLine(line)
	}
	if strings.TrimSpace(line) == "" {
		return dumpsys.ErrStop
	}
	return nil
}

// accessLine reads "Access: [type]YYYY-MM-DD HH:MM:SS.fff (…)".
func (p *appopsParser) accessLine(line string) {
	kind, _, _ := strings.Cut(line, ":")
	kind = strings.TrimSpace(kind)
	if kind != "Access" && kind != "Reject" {
		return
	}
	p.flushEntry()
	p.entry = map[string]any{"access": kind, "type": pySlice(line, pyFind(line, "[")+1, pyFind(line, "]"))}
	when := strings.TrimSpace(pySlice(line, pyFind(line, "]")+1, pyFind(line, "(")))
	if t, err := time.Parse("2006-01-02 15:04:05.999999", when); err == nil && strings.Contains(when, ".") {
		p.entry["timestamp"] = t.Format(record.TimeLayout)
	}
}

func (p *appopsParser) flushEntry() {
	if p.entry == nil {
		return
	}
	if p.perm != nil {
		p.perm["entries"] = append(p.perm["entries"].([]any), p.entry)
	}
	p.entry = nil
}

func (p *appopsParser) flushPerm() {
	p.flushEntry()
	if p.perm != nil && p.pkg != nil {
		p.pkg["permissions"] = append(p.pkg["permissions"].([]any), p.perm)
	}
	p.perm = nil
}

func (p *appopsParser) flushPackage() {
	p.flushPerm()
	if p.pkg != nil {
		p.emit(record.Record{Data: p.pkg})
	}
	p.pkg = nil
}

// Observables implements module.Module.
func (DumpsysAppops) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))
}

// appopsPermissions lists a record's permissions as objects.
func appopsPermissions(r record.Record) []map[string]any {
	list, _ := r.Data["permissions"].([]any)
	var out []map[string]any
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// appopsEntries lists a permission's access entries as objects.
func appopsEntries(perm map[string]any) []map[string]any {
	list, _ := perm["entries"].([]any)
	var out []map[string]any
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Timeline implements module.Module: one event per dated access.
func (m DumpsysAppops) Timeline(r record.Record) []record.Event {
	var out []record.Event
	for _, perm := range appopsPermissions(r) {
		for _, e := range appopsEntries(perm) {
			access, _ := e["access"].(string)
			ts, _ := e["timestamp"].(string)
			data := fmt.Sprintf("%s access to %s: %s", r.String("package_name"), perm["name"], access)
			out = append(out, module.Event(m.Info().Title, ts, access, data)...)
		}
	}
	return out
}

// appopsRiskyPermission and appopsRiskyPackage are MVT's lists.
const (
	appopsRiskyPermission = "REQUEST_INSTALL_PACKAGES"
	appopsRiskyPackage    = "com.android.shell"
)

// NewInspector implements module.Heuristic: every access (or, without
// any, the permission itself) of REQUEST_INSTALL_PACKAGES, and of any
// permission of com.android.shell, is worth a look (MEDIUM).
func (DumpsysAppops) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		pkg := r.String("package_name")
		for _, perm := range appopsPermissions(r) {
			name, _ := perm["name"].(string)
			if name != appopsRiskyPermission && pkg != appopsRiskyPackage {
				continue
			}
			entries := appopsEntries(perm)
			if len(entries) == 0 {
				entries = []map[string]any{{"access": "Unknown", "timestamp": ""}}
			}
			slices.SortStableFunc(entries, func(a, b map[string]any) int {
				return strings.Compare(textField(a, "timestamp"), textField(b, "timestamp"))
			})
			for _, e := range entries {
				raise(appopsAlert(r, perm, e))
			}
		}
	})
}

func appopsAlert(r record.Record, perm, e map[string]any) record.Finding {
	pkg, name := r.String("package_name"), textField(perm, "name")
	access, ts := textField(e, "access"), textField(e, "timestamp")
	msg := fmt.Sprintf("Package '%s' had risky permission '%s' set to '%s' at %s", pkg, name, access, ts)
	if name != appopsRiskyPermission {
		msg = fmt.Sprintf("Risky package '%s' had '%s' permission set to '%s' at %s", pkg, name, access, ts)
	}
	event := make(map[string]any, len(r.Data))
	for k, v := range r.Data {
		event[k] = v
	}
	event["permissions"] = []any{perm}
	return record.Finding{Severity: record.Medium, Module: r.Module, Message: msg, EventTime: ts, Event: event}
}

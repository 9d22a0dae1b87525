package android

// DumpsysActivities: which activities handle which intents, from the
// "Non-Data Actions" of the Activity Resolver Table in the "package"
// section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// Intent lines are indented 6 spaces and end in ":"; their activities
// follow indented 8 spaces ("<hash> package/activity …"); a blank line
// ends the table.

import (
	"context"
	"strings"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysActivities reads the package section's activity resolver table.
type DumpsysActivities struct{}

// Info implements module.Module.
func (DumpsysActivities) Info() module.Info {
	return module.Info{Name: "dumpsys_activities", Title: "DumpsysActivities", Kinds: dumpstateKinds}
}

// Extract implements module.Module.
func (DumpsysActivities) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	p := &resolverParser{table: "Activity Resolver Table:", emit: func(intent, pkg, activity string) {
		emit(record.Record{Data: map[string]any{"intent": intent, "package_name": pkg, "activity": activity}})
	}}
	return eachDumpsysLine(ctx, src, "package", dumpsys.Ignore, p.line)
}

// resolverParser walks the "Non-Data Actions" of one resolver table of the
// package section (activities or receivers) and emits each component with
// its intent.
type resolverParser struct {
	table string
	// tolerant accepts an intent header at any indentation when it is a
	// single token ending in ":" (MVT's receivers parser does, its
	// activities parser does not).
	tolerant          bool
	inTable, inAction bool
	intent            string
	emit              func(intent, pkg, component string)
	// header is called for each intent header, before its components.
	header func(intent string)
}

func (p *resolverParser) line(line string) error {
	switch {
	case !p.inTable:
		p.inTable = strings.HasPrefix(line, p.table)
		return nil
	case !p.inAction:
		p.inAction = strings.HasPrefix(line, "  Non-Data Actions:")
		return nil
	case strings.TrimSpace(line) == "":
		return dumpsys.ErrStop
	case strings.HasPrefix(line, "      ") && !strings.HasPrefix(line, "        ") && strings.Contains(line, ":"):
		p.setIntent(strings.ReplaceAll(strings.TrimSpace(line), ":", ""))
		return nil
	}
	parts := strings.Split(strings.TrimSpace(line), " ")
	if p.tolerant && len(parts) < 2 {
		if strings.HasSuffix(parts[0], ":") {
			p.setIntent(strings.TrimSuffix(parts[0], ":"))
		}
		return nil
	}
	if p.intent == "" {
		return nil
	}
	if !strings.HasPrefix(line, "        ") {
		p.intent = ""
		return nil
	}
	if len(parts) < 2 { // MVT's activities parser fails here
		return nil
	}
	pkg, _, _ := strings.Cut(parts[1], "/")
	p.emit(p.intent, pkg, parts[1])
	return nil
}

func (p *resolverParser) setIntent(intent string) {
	p.intent = intent
	if p.header != nil {
		p.header(intent)
	}
}

// Observables implements module.Module.
func (DumpsysActivities) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))
}

// Timeline implements module.Module: activities carry no time.
func (DumpsysActivities) Timeline(record.Record) []record.Event { return nil }

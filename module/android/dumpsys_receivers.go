package android

// DumpsysReceivers: which broadcast receivers listen to which intents,
// from the "Non-Data Actions" of the Receiver Resolver Table in the
// "package" section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// Same layout as the activity table (see dumpsys_activities.go); an intent
// header printed at another indentation (seen with 15 spaces) is still
// recognised when it is a single token ending in ":".
//
// MVT's result is one dictionary {intent: [receivers]}; spycheck emits one
// record {intent: {package_name, receiver}} per receiver, the object MVT
// puts in an alert, so each receiver is judged on its own.

import (
	"context"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysReceivers reads the package section's receiver resolver table.
type DumpsysReceivers struct{}

// Info implements module.Module.
func (DumpsysReceivers) Info() module.Info {
	return module.Info{Name: "dumpsys_receivers", Title: "DumpsysReceivers", Kinds: dumpstateKinds}
}

// Extract implements module.Module.
func (DumpsysReceivers) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	p := &resolverParser{table: "Receiver Resolver Table:", tolerant: true, emit: func(intent, pkg, receiver string) {
		emit(record.Record{Data: map[string]any{intent: map[string]any{"package_name": pkg, "receiver": receiver}}})
	}}
	return eachDumpsysLine(ctx, src, "package", dumpsys.Replace, p.line)
}

// receiverOf returns the intent and receiver object of a record.
func receiverOf(r record.Record) (string, map[string]any) {
	for intent, v := range r.Data {
		if m, ok := v.(map[string]any); ok {
			return intent, m
		}
	}
	return "", nil
}

// Observables implements module.Module: the receiver's exact package name.
func (DumpsysReceivers) Observables(r record.Record) []record.Observable {
	_, rec := receiverOf(r)
	pkg, _ := rec["package_name"].(string)
	return module.Observe(record.Critical, record.AppID, "package_name", pkg)
}

// Timeline implements module.Module: receivers carry no time.
func (DumpsysReceivers) Timeline(record.Record) []record.Event { return nil }

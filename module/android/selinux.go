package android

// SELinux: the SELinux mode at acquisition time. MVT does not read it.
//
//   androidqf: selinux.txt (`getenforce`, 2023-07+): "Enforcing",
//   "Permissive" or "Disabled"
//
// One record {status}. A device not enforcing SELinux has had its main
// sandbox switched off, which stock Android never does.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SELinux reads selinux.txt.
type SELinux struct{}

// Info implements module.Module.
func (SELinux) Info() module.Info {
	return module.Info{Name: "selinux", Title: "SELinux", Kinds: androidQF}
}

// Extract implements module.Module.
func (SELinux) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	data, _, err := readRootFile(ctx, src, "selinux.txt")
	if err != nil {
		return err
	}
	emit(record.Record{Data: map[string]any{"status": strings.TrimSpace(string(data))}})
	return nil
}

// Observables implements module.Module: nothing to match.
func (SELinux) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: no time.
func (SELinux) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: a status other than Enforcing
// (an empty file, where getenforce failed, says nothing).
func (SELinux) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		status := r.String("status")
		if status == "" || strings.EqualFold(status, "Enforcing") {
			return
		}
		raise(module.Alert(record.High, r, "", fmt.Sprintf("SELinux is not enforcing (status: %s)", status)))
	})
}

package android

// AQFProcesses: the processes running at acquisition time.
//
//   androidqf: processes.json (collector's /proc walk, 2023-07+ on arm and
//   arm64), processes.txt (`ps -A`, 2023-07+), ps.txt (`ps -A`, 2021 – mid
//   2023). The first of these present is read, in that order.
//
// ps output: a header, then USER PID PPID VSZ RSS WCHAN ADDR S NAME, with
// WCHAN sometimes empty (8 columns) and sometimes a leading SELinux label
// (`ps -Z`). processes.json is an array of {pid, uid, ppid, pgroup, psid,
// filename, priority, state, user_time, kernel_time, path, context,
// previous_context, command_line[], env[], cwd}; its records keep those
// fields and add MVT's proc_name (filename without its parentheses) and
// label (the SELinux context).

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// AQFProcesses reads processes.json, processes.txt or ps.txt.
type AQFProcesses struct{}

// Info implements module.Module.
func (AQFProcesses) Info() module.Info {
	return module.Info{Name: "aqf_processes", Title: "AQFProcesses", Kinds: androidQF}
}

// Extract implements module.Module.
func (AQFProcesses) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	for _, name := range []string{"processes.json", "processes.txt", "ps.txt"} {
		entries, err := src.Find(ctx, rootFile(name))
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			continue
		}
		if name == "processes.json" {
			return extractProcessesJSON(src, entries[0], emit)
		}
		return extractPS(src, entries[0], emit)
	}
	return fmt.Errorf("find processes.json, processes.txt or ps.txt: %w", evidence.ErrNotFound)
}

func extractProcessesJSON(src evidence.Source, e evidence.Entry, emit func(record.Record)) error {
	return eachJSONItem(src, e, func(v any) error {
		p, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("process is %T, not an object", v)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(textField(p, "filename"), "("), ")")
		if args, _ := p["command_line"].([]any); name == "" && len(args) > 0 {
			first, _ := args[0].(string)
			name = path.Base(first)
		}
		p["proc_name"] = name
		p["label"] = textField(p, "context")
		emit(record.Record{Data: p})
		return nil
	})
}

func extractPS(src evidence.Source, e evidence.Entry, emit func(record.Record)) error {
	header := true
	return eachLine(src, e, func(line []byte) error {
		if header {
			header = false
			return nil
		}
		if d := parsePSLine(line); d != nil {
			emit(record.Record{Data: d})
		}
		return nil
	})
}

// parsePSLine reads one row of `ps` output as MVT does; a row it cannot
// read gives nil.
func parsePSLine(line []byte) map[string]any {
	var cols []string
	for _, f := range bytes.Fields(line) {
		cols = append(cols, string(f))
	}
	if len(cols) == 0 {
		return nil
	}
	if len(cols) == 8 {
		cols = insertColumn(cols, 5)
	}
	label := ""
	if strings.HasPrefix(cols[0], "u:r") {
		label, cols = cols[0], cols[1:]
	}
	if len(cols) < 9 {
		cols = insertColumn(cols, 5)
	}
	if len(cols) < 9 {
		return nil
	}
	var nums [4]int64
	for i := range nums {
		n, err := strconv.ParseInt(cols[i+1], 10, 64)
		if err != nil {
			return nil
		}
		nums[i] = n
	}
	return map[string]any{
		"user": cols[0], "pid": nums[0], "ppid": nums[1], "virtual_memory_size": nums[2], "resident_set_size": nums[3],
		"wchan": cols[5], "aprocress": cols[6], "stat": cols[7], "proc_name": strings.Trim(cols[8], "[]"), "label": label,
	}
}

// insertColumn inserts an empty column at i (len(cols) >= i).
func insertColumn(cols []string, i int) []string {
	if len(cols) < i {
		return cols
	}
	return append(cols[:i], append([]string{""}, cols[i:]...)...)
}

// Observables implements module.Module: the process name as an app ID,
// then as a process; for processes.json also the executable path and the
// command line. gatekeeperd is skipped (MVT: false positives).
func (AQFProcesses) Observables(r record.Record) []record.Observable {
	name := r.String("proc_name")
	if name == "" || name == "gatekeeperd" {
		return nil
	}
	out := module.Observe(record.Critical, record.AppID, "proc_name", name)
	out = append(out, module.Observe(record.Critical, record.Process, "proc_name", name)...)
	out = append(out, module.Observe(record.Critical, record.ProcessPath, "path", r.String("path"))...)
	if args := r.Strings("command_line"); len(args) > 0 {
		if strings.HasPrefix(args[0], "/") {
			out = append(out, module.Observe(record.Critical, record.ProcessPath, "command_line", args[0])...)
		} else if app, _, _ := strings.Cut(args[0], ":"); app != name {
			out = append(out, module.Observe(record.Critical, record.AppID, "command_line", app)...)
		}
	}
	return out
}

// Timeline implements module.Module: process lists carry no time.
func (AQFProcesses) Timeline(record.Record) []record.Event { return nil }

package android

// DumpsysPackages: the installed packages, from the "Packages:" list of
// the "package" section of the dumpsys output.
//
//   bug report: the dumpstate file (main_entry.txt, dumpState_*.log)
//   androidqf:  dumpsys.txt
//
// Each package starts at "  Package [name] (…):" and holds "key=value"
// lines (userId, versionName, versionCode, timeStamp,
// installerPackageName, pkgFlags, firstInstallTime per "User N:",
// lastUpdateTime) and permission blocks ("requested permissions:",
// "install permissions:", "declared permissions:", "runtime
// permissions:" per user). Per-user values come from user 0 when present.
// A blank line ends the list.

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// DumpsysPackages reads the package list of the package section.
type DumpsysPackages struct{}

// Info implements module.Module.
func (DumpsysPackages) Info() module.Info {
	return module.Info{Name: "dumpsys_packages", Title: "DumpsysPackages", Kinds: dumpstateKinds}
}

// maxPackageLines bounds the lines kept for one package.
const maxPackageLines = 1 << 16

// Extract implements module.Module: one package's lines are gathered,
// then parsed, when the next package starts.
func (DumpsysPackages) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	p := &packagesParser{emit: emit}
	if err := eachDumpsysLine(ctx, src, "package", dumpsys.Replace, p.line); err != nil {
		return err
	}
	p.flush()
	return nil
}

var packageHeader = regexp.MustCompile(`^  Package \[(.+?)\].*`)

type packagesParser struct {
	emit   func(record.Record)
	inList bool
	named  bool   // a package header has been seen
	name   string // the name of the package being gathered ("" if its header had none)
	lines  []string
}

func (p *packagesParser) line(line string) error {
	switch {
	case !p.inList:
		p.inList = strings.HasPrefix(line, "Packages:")
		return nil
	case strings.TrimSpace(line) == "":
		return dumpsys.ErrStop
	case strings.HasPrefix(line, "  Package ["):
		p.flush()
		p.name = ""
		if m := packageHeader.FindStringSubmatch(line); m != nil {
			p.name, p.named = m[1], true
		}
	case p.named && len(p.lines) < maxPackageLines:
		p.lines = append(p.lines, line)
	}
	return nil
}

func (p *packagesParser) flush() {
	if len(p.lines) == 0 {
		return
	}
	d := packageDetails(p.lines)
	if p.name != "" {
		d["package_name"] = p.name
	}
	p.emit(record.Record{Data: d})
	p.lines = nil
}

var packageUser = regexp.MustCompile(`^User (\d+):`)

// packageBlocks tracks which permission blocks a line may belong to.
type packageBlocks struct{ install, runtime, declared, requested bool }

// packageDetails parses the lines of one package.
func packageDetails(lines []string) map[string]any {
	d := map[string]any{"uid": "", "version_name": "", "version_code": "", "timestamp": "", "first_install_time": "",
		"last_update_time": "", "installer": "", "system": false}
	var perms []any
	requested := []any{}
	in := packageBlocks{requested: true}
	user, users := "", []string{} // "" is MVT's None: no "User N:" seen yet
	firstInstall := map[string]string{}
	runtime := map[string][]any{}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if m := packageUser.FindStringSubmatch(t); m != nil {
			user = strconv.Itoa(atoiSafe(m[1]))
			users = appendNew(users, user)
		}
		if in.install {
			if strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "      ") {
				in.install = false
			} else {
				perms = append(perms, packagePermission(t, "install"))
			}
		}
		if in.runtime {
			if !strings.HasPrefix(line, "        ") {
				in.runtime = false
			} else {
				runtime[user] = append(runtime[user], packagePermission(t, "runtime"))
			}
		}
		if in.declared {
			if !strings.HasPrefix(line, "      ") {
				in.declared = false
			} else {
				name, _, _ := strings.Cut(t, ":")
				perms = append(perms, map[string]any{"name": name, "type": "declared"})
			}
		}
		if in.requested {
			if !strings.HasPrefix(line, "      ") {
				in.requested = false
			} else {
				requested = append(requested, t)
			}
		}
		packageField(d, line, t, user, firstInstall, &in)
	}
	d["first_install_time"] = perUser(firstInstall, users, "")
	perms = append(perms, perUser(runtime, users, nil)...)
	if perms == nil {
		perms = []any{}
	}
	d["permissions"], d["requested_permissions"] = perms, requested
	return d
}

// packageField reads the key=value line or block header t.
func packageField(d map[string]any, line, t, user string, firstInstall map[string]string, in *packageBlocks) {
	first := func() string {
		_, v, _ := strings.Cut(line, "=")
		v, _, _ = strings.Cut(v, "=")
		return strings.TrimSpace(v)
	}
	rest := func() string { _, v, _ := strings.Cut(line, "="); return strings.TrimSpace(v) }
	switch {
	case strings.HasPrefix(t, "userId="):
		d["uid"] = first()
	case strings.HasPrefix(t, "versionName="):
		d["version_name"] = first()
	case strings.HasPrefix(t, "versionCode="):
		d["version_code"] = rest()
	case strings.HasPrefix(t, "timeStamp="):
		d["timestamp"] = first()
	case strings.HasPrefix(t, "installerPackageName="):
		d["installer"] = rest()
	case strings.HasPrefix(t, "pkgFlags="):
		d["system"] = false
		for _, f := range strings.Fields(rest()) {
			if f == "SYSTEM" {
				d["system"] = true
			}
		}
	case strings.HasPrefix(t, "firstInstallTime="):
		firstInstall[user] = rest()
	case strings.HasPrefix(t, "lastUpdateTime="):
		d["last_update_time"] = first()
	case t == "install permissions:":
		in.install = true
	case t == "runtime permissions:":
		in.runtime = true
	case t == "declared permissions:":
		in.declared = true
	case t == "requested permissions:":
		in.requested = true
	}
}

// packagePermission reads "name: granted=true, flags=[…]".
func packagePermission(t, kind string) map[string]any {
	parts := strings.Split(t, ":")
	var granted any
	if len(parts) > 1 && strings.Contains(parts[1], "granted=") {
		granted = strings.Contains(parts[1], "granted=true")
	}
	return map[string]any{"name": parts[0], "granted": granted, "type": kind}
}

// perUser picks user 0's value, else the value seen before any "User N:"
// line, else the first user's.
func perUser[V any](byUser map[string]V, users []string, none V) V {
	for _, u := range []string{"0", ""} {
		if v, ok := byUser[u]; ok {
			return v
		}
	}
	for _, u := range users {
		if v, ok := byUser[u]; ok {
			return v
		}
	}
	return none
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// atoiSafe converts a run of digits; too large values give -1.
func atoiSafe(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// Observables implements module.Module. Root packages are judged by the
// heuristic only, as in MVT.
func (DumpsysPackages) Observables(r record.Record) []record.Observable {
	if rootPackages[r.String("package_name")] {
		return nil
	}
	return module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))
}

// Timeline implements module.Module: install, first install and last
// update times.
func (m DumpsysPackages) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("Install or update of package %s", r.String("package_name"))
	var out []record.Event
	for _, ev := range [][2]string{{"package_install", "timestamp"}, {"package_first_install", "first_install_time"},
		{"package_last_update", "last_update_time"}} {
		out = append(out, module.Event(m.Info().Title, r.String(ev[1]), ev[0], data)...)
	}
	return out
}

// NewInspector implements module.Heuristic: a rooting package (MEDIUM,
// once per name).
func (DumpsysPackages) NewInspector() module.Inspector {
	seen := map[string]bool{}
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		name := r.String("package_name")
		if !rootPackages[name] || seen[name] {
			return
		}
		seen[name] = true
		raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Found an installed package related to rooting/jailbreaking: \"%s\"", name)))
	})
}

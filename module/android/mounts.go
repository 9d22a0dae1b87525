package android

// Mounts: the device's mounted filesystems.
//
//   androidqf: mounts.json (v1.8+, 2025-10: `mount` and /proc/mounts lines,
//   de-duplicated, as a JSON array of strings)
//
// MVT reads the `mount` form "device on /point type fs (options)" only; the
// /proc/mounts form "device /point fs options 0 0" is read as well here,
// and an entry seen in both forms is kept once.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Mounts reads mounts.json.
type Mounts struct{}

// Info implements module.Module.
func (Mounts) Info() module.Info {
	return module.Info{Name: "mounts", Title: "Mounts", Kinds: androidQF}
}

// systemMountPoints are the partitions MVT watches (also as prefixes).
var systemMountPoints = []string{"/system", "/vendor", "/product", "/system_ext"}

// suspiciousMountOptions are the options MVT flags on a system partition,
// and noatimeAllowed the mount points where noatime is normal.
var (
	suspiciousMountOptions = map[string]bool{"rw": true, "remount": true, "noatime": true, "nodiratime": true}
	noatimeAllowed         = map[string]bool{"/system_dlkm": true, "/system_ext": true, "/product": true, "/vendor": true, "/vendor_dlkm": true}
)

// Extract implements module.Module.
func (Mounts) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, rootFile("mounts.json"))
	if err != nil {
		return fmt.Errorf("find mounts.json: %w", err)
	}
	seen := map[string]bool{}
	return eachJSONItem(src, e, func(v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("mount line is %T, not a string", v)
		}
		for _, line := range strings.Split(s, "\n") {
			m := parseMountLine(strings.TrimSpace(line))
			if m == nil {
				continue
			}
			key := fmt.Sprint(m["device"], "\x00", m["mount_point"], "\x00", m["filesystem_type"], "\x00", m["mount_options"])
			if !seen[key] {
				seen[key] = true
				emit(record.Record{Data: m})
			}
		}
		return nil
	})
}

// parseMountLine reads a `mount` or /proc/mounts line; other lines give nil.
func parseMountLine(line string) map[string]any {
	var device, point, fs, opts string
	if dev, rest, ok := strings.Cut(line, " on "); ok && strings.Contains(rest, " type ") {
		var fsPart string
		point, fsPart, _ = strings.Cut(rest, " type ")
		device, point, fsPart = strings.TrimSpace(dev), strings.TrimSpace(point), strings.TrimSpace(fsPart)
		fs = fsPart
		if i := strings.Index(fsPart, "("); i >= 0 && strings.HasSuffix(fsPart, ")") {
			fs, opts = strings.TrimSpace(fsPart[:i]), strings.TrimSpace(fsPart[i+1:len(fsPart)-1])
		}
	} else if f := strings.Fields(line); len(f) == 6 && isDigits(f[4]) && isDigits(f[5]) {
		device, point, fs, opts = f[0], f[1], f[2], f[3]
	}
	if device == "" || point == "" || fs == "" {
		return nil
	}
	options := []string{}
	for _, o := range strings.Split(opts, ",") {
		if o = strings.TrimSpace(o); o != "" {
			options = append(options, o)
		}
	}
	system := false
	for _, sp := range systemMountPoints {
		system = system || strings.HasPrefix(point, sp)
	}
	rw := false
	for _, o := range options {
		rw = rw || o == "rw"
	}
	return map[string]any{"device": device, "mount_point": point, "filesystem_type": fs, "mount_options": opts,
		"options_list": options, "is_system_partition": system, "is_read_write": rw}
}

// Observables implements module.Module: the mount point, then the device.
func (Mounts) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.FilePath, "mount_point", r.String("mount_point"), r.String("device"))
}

// Timeline implements module.Module: mounts carry no time.
func (Mounts) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: a system partition mounted
// read-write (HIGH), and suspicious options on a system partition (MEDIUM).
func (Mounts) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		point := r.String("mount_point")
		system := r.Data["is_system_partition"] == true
		if system && r.Data["is_read_write"] == true {
			msg := fmt.Sprintf("System partition %s is mounted as read-write (rw). This may indicate system modifications.", point)
			if point == "/system" {
				msg = "Root detected /system partition is mounted as read-write (rw)"
			}
			raise(module.Alert(record.High, r, "", msg))
		}
		var suspicious []string
		for _, o := range r.Strings("options_list") {
			if suspiciousMountOptions[o] {
				suspicious = append(suspicious, o)
			}
		}
		if !system || len(suspicious) == 0 || strings.Contains(r.String("mount_options"), "noatime") && noatimeAllowed[point] {
			return
		}
		raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Suspicious mount options found for %s: %s", point, strings.Join(suspicious, ", "))))
	})
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

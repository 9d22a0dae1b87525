package android

// Intrusion logs (Android 16 Advanced Protection "intrusion logging"):
// newline-delimited JSON, one event per line as {"<event type>": {...}},
// in every *.txt and *.json file of the acquisition (any folder depth;
// zips inside are the source's concern). Event types: dns_event and
// connect_event (event_time in milliseconds) and security_event
// (event_time in nanoseconds; one SecurityLog tag per event).
//
// All files are read in path order; an event identical (same fields and
// values) to one already seen, in any file, is dropped; lines that are not
// JSON objects are skipped. Times are Unix instants shown as wall-clock
// time in the device's zone (persist.sys.timezone of a getprop.txt at the
// root), else UTC. What is skipped or unknown is summed up by
// [ReadIntrusionLogReport], for the caller to report once.
//
// This file also holds the DNS events module.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// intrusionLogs is for modules that read intrusion logs.
var intrusionLogs = []evidence.Kind{evidence.IntrusionLogs}

// Intrusion log event types MVT knows.
const (
	dnsEventType      = "dns_event"
	connectEventType  = "connect_event"
	securityEventType = "security_event"
)

// IntrusionLogReport sums up what reading intrusion logs met besides the
// events the modules use.
type IntrusionLogReport struct {
	Files, Events, Duplicates, BadLines int
	// UnknownTypes counts events of top-level types MVT does not know.
	UnknownTypes map[string]int
	// UnknownSecurityTags counts security events whose tag is not one of
	// the 46 SecurityLog tags MVT knows.
	UnknownSecurityTags map[string]int
}

// Warnings says, once each, what an analyst should know (MVT's wording
// for unknown types).
func (r IntrusionLogReport) Warnings() []string {
	var out []string
	if len(r.UnknownTypes) > 0 {
		out = append(out, fmt.Sprintf("Found unknown intrusion logging event type(s): %s. Please open an issue on GitHub so MVT can add support for them.",
			strings.Join(slices.Sorted(maps.Keys(r.UnknownTypes)), ", ")))
	}
	if len(r.UnknownSecurityTags) > 0 {
		out = append(out, fmt.Sprintf("Found unknown intrusion logging security event type(s): %s. Please open an issue on GitHub so MVT can add support for them.",
			strings.Join(slices.Sorted(maps.Keys(r.UnknownSecurityTags)), ", ")))
	}
	if r.BadLines > 0 {
		out = append(out, fmt.Sprintf("Skipped %d intrusion log line(s) that are not JSON objects", r.BadLines))
	}
	return out
}

// ReadIntrusionLogReport reads the intrusion logs of src once and sums up
// what the modules skip.
func ReadIntrusionLogReport(ctx context.Context, src evidence.Source) (IntrusionLogReport, error) {
	r := IntrusionLogReport{UnknownTypes: map[string]int{}, UnknownSecurityTags: map[string]int{}}
	rep, err := scanIntrusionLogs(ctx, src, func(typ string, ev map[string]any) {
		switch typ {
		case dnsEventType, connectEventType:
		case securityEventType:
			if tag := securityTag(ev); tag != "" && !knownSecurityTag(tag) {
				r.UnknownSecurityTags[tag]++
			}
		default:
			r.UnknownTypes[typ]++
		}
	})
	r.Files, r.Events, r.Duplicates, r.BadLines = rep.Files, rep.Events, rep.Duplicates, rep.BadLines
	return r, err
}

// intrusionLogFiles lists the *.txt and *.json files at any depth.
func intrusionLogFiles(ctx context.Context, src evidence.Source) ([]evidence.Entry, error) {
	globs := make([]string, 0, maxTreeDepth)
	for p := "*"; len(globs) < maxTreeDepth; p += "/*" {
		globs = append(globs, p)
	}
	all, err := src.Find(ctx, evidence.Query{DevicePaths: globs})
	if err != nil {
		return nil, err
	}
	var out []evidence.Entry
	for _, e := range all {
		switch strings.ToLower(path.Ext(e.DevicePath)) {
		case ".txt", ".json":
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("find intrusion log files (*.txt, *.json): %w", evidence.ErrNotFound)
	}
	return out, nil
}

// scanIntrusionLogs calls fn with every distinct event, in file and line
// order, with its top-level type.
func scanIntrusionLogs(ctx context.Context, src evidence.Source, fn func(typ string, ev map[string]any)) (IntrusionLogReport, error) {
	files, err := intrusionLogFiles(ctx, src)
	if err != nil {
		return IntrusionLogReport{}, err
	}
	rep := IntrusionLogReport{Files: len(files)}
	seen := map[[32]byte]struct{}{}
	for _, e := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		err := eachLine(src, e, func(line []byte) error {
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				return nil
			}
			err := decodeIntrusionLine(line, func(typ string, ev map[string]any) {
				fp, _ := json.Marshal(ev) // map keys sorted: MVT's fingerprint
				key := sha256.Sum256(fp)
				if _, dup := seen[key]; dup {
					rep.Duplicates++
					return
				}
				seen[key] = struct{}{}
				rep.Events++
				fn(typ, ev)
			})
			if err != nil {
				rep.BadLines++
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// decodeIntrusionLine calls fn for each object-valued member of the JSON
// object on line, in document order.
func decodeIntrusionLine(line []byte, fn func(typ string, ev map[string]any)) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	type member struct {
		typ string
		ev  map[string]any
	}
	var members []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if ev, ok := plainJSON(v).(map[string]any); ok {
			members = append(members, member{tok.(string), ev})
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	for _, m := range members {
		fn(m.typ, m.ev)
	}
	return nil
}

// extractIntrusionEvents emits the events of one type, each with its
// "timestamp" (event_time divided by unit to get seconds; null without).
func extractIntrusionEvents(ctx context.Context, src evidence.Source, typ string, unit float64, emit func(record.Record)) error {
	loc, err := deviceLocation(ctx, src)
	if err != nil {
		return err
	}
	_, err = scanIntrusionLogs(ctx, src, func(t string, ev map[string]any) {
		if t == typ {
			ev["timestamp"] = intrusionTime(ev["event_time"], unit, loc)
			emit(record.Record{Data: ev})
		}
	})
	return err
}

func intrusionTime(v any, unit float64, loc *time.Location) any {
	n, ok := record.Num(v)
	if !ok || n == 0 {
		return nil
	}
	return localTime(n/unit, loc)
}

// DnsEvent reads the DNS lookups of intrusion logs.
type DnsEvent struct{}

// Info implements module.Module.
func (DnsEvent) Info() module.Info {
	return module.Info{Name: "dns_event", Title: "DnsEvent", Kinds: intrusionLogs, TimeField: "timestamp"}
}

// Extract implements module.Module.
func (DnsEvent) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return extractIntrusionEvents(ctx, src, dnsEventType, 1e3, emit)
}

// dnsAddresses lists the resolved addresses, leading "/" removed and
// 0.0.0.0 left out.
func dnsAddresses(r record.Record) []string {
	list, _ := r.Data["ip_addresses"].([]any)
	var out []string
	for _, v := range list {
		ip := strings.TrimLeft(intrusionText(v), "/")
		if ip != "" && ip != "0.0.0.0" {
			out = append(out, ip)
		}
	}
	return out
}

// Observables implements module.Module: the host name, the resolved
// addresses, the app.
func (DnsEvent) Observables(r record.Record) []record.Observable {
	out := module.Observe(record.Critical, record.URL, "hostname", r.String("hostname"))
	out = append(out, module.Observe(record.Critical, record.URL, "ip_addresses", dnsAddresses(r)...)...)
	return append(out, module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))...)
}

// Timeline implements module.Module.
func (DnsEvent) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("DNS query for %s by %s", r.String("hostname"), r.String("package_name"))
	if ips := dnsAddresses(r); len(ips) > 0 {
		data += " [IPs: " + strings.Join(ips, ", ") + "]"
	}
	return module.Event("DnsEvent", r.String("timestamp"), "dns_query", data)
}

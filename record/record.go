// Package record holds the plain data that flows through spycheck: the
// records a module extracts from an artifact, the typed observables those
// records carry, timeline events, and the findings the checker raises.
//
// It is a leaf package: it imports nothing of ours, so modules, the
// indicator index, the checker and the report writers can all share it.
//
// A record's Data is the module's own output, keyed by MVT's field names so
// the per-module JSON files stay compatible with MVT's. Values are plain JSON
// values (string, float64/int64, bool, nil, []any, map[string]any) so that a
// record read back from a results folder is the same as one freshly
// extracted, and re-checking saved results runs the same code.
package record

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Severity of a finding. The numbers are MVT's alert levels.
type Severity int

// Severities, from least to most severe.
const (
	Info     Severity = 0
	Low      Severity = 10
	Medium   Severity = 20
	High     Severity = 30
	Critical Severity = 40
)

var severityNames = map[Severity]string{
	Info: "INFORMATIONAL", Low: "LOW", Medium: "MEDIUM", High: "HIGH", Critical: "CRITICAL",
}

// String returns MVT's level name ("CRITICAL", "INFORMATIONAL", ...).
func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("LEVEL(%d)", int(s))
}

// ParseSeverity accepts MVT's level names and the short forms info, low,
// medium, high, critical (any case).
func ParseSeverity(s string) (Severity, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if u == "INFO" {
		return Info, nil
	}
	for sev, name := range severityNames {
		if name == u {
			return sev, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
}

// MarshalJSON writes the level name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a level name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	v, err := ParseSeverity(name)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Kind is the type of an observable value.
type Kind string

// Observable kinds. Each is looked up in its own part of the indicator index.
const (
	URL             Kind = "url"              // a full URL or a bare domain; matched on URL, domain and registrable domain
	Email           Kind = "email"            // an e-mail address
	Process         Kind = "process"          // a process name (basename taken, 16-char truncation rule)
	ProcessPath     Kind = "process_path"     // a path whose components are compared with process names
	FilePath        Kind = "file_path"        // an absolute device path: basename vs file:name, prefix vs file:path
	AppID           Kind = "app_id"           // an app bundle id or Android package name
	CertHash        Kind = "cert_hash"        // an app signing certificate hash
	FileHash        Kind = "file_hash"        // a file's MD5/SHA-1/SHA-256
	ProfileUUID     Kind = "profile_uuid"     // an iOS configuration profile UUID
	AndroidProperty Kind = "android_property" // an Android system property name
)

// Observable is one value of a record worth matching against indicators.
type Observable struct {
	Kind  Kind
	Value string
	// Field names the record field the value came from, for the finding's message.
	Field string
	// Severity of a finding when this value matches an indicator.
	Severity Severity
}

// Event is one timeline row.
type Event struct {
	Timestamp string `json:"timestamp"`
	Module    string `json:"module"`
	Event     string `json:"event"`
	Data      string `json:"data"`
}

// Record is one item a module extracted.
type Record struct {
	// Module is the module's result name (MVT's slug, e.g. "sms").
	Module string
	// Data holds the module's fields under MVT's names.
	Data map[string]any
}

// Indicator is the published indicator a value matched.
type Indicator struct {
	Value string `json:"value"`
	Type  string `json:"type"`
	// Name is the malware or report (campaign) the indicator belongs to.
	Name string `json:"name"`
	// File is the indicator file's base name.
	File string `json:"stix2_file_name"`
}

// Finding is one alert: an indicator match or a heuristic.
type Finding struct {
	Severity  Severity       `json:"level"`
	Module    string         `json:"module"`
	Message   string         `json:"message"`
	EventTime string         `json:"event_time"`
	Event     map[string]any `json:"event"`
	Indicator *Indicator     `json:"matched_indicator"`
}

// String reads a string field; missing or non-string values give "".
func (r Record) String(key string) string {
	s, _ := r.Data[key].(string)
	return s
}

// Number reads a numeric field (int64, int, float64 or a numeric string).
func (r Record) Number(key string) (float64, bool) {
	return Num(r.Data[key])
}

// Num converts a JSON-ish numeric value to float64.
func Num(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// Strings reads a field holding a list of strings.
func (r Record) Strings(key string) []string {
	switch v := r.Data[key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Truthy is Python's truth value of a plain value, as MVT tests record
// fields: nil, false, zero, "" and empty lists and maps are false.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case []any:
		return len(x) > 0
	case []string:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	if f, ok := Num(v); ok {
		return f != 0
	}
	return true
}

package workload

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
)

// stixObject is the union of the STIX 2.1 objects written here.
type stixObject struct {
	Type             string `json:"type"`
	SpecVersion      string `json:"spec_version"`
	ID               string `json:"id"`
	Created          string `json:"created"`
	Modified         string `json:"modified"`
	Name             string `json:"name,omitempty"`
	Description      string `json:"description,omitempty"`
	IsFamily         *bool  `json:"is_family,omitempty"`
	Pattern          string `json:"pattern,omitempty"`
	PatternType      string `json:"pattern_type,omitempty"`
	ValidFrom        string `json:"valid_from,omitempty"`
	RelationshipType string `json:"relationship_type,omitempty"`
	SourceRef        string `json:"source_ref,omitempty"`
	TargetRef        string `json:"target_ref,omitempty"`
}

const stixTime = "2024-03-01T00:00:00.000Z"

// WriteIndicators writes a STIX2 bundle of n indicators (as a workload's
// indicators.stix2) to path.
func WriteIndicators(path string, n int, seed uint64) error {
	if n < minIndicators {
		return fmt.Errorf("workload: at least %d indicators", minIndicators)
	}
	return writeSTIX(path, makeIndicators(n, seed), seed)
}

// writeSTIX writes the indicators as a bundle: two fictional malware
// families, one indicator per value and one "indicates" relationship
// from each indicator to its family, as Amnesty's bundles are laid out.
func writeSTIX(path string, ind *indicatorSet, seed uint64) error {
	r := newRand(seed, streamSTIX)
	yes := true
	families := []stixObject{
		{Type: "malware", SpecVersion: "2.1", ID: "malware--" + uuid(r), Created: stixTime, Modified: stixTime,
			Name: "KestrelSpy", Description: "Fictional mercenary spyware (spycheck benchmark)", IsFamily: &yes},
		{Type: "malware", SpecVersion: "2.1", ID: "malware--" + uuid(r), Created: stixTime, Modified: stixTime,
			Name: "Nightjar", Description: "Fictional stalkerware (spycheck benchmark)", IsFamily: &yes},
	}
	objs := append([]stixObject{}, families...)
	add := func(i int, pattern string) {
		id := "indicator--" + uuid(r)
		objs = append(objs,
			stixObject{Type: "indicator", SpecVersion: "2.1", ID: id, Created: stixTime, Modified: stixTime,
				Pattern: pattern, PatternType: "stix", ValidFrom: "2024-03-01T00:00:00Z"},
			stixObject{Type: "relationship", SpecVersion: "2.1", ID: "relationship--" + uuid(r), Created: stixTime, Modified: stixTime,
				RelationshipType: "indicates", SourceRef: id, TargetRef: families[i%len(families)].ID})
	}
	for i, d := range ind.domains {
		add(i, "[domain-name:value='"+d+"']")
	}
	for i, p := range ind.processes {
		add(i, "[process:name='"+p+"']")
	}
	data, err := json.MarshalIndent(map[string]any{"type": "bundle", "id": "bundle--" + uuid(r), "objects": objs}, "", "    ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// uuid is a random (version 4) UUID in lower case, as STIX ids use.
func uuid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|b>>48&0x3fff, b&0xffffffffffff)
}

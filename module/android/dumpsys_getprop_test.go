package android

import (
	"testing"
	"time"

	"github.com/spycheck/spycheck/record"
)

func TestDumpsysGetProp(t *testing.T) {
	text := "[not.a.prop]: [before]\n------ SYSTEM PROPERTIES (getprop) ------\n[ro.build.version.security_patch]: [2020-01-05]\n" +
		"[persist.sys.timezone]: [Europe/Rome]\n[empty.value]: []\n" +
		"------ 0.03s was the duration of 'SYSTEM PROPERTIES' ------\n[ro.late]: [x]\n------\n[after.end]: [y]\n"
	recs := extractOK(t, DumpsysGetProp{}, dumpstateSource(t, text))
	var names []string
	for _, r := range recs {
		names = append(names, r.String("name"))
	}
	if len(recs) != 3 || names[0] != "ro.build.version.security_patch" || names[2] != "ro.late" {
		t.Fatalf("names = %q", names)
	}
	obs := DumpsysGetProp{}.Observables(recs[1])
	if len(obs) != 1 || obs[0].Kind != record.AndroidProperty || obs[0].Value != "persist.sys.timezone" {
		t.Errorf("observables = %+v", obs)
	}
	m := DumpsysGetProp{now: func() time.Time { return time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC) }}
	f := aqfFindings(m, recs)
	if len(f) != 1 || f[0].Severity != record.Medium ||
		f[0].Message != "This phone has not received security updates for more than six months (last update: 2020-01-05)." {
		t.Errorf("findings = %+v", f)
	}
	recent := DumpsysGetProp{now: func() time.Time { return time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC) }}
	if f := aqfFindings(recent, recs); len(f) != 0 {
		t.Errorf("recent patch: findings = %+v", f)
	}
}

func TestDumpsysGetPropConformance(t *testing.T) {
	if recs := extractOK(t, DumpsysGetProp{}, sharedBugreport(t)); len(recs) != 0 {
		t.Errorf("got %d records, MVT gives 0", len(recs))
	}
}

package ios

import (
	"errors"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

const idStatusCachePath = "Library/Preferences/com.apple.identityservices.idstatuscache.plist"

// idStatusCacheXML lists services and handles out of sorted order, so the
// test shows file order is kept.
const idStatusCacheXML = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
	<key>com.apple.madrid</key><dict>
		<key>tel:+15555550100</key><dict><key>IDStatus</key><integer>1</integer><key>LookupDate</key><real>626290000.5</real></dict>
		<key>mailto:'victim@example.org'</key><dict><key>IDStatus</key><integer>2</integer><key>LookupDate</key><real>626290100</real></dict>
		<key>mailto:other@example.org</key><dict><key>IDStatus</key><integer>1</integer><key>LookupDate</key><real>626290200</real></dict>
		<key>tel:+15555550199</key><dict><key>IDStatus</key><integer>1</integer></dict>
		<key>tel:+15555550198</key><string>not a look-up</string>
	</dict>
	<key>com.apple.ess</key><dict>
		<key>tel:+15555550100</key><dict><key>IDStatus</key><integer>1</integer><key>LookupDate</key><real>0</real></dict>
	</dict>
	<key>Version</key><integer>3</integer>
</dict></plist>`

func TestIDStatusCache(t *testing.T) {
	recs, err := testkit.Extract(t, IDStatusCache{}, backupWith(t, "HomeDomain", idStatusCachePath, []byte(idStatusCacheXML)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		n, _ := r.Number("occurrences")
		got = append(got, r.String("package")+"|"+r.String("user")+"|"+r.String("isodate")+"|"+pyText(r.Data["idstatus"])+"|"+pyText(n))
	}
	want := []string{
		"com.apple.madrid|tel:+15555550100|2020-11-05 17:26:40.500000|1|2.0",
		"com.apple.madrid|mailto:'victim@example.org'|2020-11-05 17:28:20.000000|2|1.0",
		"com.apple.madrid|mailto:other@example.org|2020-11-05 17:30:00.000000|1|1.0",
		"com.apple.ess|tel:+15555550100||1|2.0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if obs := (IDStatusCache{}).Observables(recs[0]); len(obs) != 0 {
		t.Errorf("tel: observables = %+v", obs)
	}
	obs := IDStatusCache{}.Observables(recs[1])
	if len(obs) != 1 || obs[0].Kind != record.Email || obs[0].Value != "victim@example.org" || obs[0].Severity != record.Critical {
		t.Errorf("mailto: observables = %+v", obs)
	}
	ev := timeline(IDStatusCache{}, recs)
	if len(ev) != 3 || ev[0].Event != "lookup" || ev[0].Data != "Lookup of tel:+15555550100 within com.apple.madrid (Status 1)" {
		t.Errorf("timeline = %+v", ev)
	}
	if f := inspect(IDStatusCache{}, recs); len(f) != 0 {
		t.Errorf("findings = %+v, want none", f)
	}
}

func TestIDStatusCacheNULHeuristic(t *testing.T) {
	recs, err := testkit.Extract(t, IDStatusCache{}, backupWith(t, "HomeDomain", idStatusCachePath, testkit.Plist(t, map[string]any{"com.apple.madrid": map[string]any{
		"mailto:bad\x00\x00@example.org": map[string]any{"IDStatus": 1, "LookupDate": 626290000.0},
		"mailto:one\x00nul@example.org":  map[string]any{"IDStatus": 1, "LookupDate": 626290000.0},
	}})))
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %v, err %v", recs, err)
	}
	f := inspect(IDStatusCache{}, recs)
	if len(f) != 1 || f[0].Severity != record.High ||
		f[0].Message != `Found an ID Status Cache entry with suspicious patterns: mailto:bad\x00\x00@example.org` {
		t.Errorf("findings = %+v", f)
	}
}

func TestIDStatusCacheFSDumpBothPaths(t *testing.T) {
	data := testkit.Plist(t, map[string]any{"com.apple.madrid": map[string]any{
		"tel:+15555550100": map[string]any{"IDStatus": 1, "LookupDate": 626290000.0},
	}})
	dump := testkit.NewSource(t, evidence.IOSFS, map[string][]byte{
		"private/var/mobile/" + idStatusCachePath:                         data,
		"private/var/mobile/Library/IdentityServices/idstatuscache.plist": data,
	})
	recs, err := testkit.Extract(t, IDStatusCache{}, dump)
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %v, err %v", recs, err)
	}
	// Occurrences are counted per file, as MVT does.
	if n, _ := recs[1].Number("occurrences"); n != 1 {
		t.Errorf("occurrences = %v", n)
	}
}

func TestIDStatusCacheConformance(t *testing.T) {
	recs, err := testkit.Extract(t, IDStatusCache{}, sharedBackup(t))
	// The backup lists the plist but does not hold it: MVT finds nothing.
	if !errors.Is(err, evidence.ErrNotFound) || len(recs) != 0 {
		t.Errorf("got %d records, err %v; want none, not found", len(recs), err)
	}
}

func TestIDStatusCacheCorrupt(t *testing.T) {
	for _, data := range map[string][]byte{
		"garbage":  []byte("bplist00 garbage garbage garbage garbage"),
		"top list": testkit.Plist(t, []any{"a", "b"}),
	} {
		assertCorrupt(t, IDStatusCache{}, "HomeDomain", idStatusCachePath, data, idStatusCachePath)
	}
}

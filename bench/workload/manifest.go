package workload

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"howett.net/plist"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/fixture"
)

// mbFile is a Manifest.db "file" blob: an NSKeyedArchiver archive whose
// $top.root is an MBFile, as iOS 10+ backups store them.
func mbFile(rel string, size int64, mode int, r *rand.Rand) ([]byte, error) {
	birth := int64(startUnix) + r.Int64N(365*86400)
	modified := birth + r.Int64N(30*86400)
	changed := modified
	if r.IntN(4) == 0 {
		changed += r.Int64N(86400)
	}
	return fixture.Plist(map[string]any{
		"$archiver": "NSKeyedArchiver", "$version": 100000,
		"$top": map[string]any{"root": plist.UID(1)},
		"$objects": []any{"$null",
			map[string]any{"$class": plist.UID(3), "Birth": birth, "LastModified": modified, "LastStatusChange": changed,
				"Mode": mode, "UserID": 501, "GroupID": 501, "Size": size, "InodeNumber": 100000 + r.Int64N(1<<24),
				"ProtectionClass": 3, "Flags": 0, "RelativePath": plist.UID(2)},
			rel,
			map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}},
		},
	})
}

// manifestDomains are backup domains; %s is filled with an app id.
var manifestDomains = []string{"HomeDomain", "MediaDomain", "CameraRollDomain", "RootDomain",
	"AppDomain-com.%s", "AppDomain-com.%s", "AppDomain-com.%s", "AppDomainGroup-group.com.%s",
	"AppDomainPlugin-com.%s.widget", "SysSharedContainerDomain-systemgroup.com.apple.%s"}

// writeManifest adds rows to the Manifest.db that fixture.Backup.Finish
// wrote, until it lists the workload's count: files and folders of app
// containers, camera roll, caches and web storage (named after benign
// sites), with the planted web-storage file among them, then the
// indexes iOS creates.
func writeManifest(path string, cfg Config, p *planted, counts *Counts) error {
	r := newRand(cfg.Seed, streamManifest)
	d, err := beginDB(path)
	if err != nil {
		return err
	}
	have, err := sqlitex.ResultInt(d.conn.Prep("SELECT count(*) FROM Files"))
	if err != nil {
		d.conn.Close()
		return err
	}
	n := max(cfg.rows(ManifestPerScale)-have, 1)
	at := spread(n, 1)
	for i := range n {
		domain, rel, mode, size, flags := manifestRow(r, i)
		if i == at(0) {
			domain, rel, mode, size, flags = "HomeDomain", p.manifestPath, 0o100644, 4096, 1
		}
		meta, err := mbFile(rel, size, mode, r)
		if err != nil {
			return err
		}
		d.insert("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", iosbackup.FileID(domain, rel), domain, rel, flags, meta)
	}
	for _, idx := range []string{"CREATE INDEX FilesDomainIdx ON Files(domain)",
		"CREATE INDEX FilesRelativePathIdx ON Files(relativePath)", "CREATE INDEX FilesFlagsIdx ON Files(flags)"} {
		d.insert(idx)
	}
	counts.Manifest = have + n
	return d.close()
}

// manifestRow is the i-th synthetic row: a folder (flags 2) one time in
// seven, else a file (flags 1).
func manifestRow(r *rand.Rand, i int) (domain, rel string, mode int, size int64, flags int) {
	domain = pick(r, manifestDomains)
	if strings.Contains(domain, "%s") {
		domain = fmt.Sprintf(domain, pick(r, words)+"."+pick(r, words)+pick(r, words))
	}
	if i%7 == 0 {
		return domain, fmt.Sprintf("Library/Caches/%s%d", pick(r, words), i), 0o40755, 0, 2
	}
	size = r.Int64N(1 << 20)
	switch r.IntN(6) {
	case 0:
		rel = fmt.Sprintf("Media/DCIM/%dAPPLE/IMG_%04d.HEIC", 100+i/10000, i%10000)
	case 1:
		rel = fmt.Sprintf("Library/WebKit/WebsiteData/LocalStorage/https_%s_%d.localstorage", benignHost(r), i)
	case 2:
		rel = fmt.Sprintf("Library/Caches/%s/fsCachedData/%s", pick(r, words), guid(r))
	case 3:
		rel = fmt.Sprintf("Library/Preferences/com.%s.%s%d.plist", pick(r, words), pick(r, words), i)
	case 4:
		rel = fmt.Sprintf("Documents/%s%d.json", pick(r, words), i)
	default:
		rel = fmt.Sprintf("Library/Application Support/%s/%s%d.sqlite", title(pick(r, words)), pick(r, words), i)
	}
	return domain, rel, 0o100644, size, 1
}

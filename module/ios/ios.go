// Package ios holds spycheck's iOS modules, one file per artifact. Each
// file opens with the artifact's paths (backup file ID and domain/relative
// path, filesystem path) and the iOS versions it covers.
//
// Modules here follow MVT's record fields, timeline events, indicator
// checks and heuristics (see DIFFERENCES.md for where we deliberately do
// better), so results folders stay compatible.
//
// Sysdiagnose. MVT reads no sysdiagnose; spycheck's check-sysdiagnose
// runs the modules whose Kinds include evidence.IOSSysdiagnose, on paths
// relative to the archive's top folder. They read the files that name
// processes, executables and apps: ps.txt, the process table at capture
// time (SysdiagnosePS); crashes_and_spins/, the crash and diagnostic
// reports with the crashing process's path, parent, coalition and bundle
// id (SysdiagnoseCrashes); logs/MobileInstallation/, installd's log of app
// installs and removals by bundle id, the one trace left of an app removed
// before the capture (SysdiagnoseMobileInstallation); swcutil_show.txt,
// the domains each app is associated with for links and shared
// credentials, with swcd's last check of each (SysdiagnoseSWCUtil); and
// system_logs.logarchive/Extra/shutdown*.log, the processes still running
// at each reboot (ShutdownLog). The time of ps.txt is the capture's,
// from the stamp in sysdiagnose.log or in the archive's name.
// Deliberately skipped: the unified log (system_logs.logarchive/*.tracev3:
// a binary format, hundreds of MB, that needs Apple's log tool or a
// full tracev3 decoder); ps_thread.txt (the same processes as ps.txt);
// spindump-nosymbols.txt, stackshots and jetsam reports (system-wide
// snapshots whose process names ps.txt already gives); and the WiFi,
// powerlog and preference files, which name networks and usage, not
// processes or domains.
package ios

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
)

// Both kinds of iOS acquisition, for modules that read either.
var mixed = []evidence.Kind{evidence.IOSBackup, evidence.IOSFS}

// backupOnly is for modules that only make sense on a backup.
var backupOnly = []evidence.Kind{evidence.IOSBackup}

// openDB finds the first entry of q and opens it as SQLite.
func openDB(ctx context.Context, src evidence.Source, q evidence.Query) (*evidence.DB, error) {
	e, err := module.FindOne(ctx, src, q)
	if err != nil {
		return nil, err
	}
	return evidence.OpenDB(src, e)
}

// artifact builds the query for one file known by its backup file ID and
// its device path(s) on a filesystem dump.
func artifact(backupID string, devicePaths ...string) evidence.Query {
	q := evidence.Query{DevicePaths: devicePaths}
	if backupID != "" {
		q.BackupIDs = []string{backupID}
	}
	return q
}

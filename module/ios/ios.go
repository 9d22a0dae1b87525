// Package ios holds spycheck's iOS modules, one file per artifact. Each
// file opens with the artifact's paths (backup file ID and domain/relative
// path, filesystem path) and the iOS versions it covers.
//
// Modules here follow MVT's record fields, timeline events, indicator
// checks and heuristics (see DIFFERENCES.md for where we deliberately do
// better), so results folders stay compatible.
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

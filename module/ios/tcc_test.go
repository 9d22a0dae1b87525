package ios

import (
	"testing"

	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

func TestTCCSchemas(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   map[string]any
	}{
		{
			name: "v3",
			script: `CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER, auth_reason INTEGER, last_modified INTEGER);
				INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.app', 0, 2, 2, 1626566400);`,
			want: map[string]any{"service": "kTCCServiceCamera", "client": "com.example.app", "client_type": "bundle_id",
				"auth_value": "allowed", "auth_reason_desc": "user_consent", "last_modified": "2021-07-18 00:00:00.000000"},
		},
		{
			name: "v2",
			script: `CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, allowed INTEGER, prompt_count INTEGER, last_modified INTEGER);
				INSERT INTO access VALUES ('kTCCServiceMicrophone', '/usr/bin/x', 1, 1, 3, 1626566400);`,
			want: map[string]any{"service": "kTCCServiceMicrophone", "client": "/usr/bin/x", "client_type": "absolute_path",
				"allowed_value": "allowed", "prompt_count": int64(3), "last_modified": "2021-07-18 00:00:00.000000"},
		},
		{
			name: "v1",
			script: `CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, allowed INTEGER, prompt_count INTEGER);
				INSERT INTO access VALUES ('kTCCServicePhotos', 'com.example.app', 0, 0, 1);`,
			want: map[string]any{"service": "kTCCServicePhotos", "client": "com.example.app", "client_type": "bundle_id",
				"allowed_value": "denied", "prompt_count": int64(1)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := oneRecord(t, TCC{}, backupWith(t, "HomeDomain", "Library/TCC/TCC.db", testkit.SQLite(t, tc.script)), tc.want)
			obs := TCC{}.Observables(r)
			if len(obs) != 1 || obs[0].Kind != record.Process || obs[0].Value != tc.want["client"] {
				t.Errorf("observables = %+v", obs)
			}
		})
	}
}

func TestTCCFileIDMatchesPath(t *testing.T) {
	if got := iosbackup.FileID("HomeDomain", "Library/TCC/TCC.db"); got != tccQuery.BackupIDs[0] {
		t.Errorf("file ID %s, module uses %s", got, tccQuery.BackupIDs[0])
	}
}

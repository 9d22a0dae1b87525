package ios

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/internal/testkit"
)

const contactsPath = "Library/AddressBook/AddressBook.sqlitedb"

func contactsBackup(t *testing.T, db []byte) evidence.Source {
	return backupWith(t, "HomeDomain", contactsPath, db)
}

func TestContactsFileID(t *testing.T) {
	if got := iosbackup.FileID("HomeDomain", contactsPath); got != contactsQuery.BackupIDs[0] {
		t.Errorf("file ID %s, module uses %s", got, contactsQuery.BackupIDs[0])
	}
}

func TestContactsExtract(t *testing.T) {
	db := testkit.SQLite(t, `CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Middle TEXT, Last TEXT, Organization TEXT);
		CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, value TEXT);
		INSERT INTO ABPerson VALUES (2, 'Bob', NULL, 'Example', NULL), (1, 'Alice', 'B', 'Example', 'ACME');
		INSERT INTO ABMultiValue VALUES (1, 2, 3, '+15555550101'), (2, 1, 4, 'alice@example.org'), (3, 1, 3, NULL), (4, 1, 3, '+15555550100');`)
	run, err := runWithoutIndicators(t, Contacts{}, contactsBackup(t, db))
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	for _, r := range run.recs {
		got = append(got, r.Data)
	}
	alice := func(v string) map[string]any {
		return map[string]any{"value": v, "first": "Alice", "middle": "B", "last": "Example", "organization": "ACME"}
	}
	want := []map[string]any{alice("alice@example.org"), alice("+15555550100"),
		{"value": "+15555550101", "first": "Bob", "middle": nil, "last": "Example", "organization": nil}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if len(run.events) != 0 || (Contacts{}).Observables(run.recs[0]) != nil {
		t.Errorf("contacts have no timeline nor observables: %v", run.events)
	}
}

func TestContactsProblems(t *testing.T) {
	for _, db := range map[string][]byte{
		"garbage":  []byte("garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"),
		"no table": testkit.SQLite(t, "CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Middle TEXT, Last TEXT, Organization TEXT);"),
	} {
		assertCorrupt(t, Contacts{}, "HomeDomain", contactsPath, db, "AddressBook.sqlitedb")
	}
}

func TestContactsConformance(t *testing.T) {
	// MVT's test backup has no address book: MVT finds nothing.
	if run, err := runWithoutIndicators(t, Contacts{}, sharedBackup(t)); !errors.Is(err, evidence.ErrNotFound) || len(run.recs) != 0 {
		t.Errorf("got %d records, %v; want ErrNotFound", len(run.recs), err)
	}
}

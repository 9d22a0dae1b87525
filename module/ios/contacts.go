package ios

// Contacts: the address book's phone numbers, e-mail addresses and other
// values, with the person they belong to.
//
//   backup: 31bb7ba8914766d4ba40d6dfb6113c8b614be442 (HomeDomain Library/AddressBook/AddressBook.sqlitedb)
//   fs:     private/var/mobile/Library/AddressBook/AddressBook.sqlitedb
//
// All iOS versions: ABPerson and its ABMultiValue rows.

import (
	"context"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Contacts reads AddressBook.sqlitedb.
type Contacts struct{}

var contactsQuery = artifact("31bb7ba8914766d4ba40d6dfb6113c8b614be442",
	"private/var/mobile/Library/AddressBook/AddressBook.sqlitedb")

// Info implements module.Module.
func (Contacts) Info() module.Info {
	return module.Info{Name: "contacts", Title: "Contacts", Kinds: mixed}
}

// Extract implements module.Module: one record per non-empty value, by person.
func (Contacts) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, contactsQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "ABPerson", "first", "middle", "last", "organization"); err != nil {
		return err
	}
	if err := requireColumns(db, "ABMultiValue", "value", "record_id"); err != nil {
		return err
	}
	sql := `SELECT multi.value AS value, person.first AS first, person.middle AS middle, person.last AS last,
			person.organization AS organization
		FROM ABPerson person, ABMultiValue multi
		WHERE person.rowid = multi.record_id AND multi.value IS NOT NULL
		ORDER BY person.rowid ASC`
	return db.Query(sql, func(row evidence.Row) error {
		emit(record.Record{Data: row.Map()})
		return nil
	})
}

// Observables implements module.Module: none.
func (Contacts) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module: contacts have no dates.
func (Contacts) Timeline(record.Record) []record.Event { return nil }

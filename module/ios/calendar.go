package ios

// Calendar: calendar events with their organizer. Quadream's exploit
// delivered invitations titled "Meeting" with the notes "Notes".
//
//   backup: 2041457d5fe04d39d0ab481178355df6781e6858 (HomeDomain Library/Calendar/Calendar.sqlitedb)
//   fs:     private/var/mobile/Library/Calendar/Calendar.sqlitedb
//
// Schema (iOS 8+): CalendarItem, organizer in Participant (ROWID =
// CalendarItem.organizer_id); dates are Mac absolute times.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Calendar reads Calendar.sqlitedb.
type Calendar struct{}

var calendarQuery = artifact("2041457d5fe04d39d0ab481178355df6781e6858", "private/var/mobile/Library/Calendar/Calendar.sqlitedb")

const calendarSQL = `SELECT CalendarItem.ROWID AS id, CalendarItem.summary AS summary,
	CalendarItem.description AS description, CalendarItem.start_date AS start_date,
	CalendarItem.end_date AS end_date, CalendarItem.all_day AS all_day,
	CalendarItem.calendar_id AS calendar_id, CalendarItem.organizer_id AS organizer_id,
	CalendarItem.url AS url, CalendarItem.last_modified AS last_modified,
	CalendarItem.external_id AS external_id, CalendarItem.external_mod_tag AS external_mod_tag,
	CalendarItem.unique_identifier AS unique_identifier, CalendarItem.hidden AS hidden,
	CalendarItem.UUID AS uuid, CalendarItem.creation_date AS creation_date,
	CalendarItem.action AS action, CalendarItem.created_by_id AS created_by_id,
	Participant.UUID AS participant_uuid, Participant.email AS participant_email,
	Participant.phone_number AS participant_phone, Participant.comment AS participant_comment,
	Participant.last_modified AS participant_last_modified
FROM CalendarItem LEFT JOIN Participant ON Participant.ROWID = CalendarItem.organizer_id`

// calendarTimes are the date fields, each a timeline event named after it.
var calendarTimes = []string{"start_date", "end_date", "last_modified", "creation_date", "participant_last_modified"}

// Info implements module.Module.
func (Calendar) Info() module.Info {
	return module.Info{Name: "calendar", Title: "Calendar", Kinds: mixed, TimeField: "start_date"}
}

// Extract implements module.Module: one record per calendar item, in
// table order.
func (Calendar) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, calendarQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "CalendarItem", "summary", "description", "start_date", "end_date", "all_day",
		"calendar_id", "organizer_id", "url", "last_modified", "external_id", "external_mod_tag", "unique_identifier",
		"hidden", "UUID", "creation_date", "action", "created_by_id"); err != nil {
		return err
	}
	if err := requireColumns(db, "Participant", "UUID", "email", "phone_number", "comment", "last_modified"); err != nil {
		return err
	}
	return db.Query(calendarSQL, func(row evidence.Row) error {
		d := row.Map()
		for _, f := range calendarTimes {
			switch d[f].(type) {
			case nil, string: // kept as stored, as MVT does
			default:
				d[f] = macTimeISO(d[f])
			}
		}
		emit(record.Record{Data: d})
		return nil
	})
}

// Observables implements module.Module: the organizer's e-mail address.
func (Calendar) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.Email, "participant_email", r.String("participant_email"))
}

// Timeline implements module.Module: one event per date present.
func (m Calendar) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("Calendar event %s (%s) (invitation by %s)",
		pyText(r.Data["summary"]), pyText(r.Data["description"]), pyText(r.Data["participant_email"]))
	var out []record.Event
	for _, f := range calendarTimes {
		out = append(out, module.Event(m.Info().Title, r.String(f), f, data)...)
	}
	return out
}

// NewInspector implements module.Heuristic: MVT's Quadream check.
func (Calendar) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		if r.String("summary") == "Meeting" && r.String("description") == "Notes" {
			raise(module.Alert(record.High, r, r.String("start_date"),
				"Potential Quadream exploit event identified: "+pyText(r.Data["uuid"])))
		}
	})
}

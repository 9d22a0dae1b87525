package ios

// Calls: the phone, FaceTime and VoIP call history.
//
//   backup: 5a4935c78a5255723f707230a451d79c540d2741 (HomeDomain Library/CallHistoryDB/CallHistory.storedata)
//   fs:     private/var/mobile/Library/CallHistoryDB/CallHistory.storedata
//
// iOS 8+: the CoreData table ZCALLRECORD.

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Calls reads ZCALLRECORD of CallHistory.storedata.
type Calls struct{}

var callsQuery = artifact("5a4935c78a5255723f707230a451d79c540d2741",
	"private/var/mobile/Library/CallHistoryDB/CallHistory.storedata")

// Info implements module.Module.
func (Calls) Info() module.Info {
	return module.Info{Name: "calls", Title: "Calls", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module.
func (Calls) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, callsQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "ZCALLRECORD", "ZDATE", "ZDURATION", "ZLOCATION", "ZADDRESS", "ZSERVICE_PROVIDER"); err != nil {
		return err
	}
	return db.Query("SELECT ZDATE, ZDURATION, ZLOCATION, ZADDRESS, ZSERVICE_PROVIDER FROM ZCALLRECORD", func(row evidence.Row) error {
		emit(record.Record{Data: map[string]any{
			"isodate":  macTimeISO(row.Get("ZDATE")),
			"duration": plainValue(row.Get("ZDURATION")),
			"location": plainValue(row.Get("ZLOCATION")),
			"number":   plainValue(row.Get("ZADDRESS")), // a blob of UTF-8 on recent iOS
			"provider": plainValue(row.Get("ZSERVICE_PROVIDER")),
		}})
		return nil
	})
}

// Observables implements module.Module: none.
func (Calls) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module.
func (m Calls) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("From %s using %s during %s seconds",
		pyText(r.Data["number"]), pyText(r.Data["provider"]), pyText(r.Data["duration"]))
	return module.Event(m.Info().Title, r.String("isodate"), "call", data)
}

package ios

// TCC: the privacy permission database (which app may use the camera,
// microphone, location …).
//
//   backup: 64d0019cb3d46bfc8cce545a8ba54b93e7ea9347 (HomeDomain Library/TCC/TCC.db)
//   fs:     private/var/mobile/Library/TCC/TCC.db
//
// Schemas: v1 (iOS ≤ 9: allowed, prompt_count), v2 (adds last_modified),
// v3 (iOS 14+: auth_value, auth_reason).

import (
	"context"
	"fmt"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// TCC reads the access table of TCC.db.
type TCC struct{}

var tccQuery = artifact("64d0019cb3d46bfc8cce545a8ba54b93e7ea9347", "private/var/mobile/Library/TCC/TCC.db")

// Info implements module.Module.
func (TCC) Info() module.Info {
	return module.Info{Name: "tcc", Title: "TCC", Kinds: mixed, TimeField: "last_modified"}
}

var tccAuthValues = map[int64]string{0: "denied", 1: "unknown", 2: "allowed", 3: "limited"}

var tccAuthReasons = map[int64]string{
	1: "error", 2: "user_consent", 3: "user_set", 4: "system_set", 5: "service_policy",
	6: "mdm_policy", 7: "override_policy", 8: "missing_usage_string", 9: "prompt_timeout",
	10: "preflight_unknown", 11: "entitled", 12: "app_type_policy",
}

// Extract implements module.Module.
func (TCC) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, tccQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	cols, err := db.Columns("access")
	if err != nil {
		return err
	}
	if len(cols) == 0 {
		return &evidence.FileError{Op: "read", Path: db.Entry().Name(), Evidence: db.Entry().Local, Err: fmt.Errorf("%w: no access table", evidence.ErrCorrupt)}
	}
	sql := "SELECT service, client, client_type, allowed, prompt_count FROM access"
	switch {
	case cols["auth_value"]:
		sql = "SELECT service, client, client_type, auth_value, auth_reason, last_modified FROM access"
	case cols["last_modified"]:
		sql = "SELECT service, client, client_type, allowed, prompt_count, last_modified FROM access"
	}
	return db.Query(sql, func(row evidence.Row) error {
		emit(record.Record{Data: tccRecord(row, cols)})
		return nil
	})
}

func tccRecord(row evidence.Row, cols map[string]bool) map[string]any {
	clientType := "absolute_path"
	if v, _ := row.Get("client_type").(int64); v == 0 {
		clientType = "bundle_id"
	}
	d := map[string]any{"service": row.Text("service"), "client": row.Text("client"), "client_type": clientType}
	if cols["auth_value"] {
		v, _ := row.Get("auth_value").(int64)
		r, _ := row.Get("auth_reason").(int64)
		d["auth_value"] = tccAuthValues[v]
		d["auth_reason_desc"] = tccAuthReasons[r]
	} else {
		v, _ := row.Get("allowed").(int64)
		d["allowed_value"] = "denied"
		if v == 1 {
			d["allowed_value"] = "allowed"
		}
		d["prompt_count"] = row.Get("prompt_count")
	}
	if cols["last_modified"] {
		d["last_modified"] = ""
		if t, ok := record.Num(row.Get("last_modified")); ok {
			d["last_modified"] = record.FromUnix(t)
		}
	}
	return d
}

// Observables implements module.Module: the client is a process or bundle.
func (TCC) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.Process, "client", r.String("client"))
}

// Timeline implements module.Module.
func (m TCC) Timeline(r record.Record) []record.Event {
	state := r.String("auth_value")
	if state == "" {
		state = r.String("allowed_value")
	}
	data := fmt.Sprintf("%s [%s] %s access to %s", r.String("client"), r.String("client_type"), state, r.String("service"))
	if reason := r.String("auth_reason_desc"); reason != "" {
		data += " (" + reason + ")"
	}
	return module.Event(m.Info().Title, r.String("last_modified"), "AccessRequest", data)
}

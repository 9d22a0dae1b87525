package ios

// Shortcuts: the user's Shortcuts (automations) and the URLs their actions
// reach, since a shortcut can open or fetch links unattended.
//
//   backup: 5b4d0b44b5990f62b9f4d34ad8dc382bf0b01094 (HomeDomain Library/Shortcuts/Shortcuts.sqlite)
//   fs:     private/var/mobile/Library/Shortcuts/Shortcuts.sqlite
//
// Schema (iOS 12+, Core Data): ZSHORTCUT(Z_PK, ZNAME, ZCREATIONDATE,
// ZMODIFICATIONDATE, ZACTIONSDESCRIPTION) and ZSHORTCUTACTIONS(ZSHORTCUT,
// ZDATA); ZDATA is a property list: a list of {WFWorkflowActionIdentifier,
// WFWorkflowActionParameters}.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Shortcuts reads Shortcuts.sqlite.
type Shortcuts struct{}

var shortcutsQuery = artifact("5b4d0b44b5990f62b9f4d34ad8dc382bf0b01094", "private/var/mobile/Library/Shortcuts/Shortcuts.sqlite")

const shortcutsSQL = `SELECT ZSHORTCUT.Z_PK AS shortcut_id, ZSHORTCUT.ZNAME AS shortcut_name,
	ZSHORTCUT.ZCREATIONDATE AS created_date, ZSHORTCUT.ZMODIFICATIONDATE AS modified_date,
	ZSHORTCUT.ZACTIONSDESCRIPTION AS description, ZSHORTCUTACTIONS.ZDATA AS action_data
FROM ZSHORTCUT LEFT JOIN ZSHORTCUTACTIONS ON ZSHORTCUTACTIONS.ZSHORTCUT = ZSHORTCUT.Z_PK`

// Info implements module.Module.
func (Shortcuts) Info() module.Info {
	return module.Info{Name: "shortcuts", Title: "Shortcuts", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module: one record per shortcut (per actions
// row), in table order.
func (Shortcuts) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, shortcutsQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "ZSHORTCUT", "Z_PK", "ZNAME", "ZCREATIONDATE", "ZMODIFICATIONDATE", "ZACTIONSDESCRIPTION"); err != nil {
		return err
	}
	if err := requireColumns(db, "ZSHORTCUTACTIONS", "ZSHORTCUT", "ZDATA"); err != nil {
		return err
	}
	return db.Query(shortcutsSQL, func(row evidence.Row) error {
		d := row.Map()
		raw, _ := row.Get("action_data").([]byte)
		delete(d, "action_data")
		n, urls := shortcutActionURLs(raw)
		d["parsed_actions"], d["action_urls"] = n, any(nil)
		if urls != nil {
			d["action_urls"] = urls
		}
		d["isodate"] = macTimeISO(d["created_date"])
		delete(d, "created_date")
		d["modified_date"] = macTimeISO(d["modified_date"])
		emit(record.Record{Data: d})
		return nil
	})
}

// shortcutActionURLs decodes ZDATA and returns how many actions it holds
// and the links found in their parameters. Data that is not a list of
// actions gives 0 and nil (no action data), as MVT records it.
func shortcutActionURLs(data []byte) (int64, []string) {
	v, err := evidence.DecodePlist(data)
	if err != nil {
		return 0, nil
	}
	actions, ok := v.([]any)
	if !ok {
		return 0, nil
	}
	urls := []string{}
	var n int64
	for _, a := range actions {
		action, ok := a.(map[string]any)
		if !ok {
			continue
		}
		n++
		for _, s := range plistStrings(action["WFWorkflowActionParameters"], nil) {
			for _, link := range findLinks(s) {
				urls = append(urls, strings.TrimRight(link, "',"))
			}
		}
	}
	return n, urls
}

// plistStrings appends every string inside a decoded property list value
// to out, depth first, dictionary keys in sorted order.
func plistStrings(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			out = plistStrings(e, out)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = plistStrings(x[k], out)
		}
	}
	return out
}

// Observables implements module.Module: the links of the actions.
func (Shortcuts) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "action_urls", r.Strings("action_urls")...)
}

// Timeline implements module.Module: creation and modification.
func (m Shortcuts) Timeline(r record.Record) []record.Event {
	found := ""
	if urls := r.Strings("action_urls"); len(urls) > 0 {
		found = "- URLs in actions: " + strings.Join(urls, ", ")
	}
	data := fmt.Sprintf("iOS Shortcut '%s': %s %s", pyText(r.Data["shortcut_name"]), r.String("description"), found)
	title := m.Info().Title
	return append(module.Event(title, r.String("isodate"), "shortcut_created", data),
		module.Event(title, r.String("modified_date"), "shortcut_modified", data)...)
}

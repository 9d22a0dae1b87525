package ios

// LocationdClients: the apps and daemons that asked locationd for the
// device's location, with when they last did.
//
//   backup: a690d7769cce8904ca2b67320b107c8fe5f79412 (RootDomain Library/Caches/locationd/clients.plist)
//   fs:     private/var/mobile/Library/Caches/locationd/clients.plist,
//           private/var/root/Library/Caches/locationd/clients.plist
//
// All iOS versions; times are Mac absolute time.

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// LocationdClients reads locationd's clients.plist.
type LocationdClients struct{}

var locationdQuery = artifact("a690d7769cce8904ca2b67320b107c8fe5f79412",
	"private/var/mobile/Library/Caches/locationd/clients.plist",
	"private/var/root/Library/Caches/locationd/clients.plist")

// locationdTimes are the keys holding Mac times, in MVT's order.
var locationdTimes = []string{
	"ConsumptionPeriodBegin", "ReceivingLocationInformationTimeStopped", "VisitTimeStopped",
	"LocationTimeStopped", "BackgroundLocationTimeStopped", "SignificantTimeStopped",
	"NonPersistentSignificantTimeStopped", "FenceTimeStopped", "BeaconRegionTimeStopped",
}

// Info implements module.Module.
func (LocationdClients) Info() module.Info {
	return module.Info{Name: "locationd_clients", Title: "LocationdClients", Kinds: mixed}
}

// Extract implements module.Module: one record per client dictionary,
// in file order, for every clients.plist found.
func (LocationdClients) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, locationdQuery)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("locationd clients.plist: %w", evidence.ErrNotFound)
	}
	for _, e := range entries {
		clients, raw, err := readPlistDict(src, e)
		if err != nil {
			return err
		}
		for _, key := range keysInPlistOrder(clients, plistKeyOrder(raw)) {
			if c, ok := clients[key].(map[string]any); ok {
				emit(record.Record{Data: locationdRecord(key, c)})
			}
		}
	}
	return nil
}

func locationdRecord(key string, c map[string]any) map[string]any {
	d, _ := evidence.Plain(c).(map[string]any)
	d["package"] = strings.TrimRight(key, ":")
	for _, k := range locationdTimes {
		if v, ok := d[k]; ok {
			d[k] = macTimeISO(v)
		}
	}
	if b, ok := c["ClientStorageToken"].([]byte); ok {
		d["ClientStorageToken"] = base64.StdEncoding.EncodeToString(b)
	}
	return d
}

// Observables implements module.Module: the client's process name, its
// bundle ID, then its bundle path, executable and registered path.
func (LocationdClients) Observables(r record.Record) []record.Observable {
	pkg := r.String("package")
	obs := module.Observe(record.High, record.Process, "package", pkg[strings.LastIndex(pkg, "/")+1:])
	obs = append(obs, module.Observe(record.High, record.Process, "BundleId", r.String("BundleId"))...)
	for _, k := range []string{"BundlePath", "Executable", "Registered"} {
		obs = append(obs, module.Observe(record.High, record.FilePath, k, r.String(k))...)
	}
	return obs
}

// Timeline implements module.Module: one event per time the client has.
func (m LocationdClients) Timeline(r record.Record) []record.Event {
	var out []record.Event
	for _, k := range locationdTimes {
		if _, ok := r.Data[k]; ok {
			out = append(out, module.Event(m.Info().Title, r.String(k), k, k+" from "+r.String("package"))...)
		}
	}
	return out
}

package android

// Intrusion logs, network connections: connect_event lines of the
// intrusion log files (format and lookup in intrusion_dns.go; Android 16+).

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// ConnectEvent reads the network connections of intrusion logs.
type ConnectEvent struct{}

// Info implements module.Module.
func (ConnectEvent) Info() module.Info {
	return module.Info{Name: "connect_event", Title: "ConnectEvent", Kinds: intrusionLogs, TimeField: "timestamp"}
}

// Extract implements module.Module.
func (ConnectEvent) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return extractIntrusionEvents(ctx, src, connectEventType, 1e3, emit)
}

// connectAddress is the address part of ip_address ("host/1.2.3.4").
func connectAddress(r record.Record) string {
	ip := r.String("ip_address")
	return ip[strings.LastIndexByte(ip, '/')+1:]
}

// Observables implements module.Module: the remote address (loopback and
// 0.0.0.0 left out), then the app.
func (ConnectEvent) Observables(r record.Record) []record.Observable {
	var out []record.Observable
	switch ip := connectAddress(r); ip {
	case "::1", "127.0.0.1", "0.0.0.0":
	default:
		out = module.Observe(record.Critical, record.URL, "ip_address", ip)
	}
	return append(out, module.Observe(record.Critical, record.AppID, "package_name", r.String("package_name"))...)
}

// Timeline implements module.Module.
func (ConnectEvent) Timeline(r record.Record) []record.Event {
	port := r.Data["port"]
	if port == nil {
		port = int64(0)
	}
	data := fmt.Sprintf("Connection to %s:%s by %s", connectAddress(r), intrusionText(port), r.String("package_name"))
	return module.Event("ConnectEvent", r.String("timestamp"), "network_connection", data)
}

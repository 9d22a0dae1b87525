package android

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
	"github.com/spycheck/spycheck/record"
)

// tombstoneSample is one of MVT's sample tombstones in a bug report.
func tombstoneSample(t *testing.T, file string) *testkit.Source {
	t.Helper()
	data := androidDataFile(t, file)
	name := "tombstone_00"
	if strings.HasSuffix(file, ".pb") {
		name += ".pb"
	}
	return testkit.NewSource(t, evidence.Bugreport, map[string][]byte{"FS/data/tombstones/" + name: data})
}

func TestTombstonesSamples(t *testing.T) {
	for _, file := range []string{"tombstone_process.txt", "tombstone_process.pb"} {
		recs := extractOK(t, Tombstones{}, tombstoneSample(t, file))
		if len(recs) != 1 {
			t.Fatalf("%s: %d records", file, len(recs))
		}
		d := recs[0].Data
		want := map[string]any{"command_line": []any{"/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek"}, "uid": int64(1046),
			"pid": int64(25541), "process_name": "mtk.ape.decoder", "timestamp": "2023-04-12 12:32:40.518290"}
		for k, v := range want {
			if !cmp.Equal(d[k], v) {
				t.Errorf("%s: %s = %#v, want %#v", file, k, d[k], v)
			}
		}
		if f := aqfFindings(Tombstones{}, recs); len(f) != 0 {
			t.Errorf("%s: uid 1046 is not suspicious: %+v", file, f)
		}
		obs := Tombstones{}.Observables(recs[0])
		if len(obs) != 2 || obs[0].Value != "mtk.ape.decoder" || obs[1].Value != "android.hardware.media.c2@1.2-mediatek" || obs[1].Kind != record.Process {
			t.Errorf("%s: observables = %+v", file, obs)
		}
	}
	pb := extractOK(t, Tombstones{}, tombstoneSample(t, "tombstone_process.pb"))
	if want := []any{map[string]any{"human_readable": "null pointer dereference", "memory_error": nil}}; !cmp.Equal(pb[0].Data["causes"], want) {
		t.Errorf("causes = %#v", pb[0].Data["causes"])
	}
}

const textTombstone = "*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***\n" +
	"Build fingerprint: 'google/x/y:12/SP1A/1:user/release-keys'\nRevision: '0'\nABI: 'arm64'\n" +
	"Timestamp: 2021-09-29 17:43:49.123456789+0200\nProcess uptime: 40s\nCmdline: /system/bin/adbd --root_seclabel=u:r:su:s0\n" +
	"pid: 9850, tid: 9876, name: UsbFfs-worker  >>> /system/bin/adbd <<<\nuid: 2000\n" +
	"signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------\n" +
	"Abort message: 'Check failed: payload.size() <= bytes_left (payload.size()=99, bytes_left=51) '\n" +
	"    x0  0000000000000000  x1  0000000000002694\n" +
	"pid: 9850, tid: 9999, name: worker-thread  >>> /vendor/bin/other <<<\n"

func TestTombstonesText(t *testing.T) {
	d, err := parseTextTombstone([]byte(textTombstone))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"build_fingerprint": "google/x/y:12/SP1A/1:user/release-keys", "revision": "0", "arch": "arm64",
		"timestamp": "2021-09-29 17:43:49.123456", "process_uptime": int64(40), "command_line": []any{"/system/bin/adbd --root_seclabel=u:r:su:s0"},
		"pid": int64(9850), "tid": int64(9876), "process_name": "UsbFfs-worker", "binary_path": "/system/bin/adbd", "uid": int64(2000),
		"signal_info":   map[string]any{"code": int64(-1), "code_name": "SI_QUEUE", "name": "SIGABRT", "number": int64(6)},
		"abort_message": "Check failed: payload.size() <= bytes_left (payload.size()=99, bytes_left=51) ",
		"selinux_label": nil, "cause": nil, "causes": nil, "extra": nil}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	d["file_name"] = "tombstone_00"
	r := record.Record{Module: "tombstones", Data: d}
	f := aqfFindings(Tombstones{}, []record.Record{r})
	if len(f) != 1 || f[0].Severity != record.Medium || f[0].Message !=
		"Potentially suspicious crash in process 'UsbFfs-worker' running as UID '2000' in tombstone 'tombstone_00' at 2021-09-29 17:43:49.123456" {
		t.Errorf("findings = %+v", f)
	}
	ev := Tombstones{}.Timeline(r)
	if len(ev) != 1 || ev[0].Event != "Tombstone" || ev[0].Data !=
		"Crash in 'UsbFfs-worker' process running as UID '2000' in file 'tombstone_00' Crash type 'SIGABRT' with code 'SI_QUEUE'" {
		t.Errorf("timeline = %+v", ev)
	}
	for name, bad := range map[string]string{
		"no pid":      strings.ReplaceAll(textTombstone, "pid: 9850", "xid: 9850"),
		"bad key":     textTombstone + "code around pc:\n",
		"bad uid":     strings.Replace(textTombstone, "uid: 2000", "uid: root", 1),
		"bad time":    strings.Replace(textTombstone, "2021-09-29 17:43:49", "yesterday", 1),
		"not utf8":    textTombstone + "\xff\n",
		"signal only": strings.Replace(textTombstone, ", code -1 (SI_QUEUE), fault addr --------", "", 1),
	} {
		if _, err := parseTextTombstone([]byte(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTombstonesConformance(t *testing.T) {
	recs := extractOK(t, Tombstones{}, sharedBugreport(t))
	if len(recs) != 2 || recs[1].Data["pid"] != int64(3559) {
		t.Fatalf("records = %+v", recs)
	}
	if recs[0].String("abort_message") != "Check failed: payload.size() <= bytes_left (payload.size()=99, bytes_left=51) " {
		t.Errorf("abort message %q", recs[0].String("abort_message"))
	}
	f := aqfFindings(Tombstones{}, recs)
	if len(f) != 2 || len(aqfTimeline(Tombstones{}, recs)) != 2 {
		t.Errorf("findings %+v", f)
	}
}

func TestTombstonesCorrupt(t *testing.T) {
	src := testkit.NewSource(t, evidence.Bugreport, map[string][]byte{
		"FS/data/tombstones/tombstone_00":    []byte("\x00\x01garbage"),
		"FS/data/tombstones/tombstone_00.pb": []byte("\xff\xff\xff"),
		"FS/data/tombstones/tombstone_01":    []byte(textTombstone)})
	recs, err := testkit.Extract(t, Tombstones{}, src)
	if len(recs) != 1 || !errors.Is(err, evidence.ErrCorrupt) || !strings.Contains(err.Error(), "tombstone_00.pb") {
		t.Errorf("records %d, err %v", len(recs), err)
	}
	if _, err := testkit.Extract(t, Tombstones{}, testkit.NewSource(t, evidence.Bugreport, nil)); !errors.Is(err, evidence.ErrNotFound) {
		t.Errorf("no tombstones: %v", err)
	}
}

func TestProtoTombstoneFields(t *testing.T) {
	// Hand-built message: arch ARM64, fingerprint, timestamp, pid 7, tid 8,
	// uid 0, signal {11, SIGSEGV, 1, SEGV_MAPERR}, a cause with a memory
	// error, thread 8 named "crasher".
	msg := pbBytes(1, pbVarintField(1, 1), pbStringField(2, "fp"), pbStringField(3, "r1"),
		pbStringField(4, "2024-01-02 03:04:05.5+0000"), pbVarintField(5, 7), pbVarintField(6, 8), pbVarintField(7, 0),
		pbMessageField(10, pbVarintField(1, 11), pbStringField(2, "SIGSEGV"), pbVarintField(3, 1), pbStringField(4, "SEGV_MAPERR")),
		pbMessageField(15, pbStringField(1, "use-after-free"), pbMessageField(2, pbVarintField(1, 1), pbVarintField(2, 1),
			pbMessageField(3, pbVarintField(1, 4096), pbVarintField(2, 16)))),
		pbMessageField(16, pbVarintField(1, 8), pbMessageField(2, pbVarintField(1, 8), pbStringField(2, "crasher"))),
		pbStringField(9, "/bin/crasher"), pbStringField(9, "-x"))
	d, err := parseProtoTombstone(msg)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"arch": "ARM64", "build_fingerprint": "fp", "revision": "r1", "timestamp": "2024-01-02 03:04:05.500000",
		"pid": int64(7), "tid": int64(8), "uid": int64(0), "selinux_label": "", "process_uptime": int64(0), "abort_message": "",
		"command_line": []any{"/bin/crasher", "-x"}, "process_name": "crasher", "binary_path": nil, "cause": nil, "extra": nil,
		"signal_info": map[string]any{"number": int64(11), "name": "SIGSEGV", "code": int64(1), "code_name": "SEGV_MAPERR"},
		"causes": []any{map[string]any{"human_readable": "use-after-free", "memory_error": map[string]any{"tool": "SCUDO", "type": "USE_AFTER_FREE",
			"heap": map[string]any{"address": "4096", "size": "16", "allocation_tid": "0", "deallocation_tid": "0"}}}}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if _, err := parseProtoTombstone(msg[:len(msg)-3]); err == nil {
		t.Error("truncated message: no error")
	}
}

// Protobuf encoding helpers for the tests.
func pbKey(num, wire int) []byte { return pbUvarint(uint64(num<<3 | wire)) }

func pbUvarint(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func pbVarintField(num int, v uint64) []byte { return append(pbKey(num, 0), pbUvarint(v)...) }

func pbStringField(num int, s string) []byte {
	return append(append(pbKey(num, 2), pbUvarint(uint64(len(s)))...), s...)
}

func pbMessageField(num int, parts ...[]byte) []byte {
	return pbStringField(num, string(pbBytes(0, parts...)))
}

func pbBytes(_ int, parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func FuzzParseTextTombstone(f *testing.F) {
	f.Add([]byte(textTombstone))
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := parseTextTombstone(data); err == nil {
			Tombstones{}.Timeline(record.Record{Data: d})
			Tombstones{}.Observables(record.Record{Data: d})
		}
	})
}

func FuzzParseProtoTombstone(f *testing.F) {
	f.Add(pbBytes(0, pbVarintField(1, 1), pbStringField(4, "2024-01-02 03:04:05"), pbVarintField(6, 8),
		pbMessageField(16, pbVarintField(1, 8), pbMessageField(2, pbVarintField(1, 8), pbStringField(2, "n"))),
		pbMessageField(15, pbStringField(1, "c"), pbMessageField(2, pbMessageField(3, pbVarintField(1, 1)))),
		pbMessageField(10, pbVarintField(1, 0xffffffffffffffff))))
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := parseProtoTombstone(data); err == nil {
			Tombstones{}.Timeline(record.Record{Data: d})
		}
	})
}

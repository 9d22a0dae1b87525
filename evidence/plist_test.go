package evidence

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"howett.net/plist"
)

// mbFileArchive is an NSKeyedArchiver plist shaped like a Manifest.db
// "file" blob: $top.root points at an MBFile whose RelativePath is a
// reference to a string object.
func mbFileArchive(t testing.TB, format int) []byte {
	t.Helper()
	archive := map[string]any{
		"$archiver": "NSKeyedArchiver",
		"$version":  100000,
		"$top":      map[string]any{"root": plist.UID(1)},
		"$objects": []any{
			"$null",
			map[string]any{
				"$class": plist.UID(3), "Birth": 1600000000, "LastModified": 1600000100,
				"LastStatusChange": 1600000200, "Mode": 0o100644, "UserID": 501, "Size": 1234,
				"RelativePath": plist.UID(2), "ProtectionClass": 3, "Flags": 0,
			},
			"Library/Preferences/com.apple.CoreBrightness.plist",
			map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}},
		},
	}
	data, err := plist.Marshal(archive, format)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeKeyedArchiveMBFile(t *testing.T) {
	for _, format := range []int{plist.BinaryFormat, plist.XMLFormat} {
		v, err := DecodeKeyedArchive(mbFileArchive(t, format))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"Birth": uint64(1600000000), "LastModified": uint64(1600000100), "LastStatusChange": uint64(1600000200),
			"Mode": uint64(0o100644), "UserID": uint64(501), "Size": uint64(1234),
			"RelativePath": "Library/Preferences/com.apple.CoreBrightness.plist", "ProtectionClass": uint64(3), "Flags": uint64(0),
		}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Errorf("format %d (-want +got):\n%s", format, diff)
		}
	}
}

func TestDecodeKeyedArchiveFoundationTypes(t *testing.T) {
	archive := map[string]any{
		"$top": map[string]any{"root": plist.UID(1)},
		"$objects": []any{
			"$null",
			map[string]any{"NS.keys": []any{plist.UID(2), plist.UID(3), plist.UID(4), plist.UID(5)},
				"NS.objects": []any{plist.UID(6), plist.UID(7), plist.UID(8), plist.UID(0)}},
			"list", "date", "data", "none",
			map[string]any{"NS.objects": []any{plist.UID(2), plist.UID(9)}},
			map[string]any{"NS.time": 1.5},
			map[string]any{"NS.data": []byte{1, 2}},
			map[string]any{"NS.string": "s"},
		},
	}
	data, err := plist.Marshal(archive, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	v, err := DecodeKeyedArchive(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"list": []any{"list", "s"},
		"date": time.Date(2001, 1, 1, 0, 0, 1, 500000000, time.UTC),
		"data": []byte{1, 2},
		"none": nil,
	}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDecodeKeyedArchiveErrors(t *testing.T) {
	tests := map[string]any{
		"not a dictionary": []any{"a"},
		"no root":          map[string]any{"$objects": []any{"$null"}},
		"out of range":     map[string]any{"$top": map[string]any{"root": plist.UID(7)}, "$objects": []any{"$null"}},
		"cycle": map[string]any{"$top": map[string]any{"root": plist.UID(0)},
			"$objects": []any{map[string]any{"NS.objects": []any{plist.UID(0)}}}},
		"exponential": map[string]any{"$top": map[string]any{"root": plist.UID(0)},
			"$objects": exponentialObjects(40)},
		"keys without values": map[string]any{"$top": map[string]any{"root": plist.UID(0)},
			"$objects": []any{map[string]any{"NS.keys": []any{"a"}, "NS.objects": []any{}}}},
	}
	for name, archive := range tests {
		data, err := plist.Marshal(archive, plist.BinaryFormat)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeKeyedArchive(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	for _, garbage := range [][]byte{nil, []byte("   "), []byte("bplist00 truncated"), mbFileArchive(t, plist.BinaryFormat)[:60]} {
		if _, err := DecodeKeyedArchive(garbage); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: err = %v, want ErrCorrupt", garbage, err)
		}
	}
}

// exponentialObjects is a chain where each object refers twice to the
// next: n objects expand to 2^n values.
func exponentialObjects(n int) []any {
	objs := make([]any, n+1)
	for i := 0; i < n; i++ {
		objs[i] = map[string]any{"NS.objects": []any{plist.UID(i + 1), plist.UID(i + 1)}}
	}
	objs[n] = "leaf"
	return objs
}

func TestDecodePlistAndPlain(t *testing.T) {
	data, err := plist.Marshal(map[string]any{"d": time.Date(2021, 7, 18, 0, 0, 0, 0, time.UTC), "b": []byte{0xa8, 'x'}, "n": uint64(3)}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	v, err := DecodePlist(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"d": "2021-07-18 00:00:00.000000", "b": `\xa8x`, "n": int64(3)}
	if diff := cmp.Diff(want, Plain(v)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzDecodeKeyedArchive(f *testing.F) {
	f.Add(mbFileArchive(f, plist.BinaryFormat))
	f.Add(mbFileArchive(f, plist.XMLFormat))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeKeyedArchive(data)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
		_ = Plain(v)
	})
}

func FuzzDecodePlist(f *testing.F) {
	f.Add(mbFileArchive(f, plist.BinaryFormat))
	f.Add(mbFileArchive(f, plist.XMLFormat))
	f.Add([]byte(`{a = (1, "b"); c = <0102>;}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodePlist(data)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
		_ = Plain(v)
	})
}

package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"howett.net/plist"

	"github.com/spycheck/spycheck/record"
)

// maxPlist bounds how much of a file is read as a property list.
const maxPlist = 256 << 20

// ReadFile reads a whole entry (at most limit bytes).
func ReadFile(src Source, e Entry, limit int64) ([]byte, error) {
	rc, err := src.Open(e)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, &FileError{Op: "read", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &FileError{Op: "read", Path: e.Name(), Evidence: e.Local, Err: fmt.Errorf("%w: larger than %d bytes", ErrCorrupt, limit)}
	}
	return data, nil
}

// ReadPlist reads and decodes a property list entry (XML, binary or
// OpenStep). The result is made of plain values, see Plain.
func ReadPlist(src Source, e Entry) (any, error) {
	data, err := ReadFile(src, e, maxPlist)
	if err != nil {
		return nil, err
	}
	v, err := DecodePlist(data)
	if err != nil {
		return nil, &FileError{Op: "parse plist", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return v, nil
}

// DecodePlist decodes a property list into raw howett.net/plist values
// (map[string]any, []any, string, uint64, int64, float64, bool, time.Time,
// []byte, plist.UID). Errors wrap ErrCorrupt; it never panics.
func DecodePlist(data []byte) (v any, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty property list", ErrCorrupt)
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%w: malformed property list: %v", ErrCorrupt, r)
		}
	}()
	if _, err := plist.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return v, nil
}

// Plain turns decoded plist values into plain JSON values: dates become
// TimeLayout strings, data becomes text as MVT writes it (BytesText),
// unsigned integers become int64, UIDs their number.
func Plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Plain(e)
		}
		return out
	case time.Time:
		return record.ISO(x)
	case []byte:
		return BytesText(x)
	case uint64:
		return int64(x)
	case plist.UID:
		return int64(x)
	}
	return v
}

// maxArchiveDepth bounds object-graph recursion in keyed archives.
const maxArchiveDepth = 64

// maxArchiveNodes bounds the values produced from one keyed archive: an
// object graph sharing references can otherwise expand exponentially.
const maxArchiveNodes = 1 << 20

// DecodeKeyedArchive decodes an NSKeyedArchiver property list (as stored
// in Manifest.db's file column) into its root object: NSDictionary becomes
// map[string]any, NSArray/NSSet []any, NSString string, NSData []byte,
// NSDate time.Time, other objects a map of their keys. No Go library on
// our module proxy decodes NSKeyedArchiver graphs, so this is ours.
func DecodeKeyedArchive(data []byte) (any, error) {
	raw, err := DecodePlist(data)
	if err != nil {
		return nil, err
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: keyed archive is not a dictionary", ErrCorrupt)
	}
	objects, _ := top["$objects"].([]any)
	topObj, _ := top["$top"].(map[string]any)
	rootRef, ok := topObj["root"].(plist.UID)
	if !ok || objects == nil {
		return nil, fmt.Errorf("%w: keyed archive without $top.root or $objects", ErrCorrupt)
	}
	a := &archive{objects: objects, budget: maxArchiveNodes}
	return a.resolve(rootRef, 0)
}

type archive struct {
	objects []any
	budget  int // references still allowed to be resolved
}

var (
	errArchiveDepth = errors.New("keyed archive nested too deeply")
	errArchiveSize  = errors.New("keyed archive expands to too many values")
)

func (a *archive) resolve(ref plist.UID, depth int) (any, error) {
	if depth > maxArchiveDepth {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, errArchiveDepth)
	}
	if a.budget--; a.budget < 0 {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, errArchiveSize)
	}
	if uint64(ref) >= uint64(len(a.objects)) {
		return nil, fmt.Errorf("%w: keyed archive reference %d out of range", ErrCorrupt, ref)
	}
	obj := a.objects[ref]
	if s, ok := obj.(string); ok && s == "$null" {
		return nil, nil
	}
	dict, ok := obj.(map[string]any)
	if !ok {
		return obj, nil
	}
	return a.object(dict, depth)
}

func (a *archive) value(v any, depth int) (any, error) {
	switch x := v.(type) {
	case plist.UID:
		return a.resolve(x, depth+1)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := a.value(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func (a *archive) object(dict map[string]any, depth int) (any, error) {
	if keys, ok := dict["NS.keys"].([]any); ok {
		vals, _ := dict["NS.objects"].([]any)
		if len(vals) != len(keys) {
			return nil, fmt.Errorf("%w: keyed archive dictionary with %d keys and %d values", ErrCorrupt, len(keys), len(vals))
		}
		out := make(map[string]any, len(keys))
		for i := range keys {
			k, err := a.value(keys[i], depth)
			if err != nil {
				return nil, err
			}
			v, err := a.value(vals[i], depth)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = v
		}
		return out, nil
	}
	if objs, ok := dict["NS.objects"]; ok {
		return a.value(objs, depth)
	}
	for _, k := range []string{"NS.string", "NS.bytes", "NS.data"} {
		if v, ok := dict[k]; ok {
			return a.value(v, depth)
		}
	}
	if t, ok := dict["NS.time"]; ok {
		if f, ok := record.Num(t); ok && !math.IsNaN(f) && math.Abs(f) < 1e15 {
			whole, frac := math.Modf(f)
			return time.Unix(int64(whole)+978307200, int64(math.Round(frac*1e6))*1e3).UTC(), nil
		}
	}
	out := make(map[string]any, len(dict))
	for k, v := range dict {
		if k == "$class" {
			continue
		}
		r, err := a.value(v, depth)
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}

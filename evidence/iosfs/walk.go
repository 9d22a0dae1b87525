package iosfs

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
)

var errNotDir = errors.New("not a folder")

// glob expands pattern elements below folder dir, element by element as
// path.Match does, never following symbolic links. Matches of every kind
// are passed to fn.
func glob(ctx context.Context, t tree, dir string, elems []string, fn func(File)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	el, rest := elems[0], elems[1:]
	var cands []File
	if !hasMeta(el) {
		f, err := t.lstat(path.Join(dir, el))
		if err != nil {
			return nil
		}
		cands = []File{f}
	} else {
		kids, err := t.readDir(dir)
		if err != nil {
			return nil
		}
		for _, k := range kids {
			ok, err := path.Match(el, k.Name())
			if err != nil {
				return err
			}
			if ok {
				cands = append(cands, k)
			}
		}
	}
	for _, c := range cands {
		if len(rest) == 0 {
			fn(c)
		} else if c.IsDir {
			if err := glob(ctx, t, c.DevicePath, rest, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasMeta(el string) bool { return strings.ContainsAny(el, `*?[\`) }

// findGlobs returns the regular files matching any of the patterns, sorted
// by device path, without duplicates.
func findGlobs(ctx context.Context, t tree, patterns []string, normalize func(string) (string, error)) ([]File, error) {
	seen := map[string]bool{}
	var out []File
	for _, pat := range patterns {
		p, err := normalize(pat)
		if err != nil || p == "" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return nil, err
		}
		err = glob(ctx, t, "", strings.Split(p, "/"), func(f File) {
			if f.Regular() && !seen[f.DevicePath] {
				seen[f.DevicePath] = true
				out = append(out, f)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DevicePath < out[j].DevicePath })
	return out, nil
}

// walk visits every entry below dir depth-first, each folder's entries in
// name order, a folder before what it holds. Links are not followed. A
// folder below the root that cannot be listed is passed to warn and skipped.
func walk(ctx context.Context, t tree, dir string, fn func(File) error, warn func(string)) error {
	kids, err := t.readDir(dir)
	if err != nil {
		if dir == "" {
			return err
		}
		warn("list " + dir + ": " + err.Error())
		return nil
	}
	for _, k := range kids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
		if k.IsDir {
			if err := walk(ctx, t, k.DevicePath, fn, warn); err != nil {
				return err
			}
		}
	}
	return nil
}

// isNotExist reports a missing entry.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

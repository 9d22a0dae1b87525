package iosfs

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
)

// aliases are the top-level iOS folders that are symbolic links into
// /private on the device: a member named var/... is private/var/....
var aliases = [...]string{"var", "tmp", "etc"}

func isAlias(name string) bool {
	for _, a := range aliases {
		if name == a {
			return true
		}
	}
	return false
}

// rootNames are top-level names of an iOS root filesystem; a single top
// folder with one of these names is part of the dump, not a wrapper.
var rootNames = map[string]bool{
	"private": true, "var": true, "tmp": true, "etc": true, "System": true,
	"usr": true, "bin": true, "sbin": true, "Applications": true,
	"Library": true, "Developer": true, "cores": true, "dev": true,
}

var (
	errNUL         = errors.New("name contains a NUL byte")
	errDotDot      = errors.New("name contains a '..' element")
	errWindowsAbs  = errors.New("name is an absolute Windows path")
	errNotLocal    = errors.New("name is not a local path")
	errOutsideRoot = errors.New("outside the dump root")
)

// cleanName turns an archive member name or a query into a slash-separated
// relative path: leading "/" and "./" are dropped, a trailing "/" too. It
// refuses names with NUL, a ".." element, or a Windows drive or UNC prefix.
// The root itself cleans to "".
func cleanName(name string) (string, error) {
	switch {
	case strings.IndexByte(name, 0) >= 0:
		return "", errNUL
	case isWindowsAbs(name):
		return "", errWindowsAbs
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", errDotDot
		}
	}
	p := path.Clean("/" + name)
	return strings.TrimPrefix(p, "/"), nil
}

func isWindowsAbs(name string) bool {
	if strings.HasPrefix(name, `\`) {
		return true
	}
	return len(name) >= 2 && name[1] == ':' && ('a' <= name[0]|0x20 && name[0]|0x20 <= 'z')
}

// devicePath maps a cleaned path relative to the dump root to the device
// form: a leading var/, tmp/ or etc/ becomes private/var/ ... It refuses
// what filepath.IsLocal refuses.
func devicePath(rel string, ios bool) (string, error) {
	if rel == "" {
		return "", nil
	}
	first, _, _ := strings.Cut(rel, "/")
	if ios && isAlias(first) {
		rel = "private/" + rel
	}
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", errNotLocal
	}
	return rel, nil
}

// Normalize turns a device path as a module or an indicator writes it
// (/var/mobile/..., ./private/var/..., private/var/...) into the form this
// package uses: private/var/... relative to the device root, no leading or
// trailing slash. The root is "".
func Normalize(p string) (string, error) {
	c, err := cleanName(p)
	if err != nil {
		return "", err
	}
	return devicePath(c, true)
}

// rootPrefix finds where the device root is inside an archive.
//
// The rule, in order: the part of a name before the first "private/var"
// element pair, in archive order; else "" when a name starts with var/;
// else the single top folder all names share, unless it is itself an iOS
// root folder (private, System, usr ...); else "".
type rootPrefix struct {
	prefix string
	known  bool
	// plain: not an iOS root; only the single-top-folder rule applies.
	plain bool
}

// observe looks at one cleaned name; it fixes the prefix at the first name
// that holds a private/var element pair.
func (r *rootPrefix) observe(name string) {
	if r.known || r.plain {
		return
	}
	if p, ok := beforePrivateVar(name); ok {
		r.prefix, r.known = p, true
	}
}

func beforePrivateVar(name string) (string, bool) {
	for i := 0; ; {
		j := strings.Index(name[i:], "private/var")
		if j < 0 {
			return "", false
		}
		j += i
		end := j + len("private/var")
		if (j == 0 || name[j-1] == '/') && (end == len(name) || name[end] == '/') {
			return name[:j], true
		}
		i = j + 1
	}
}

// finish fixes the prefix from all cleaned names when no name held
// private/var.
func (r *rootPrefix) finish(names []string) {
	if r.known {
		return
	}
	r.known = true
	top := ""
	for i, n := range names {
		first, _, _ := strings.Cut(n, "/")
		if first == "var" && !r.plain {
			r.prefix = ""
			return
		}
		if i == 0 {
			top = first
		} else if first != top {
			top = ""
		}
	}
	if top != "" && (r.plain || !rootNames[top]) && hasChild(names, top) {
		r.prefix = top + "/"
	}
}

func hasChild(names []string, top string) bool {
	for _, n := range names {
		if strings.HasPrefix(n, top+"/") {
			return true
		}
	}
	return false
}

// strip returns the device path of a cleaned name. above reports a name
// that is the root or one of the folders holding it (skipped silently).
func (r *rootPrefix) strip(name string) (dev string, above bool, err error) {
	if name == "" || strings.HasPrefix(r.prefix, name+"/") {
		return "", true, nil
	}
	rel, ok := strings.CutPrefix(name, r.prefix)
	if !ok {
		return "", false, errOutsideRoot
	}
	dev, err = devicePath(rel, !r.plain)
	return dev, dev == "", err
}

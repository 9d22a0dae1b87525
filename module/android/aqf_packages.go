package android

// AQFPackages: the installed packages and their APK files.
//
//   androidqf: packages.json (a JSON array; hashes since 2021, certificate
//   fields since 2023-03, no hashes in -fast mode), apks/*.apk (optional
//   pulled APKs)
//
// Each package is {name, files[], installer, uid, disabled, system,
// third_party}; each file {path, local_name, md5, sha1, sha256, sha512,
// error, verified_certificate, certificate{Md5, Sha1, Sha256, …},
// certificate_error, trusted_certificate}. The records are the packages as
// written, except that a file without a SHA-256 whose APK was pulled into
// apks/ gets the APK's SHA-256 and local_name "apks/<name>.apk".

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// AQFPackages reads packages.json.
type AQFPackages struct{}

// Info implements module.Module.
func (AQFPackages) Info() module.Info {
	return module.Info{Name: "aqf_packages", Title: "AQFPackages", Kinds: androidQF}
}

// Package lists of MVT's mvt/android/utils.py.
var (
	rootPackages = packageSet("com.noshufou.android.su", "com.noshufou.android.su.elite", "eu.chainfire.supersu",
		"com.koushikdutta.superuser", "com.thirdparty.superuser", "com.yellowes.su", "com.koushikdutta.rommanager",
		"com.koushikdutta.rommanager.license", "com.dimonvideo.luckypatcher", "com.chelpus.lackypatch",
		"com.ramdroid.appquarantine", "com.ramdroid.appquarantinepro", "com.devadvance.rootcloak",
		"com.devadvance.rootcloakplus", "de.robv.android.xposed.installer", "com.saurik.substrate",
		"com.zachspong.temprootremovejb", "com.amphoras.hidemyroot", "com.amphoras.hidemyrootadfree",
		"com.formyhm.hiderootPremium", "com.formyhm.hideroot", "me.phh.superuser", "eu.chainfire.supersu.pro",
		"com.kingouser.com", "com.topjohnwu.magisk")
	securityPackages = packageSet("com.policydm", "com.samsung.android.app.omcagent",
		"com.samsung.android.securitylogagent", "com.sec.android.soagent")
	systemUpdatePackages = packageSet("com.android.updater", "com.google.android.gms", "com.huawei.android.hwouc",
		"com.lge.lgdmsclient", "com.motorola.ccc.ota", "com.oneplus.opbackup", "com.oppo.ota",
		"com.transsion.systemupdate", "com.wssyncmldm")
	thirdPartyStoreInstallers = packageSet("com.aurora.store", "org.fdroid.fdroid")
	browserInstallers         = packageSet("com.google.android.packageinstaller", "com.android.packageinstaller")
)

func packageSet(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// Extract implements module.Module.
func (AQFPackages) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	e, err := module.FindOne(ctx, src, rootFile("packages.json"))
	if err != nil {
		return fmt.Errorf("find packages.json: %w", err)
	}
	apks := &apkFolder{ctx: ctx, src: src}
	return eachJSONItem(src, e, func(v any) error {
		pkg, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("package is %T, not an object", v)
		}
		if err := apks.fillHashes(pkg); err != nil {
			return err
		}
		emit(record.Record{Data: pkg})
		return nil
	})
}

// apkFolder pairs package files with the APKs androidqf pulled into apks/.
type apkFolder struct {
	ctx    context.Context
	src    evidence.Source
	listed bool
	byName map[string]evidence.Entry
}

// fillHashes gives each file of pkg that has no SHA-256 the hash of its
// pulled APK, when there is one.
func (a *apkFolder) fillHashes(pkg map[string]any) error {
	files, _ := pkg["files"].([]any)
	name := textField(pkg, "name")
	seen := map[string]int{}
	for _, f := range files {
		file, ok := f.(map[string]any)
		if !ok {
			continue
		}
		local := apkLocalName(name, textField(file, "path"), seen)
		if textField(file, "sha256") != "" {
			continue
		}
		e, ok, err := a.find(local, name, len(files))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		sum, _, err := sha256Entry(a.src, e)
		if err != nil {
			return err
		}
		file["sha256"] = sum
		file["local_name"] = e.DevicePath
	}
	return nil
}

// apkLocalName is the name androidqf gives the pulled copy of an APK: the
// package name, then "_" and the part of the device path after its first
// "==/" (up to the next one, ".apk" removed) when the path has one, then
// "_N" for the N-th repeat of the same name.
func apkLocalName(pkg, devicePath string, seen map[string]int) string {
	suffix := ""
	if parts := strings.Split(devicePath, "==/"); len(parts) > 1 {
		if raw := strings.Replace(parts[1], ".apk", "", 1); raw != "" {
			suffix = "_" + raw
		}
	}
	base := pkg + suffix
	n := seen[base]
	seen[base]++
	if n > 0 {
		return fmt.Sprintf("%s_%d.apk", base, n)
	}
	return base + ".apk"
}

// find returns the APK named local; failing that, for a package with a
// single file, the only APK named after the package.
func (a *apkFolder) find(local, pkg string, files int) (evidence.Entry, bool, error) {
	if !a.listed {
		a.listed = true
		entries, err := a.src.Find(a.ctx, rootFile("apks/*.apk"))
		if err != nil {
			return evidence.Entry{}, false, err
		}
		a.byName = make(map[string]evidence.Entry, len(entries))
		for _, e := range entries {
			a.byName[path.Base(e.DevicePath)] = e
		}
	}
	if e, ok := a.byName[local]; ok {
		return e, true, nil
	}
	if files != 1 {
		return evidence.Entry{}, false, nil
	}
	var match []evidence.Entry
	for n, e := range a.byName {
		if n == pkg+".apk" || strings.HasPrefix(n, pkg+"_") {
			match = append(match, e)
		}
	}
	if len(match) != 1 {
		return evidence.Entry{}, false, nil
	}
	return match[0], true, nil
}

// Observables implements module.Module: the package name, then per file
// its hashes and its signing certificate's hashes.
func (AQFPackages) Observables(r record.Record) []record.Observable {
	out := module.Observe(record.Critical, record.AppID, "name", r.String("name"))
	files, _ := r.Data["files"].([]any)
	for _, f := range files {
		file, ok := f.(map[string]any)
		if !ok {
			continue
		}
		for _, h := range []string{"sha256", "sha1", "md5"} {
			out = append(out, module.Observe(record.Critical, record.FileHash, h, textField(file, h))...)
		}
		cert, _ := file["certificate"].(map[string]any)
		for _, h := range []string{"Md5", "Sha1", "Sha256"} {
			out = append(out, module.Observe(record.Critical, record.CertHash, "certificate."+h, textField(cert, h))...)
		}
	}
	return out
}

// Timeline implements module.Module: packages.json carries no time.
func (AQFPackages) Timeline(record.Record) []record.Event { return nil }

// NewInspector implements module.Heuristic: MVT's judgement of how a
// package was installed and whether a security package is disabled.
func (AQFPackages) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		name, installer := r.String("name"), r.String("installer")
		if rootPackages[name] {
			raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Found an installed package related to rooting/jailbreaking: \"%s\"", name)))
			return
		}
		switch {
		case thirdPartyStoreInstallers[installer]:
			raise(module.Alert(record.Info, r, "", fmt.Sprintf("Found a package installed via a third party store (installer=\"%s\"): \"%s\"", installer, name)))
		case browserInstallers[installer]:
			raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Found a package installed via a browser (installer=\"%s\"): \"%s\"", installer, name)))
		case installer == "null" && r.Data["system"] == false:
			raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Found a non-system package installed via adb or another method: \"%s\"", name)))
		}
		if !record.Truthy(r.Data["disabled"]) {
			return
		}
		if securityPackages[name] {
			raise(module.Alert(record.Medium, r, "", fmt.Sprintf("Security package \"%s\" disabled on the phone", name)))
		}
		if systemUpdatePackages[name] {
			raise(module.Alert(record.Medium, r, "", fmt.Sprintf("System OTA update package \"%s\" disabled on the phone", name)))
		}
	})
}

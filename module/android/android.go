// Package android holds spycheck's Android modules, one file per artifact.
// Each file opens with the artifact's location inside the acquisition and
// the acquisition tool versions it covers.
//
// Modules here follow MVT's record fields, timeline events, indicator
// checks and heuristics (see DIFFERENCES.md for where we deliberately do
// better), so results folders stay compatible. Files are found relative to
// the acquisition root (the sources present an androidqf folder or zip,
// with or without its top folder, at the root).
//
// # AndroidQF modules
//
//   - aqf_packages (AQFPackages, packages.json; APKs under apks/ are hashed
//     when the list has no hashes): indicators on the package name, each
//     file's SHA-256/SHA-1/MD5 and its signing certificate's MD5/SHA-1/
//     SHA-256. Heuristics: a root/jailbreak package (MEDIUM, nothing else
//     judged for it), installed from a third-party store (INFORMATIONAL),
//     from a browser (MEDIUM), installer "null" on a non-system package
//     (MEDIUM), a disabled security or system-update package (MEDIUM).
//   - aqf_processes (AQFProcesses, processes.json, processes.txt or the
//     legacy ps.txt, whichever exists first in that order): indicators on the
//     process name as app ID then process, on the executable and command
//     line (processes.json); gatekeeperd is never matched.
//   - aqf_get_prop (AQFGetProp, getprop.txt): indicators on the property
//     name; ro.build.version.security_patch older than six months (MEDIUM).
//   - aqf_settings (AQFSettings, settings_*.txt): security settings left at
//     an unsafe value, e.g. Play Protect off (MEDIUM).
//   - aqf_files (AQFFiles, files.json as an array or NDJSON; times in the
//     device's time zone from getprop.txt): indicators on the path and
//     hashes; a file under /data/local/tmp/ other than androidqf's collector
//     (HIGH, "executable" when the mode says so).
//   - aqf_log_timestamps (AQFLogTimestamps, logs/…): a timeline of the
//     pulled log files' modification times.
//   - root_binaries (RootBinaries, root_binaries.json): every root binary
//     found (HIGH).
//   - mounts (Mounts, mounts.json): indicators on mount point and device; a
//     system partition mounted read-write (HIGH); rw/remount/noatime/
//     nodiratime on a system partition (MEDIUM, noatime allowed on
//     /system_ext, /product, /vendor, /system_dlkm, /vendor_dlkm).
//   - selinux (SELinux, selinux.txt; MVT does not read it): a non-empty
//     status other than "Enforcing" (HIGH "SELinux is not enforcing").
//   - env (Environment, env.txt; MVT does not read it): LD_PRELOAD set, or
//     LD_LIBRARY_PATH/PATH holding a relative or empty entry, a writable
//     location (/data, /sdcard, /storage, /mnt, /tmp, /cache) or a root tool
//     folder (magisk, su, /debug_ramdisk) (MEDIUM); preloaded libraries are
//     checked against file path indicators.
//   - logcat (Logcat, logcat.txt and logcat_old.txt; MVT does not read
//     them): URLs (any scheme) and host=/hostname= values in log lines
//     against domain indicators; process names from "Start proc" lines and
//     every log tag against process indicators.
//   - tmp_files (TmpFiles, tmp/…; MVT does not read it): every pulled file
//     hashed (SHA-256) against hash indicators and its device path against
//     path indicators; a file from /data/local/tmp/ other than the collector
//     (MEDIUM).
//
// # Android backup modules
//
//   - sms (SMSBackup, apps/com.android.providers.telephony/d_f/*_sms_backup
//     and *_mms_backup of an .ab file or unpacked folder, read through
//     android/ab): zlib JSON lists of messages; links in the body against
//     URL indicators and into urls.json. No timeline, as in MVT.
//
// # Intrusion log modules (Android 16+)
//
//   - dns_event (DnsEvent), connect_event (ConnectEvent) and
//     security_event (SecurityEvent): NDJSON events from every *.txt and
//     *.json file, identical events read once; host names, addresses, apps
//     and adb paths against indicators; security-event heuristics (CA
//     installed, certificate validation failure, key integrity violation,
//     wipe failure, failed crypto self test: MEDIUM).
//     ReadIntrusionLogReport sums up unknown event types and bad lines.
//
// # Bug report modules
//
// These read the dumpsys output: a bug report's dumpstate (the file
// main_entry.txt names, else dumpState_*.log) or androidqf's dumpsys.txt,
// split into sections by package android/dumpsys. They run on bug reports
// and androidqf acquisitions alike.
//
//   - dumpsys_accessibility (DumpsysAccessibility): indicators on the
//     service's package; every accessibility service (MEDIUM).
//   - dumpsys_activities (DumpsysActivities), dumpsys_receivers
//     (DumpsysReceivers, one record per receiver), dumpsys_packages
//     (DumpsysPackages: a rooting package, MEDIUM), dumpsys_platform_compat
//     (DumpsysPlatformCompat, traces of uninstalled apps),
//     dumpsys_battery_history (DumpsysBatteryHistory), dbinfo
//     (DumpsysDBInfo): indicators on package names.
//   - dumpsys_appops (DumpsysAppops): REQUEST_INSTALL_PACKAGES use, and any
//     permission of com.android.shell (MEDIUM).
//   - dumpsys_battery_daily (DumpsysBatteryDaily): an uninstall (vers 0) or
//     a downgrade (MEDIUM).
//   - dumpsys_get_prop (DumpsysGetProp): the dumpstate's system properties,
//     judged as aqf_get_prop.
//   - dumpsys_adb_state (DumpsysADBState): trusted ADB keys; on androidqf,
//     keys other than the acquisition host's (LOW) or the host's key last
//     used a day or more before the acquisition (INFORMATIONAL).
//   - bugreport_timestamps (BugReportTimestamps, bug reports only): a
//     timeline of FS/ files' modification times.
//   - tombstones (Tombstones, bug reports only): native crashes, text and
//     protobuf; indicators on the process; a crash as root, system or
//     shell (MEDIUM).
package android

import "github.com/spycheck/spycheck/evidence"

// androidQF is for modules that read androidqf acquisitions.
var androidQF = []evidence.Kind{evidence.AndroidQF}

// Package ioc loads published indicators of compromise and answers one
// question for the checker: does this observed value match one of them?
//
// # What it reads
//
// [Load] takes files and folders. A folder is walked recursively (hidden
// folders such as .git are left out) and yields:
//
//   - STIX 2.1 bundles (*.stix2, *.json), the format Amnesty, MVT and others
//     publish indicators in;
//   - plain lists (*.txt) named after what they hold: domains.txt,
//     ip-addresses.txt, processes.txt, file_paths.txt, file_names.txt,
//     sha256.txt, sha1.txt, md5.txt, emails.txt, package_names.txt or
//     app_ids.txt, package_cert_hashes.txt, config_profiles.txt, urls.txt,
//     and MVT's own bucket names (files_sha256.txt, ios_profile_ids.txt …).
//     Other .txt files in a folder (notes, copies of YAML) are not
//     indicators and are ignored. A .txt file named explicitly on the
//     command line with another name is read too, each line's type guessed
//     from its shape: a URL with a scheme, an IP address, an e-mail address,
//     an absolute path, a 32/40/64-digit hex hash, or else a domain.
//
// In a list, blank lines and lines starting with # are skipped, and the
// collection name of every value is the name of the folder holding the file
// (mvt-indicators keeps one folder per campaign).
//
// STIX bundles are read as MVT reads them: malware objects name families,
// reports name campaigns, and an indicator belongs to the first report whose
// object_refs lists it, else to the first malware a relationship from it
// points to, else to no collection (its Name is "" and its File still says
// where it came from). Files are loaded STIX first, plain lists second, and
// a value already loaded keeps its first collection, so a value that appears
// both in rcs.stix2 and in the domains.txt beside it is reported under the
// malware name rather than the folder name.
//
// # Patterns
//
// Indicator patterns are STIX patterning expressions. No Go STIX library is
// available to this project (the module proxy refuses them all), and the
// subset published indicators use is small, so the parser here is written by
// hand: observation expressions in brackets, comparisons joined by OR (each
// comparison becomes one indicator; MVT ignores such compound patterns), a
// string value in single quotes with \' and \\ escapes, spaces anywhere
// between tokens. The object paths understood are listed in [Load]'s
// documentation. Valid STIX the index cannot use — other object types
// (ipv6-addr, x509-certificate …), other operators (LIKE, MATCHES, !=),
// AND, FOLLOWEDBY and qualifiers, non-STIX pattern languages (sigma, yara)
// — is skipped and reported by [Index.Skipped], as are values no
// observable can equal (a "domain" holding a path, an IP range); text that
// is not STIX patterning at all is an error naming the file and the object.
//
// # Matching
//
// [Index.Lookup] takes a [record.Observable] and uses the rule of its kind:
// exact URL, then the URL's host and each parent domain down to the
// registrable one; IP hosts by address; e-mail addresses case-insensitively;
// process names with the 15/16-character truncation rule; paths by file name
// and by whole-component prefix, with /var, /tmp and /etc equal to their
// /private twins; hashes, certificate hashes, app ids, property names and
// profile UUIDs case-insensitively. Every rule is one to a few map lookups,
// so checking a record costs the same with a hundred or a hundred thousand
// indicators. Where these rules differ from MVT's, DIFFERENCES.md says how
// and why. No lookup touches the network: URL shorteners are not expanded.
//
// An [Index] is never modified after [Load] returns, so any number of
// goroutines may call its methods at once.
package ioc

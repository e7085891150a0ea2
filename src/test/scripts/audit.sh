#!/usr/bin/env bash
# Known-vulnerable dependency report (make audit).
#   src/test/scripts/audit.sh            report; exit 1 if a check FOUND vulnerabilities
#   AUDIT_STRICT=1 src/test/scripts/audit.sh   also exit 2 if a check could not run (no advisory data reachable)
#   DEPENDENCY_CHECK=1 [NVD_API_KEY=…]   also run OWASP dependency-check on the Maven dependencies (needs the NVD)
# Output under target/audit/. Each check prints FOUND, CLEAN or UNCHECKED; UNCHECKED is never reported as clean.
# Every result line also goes to target/audit/report.txt (the run's artifact: kept, never cleaned here).
# With CI set, checks that could not run end the output with a banner naming them (exit stays 0
# unless AUDIT_STRICT=1): a green CI run must not read as "no known vulnerabilities".
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
out=target/audit
mkdir -p "$out"
report="$out/report.txt"
{ echo "# make audit, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"; } >"$report"
MVN="${MVN:-mvn -B}"
DEPENDENCY_CHECK_VERSION="${DEPENDENCY_CHECK_VERSION:-13.0.0}"
found=0
unchecked=0
unchecked_what=()
# One result line: to the output and to the report.
result() {
  echo "$*" | tee -a "$report"
  case "$1" in UNCHECKED) unchecked=1; unchecked_what+=("${*:2}") ;; FOUND) found=1 ;; esac
}

# npm: the demo page bundles its devDependencies (React) into the jar, so audit all of them, not --omit=dev.
npm_audit() { # dir label
  local dir="$1" label="$2" json="$out/npm-$2.json" rc
  (cd "$dir" && npm audit --json >"$root/$json" 2>"$root/$out/npm-$label.err"); rc=$?
  if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if "metadata" in d else 1)' "$json" 2>/dev/null; then
    result UNCHECKED "npm ($label): the npm advisory endpoint did not answer ($(grep -m1 -oE '[0-9]{3} [A-Za-z]+( [A-Za-z]+)*' "$out/npm-$label.err" || echo "exit $rc"))"
    return
  fi
  local summary
  summary=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["metadata"]["vulnerabilities"]; print(" ".join(f"{k}={n}" for k,n in v.items() if k!="total"), "total=%d" % v["total"])' "$json")
  if [[ "$summary" == *"total=0" ]]; then
    result CLEAN "npm ($label): $summary"
  else
    result FOUND "npm ($label): $summary  (details: cd $dir && npm audit)"
  fi
}
npm_audit src/main/frontend frontend
npm_audit src/test/frontend browser-e2e

# Maven: no advisory database (OSV, GitHub, OSS Index, NVD) is reachable from every machine, so
# always write the resolved versions; scan them only where the NVD is reachable.
if $MVN -q dependency:list -Dfrontend.skip=true -DincludeScope=runtime -DoutputFile="$out/maven-runtime.txt" \
     -DexcludeTransitive=false -Dsort=true >"$out/maven.log" 2>&1; then
  result LISTED "maven: $(grep -cE '^ +[^ ]+:[^ ]+:' "$out/maven-runtime.txt") runtime dependencies in $out/maven-runtime.txt"
else
  result UNCHECKED "maven: mvn dependency:list failed (see $out/maven.log)"
fi
if [[ "${DEPENDENCY_CHECK:-0}" == 1 ]]; then
  if $MVN org.owasp:dependency-check-maven:"$DEPENDENCY_CHECK_VERSION":check -Dfrontend.skip=true \
       -DskipTestScope=true -DfailBuildOnCVSS=7 -Dformats=HTML,JSON -DoutputDirectory="$root/$out" \
       ${NVD_API_KEY:+-DnvdApiKey="$NVD_API_KEY"} >"$out/dependency-check.log" 2>&1; then
    result CLEAN "maven (OWASP dependency-check, CVSS >= 7): $out/dependency-check-report.html"
  elif grep -qE 'Failed to update|Unable to download|UnknownHostException|NoDataException' "$out/dependency-check.log"; then
    result UNCHECKED "maven: dependency-check could not reach the NVD (see $out/dependency-check.log)"
  else
    result FOUND "maven (OWASP dependency-check, CVSS >= 7): $out/dependency-check-report.html"
  fi
else
  result UNCHECKED "maven: no advisory data here; where the NVD is reachable run DEPENDENCY_CHECK=1 make audit"
fi

if (( unchecked )); then
  {
    echo
    echo "################################################################################"
    echo "## AUDIT UNCHECKED: ${#unchecked_what[@]} check(s) had no advisory data to check against:"
    for w in "${unchecked_what[@]}"; do echo "##   - $w"; done
    echo "## This run does NOT show that these dependencies are free of known vulnerabilities."
    echo "## Report: $out/report.txt$([[ -n "${CI:-}" ]] && echo ' (CI artifact)')"
    echo "################################################################################"
  } | tee -a "$report" >&2
fi
echo "audit report: $report"
if (( found )); then exit 1; fi
if (( unchecked )) && [[ "${AUDIT_STRICT:-0}" == 1 ]]; then exit 2; fi
exit 0

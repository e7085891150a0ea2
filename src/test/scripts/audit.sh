#!/usr/bin/env bash
# Known-vulnerable dependency report (make audit).
#   src/test/scripts/audit.sh            report; exit 1 if a check FOUND vulnerabilities
#   AUDIT_STRICT=1 src/test/scripts/audit.sh   also exit 2 if a check could not run (no advisory data reachable)
#   DEPENDENCY_CHECK=1 [NVD_API_KEY=…]   also run OWASP dependency-check on the Maven dependencies (needs the NVD)
# Output under target/audit/. Each check prints FOUND, CLEAN or UNCHECKED; UNCHECKED is never reported as clean.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
out=target/audit
mkdir -p "$out"
MVN="${MVN:-mvn -B}"
DEPENDENCY_CHECK_VERSION="${DEPENDENCY_CHECK_VERSION:-13.0.0}"
found=0
unchecked=0

# npm: the demo page bundles its devDependencies (React) into the jar, so audit all of them, not --omit=dev.
npm_audit() { # dir label
  local dir="$1" label="$2" json="$out/npm-$2.json" rc
  (cd "$dir" && npm audit --json >"$root/$json" 2>"$root/$out/npm-$label.err"); rc=$?
  if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if "metadata" in d else 1)' "$json" 2>/dev/null; then
    echo "UNCHECKED npm ($label): the npm advisory endpoint did not answer ($(grep -m1 -oE '[0-9]{3} [A-Za-z]+( [A-Za-z]+)*' "$out/npm-$label.err" || echo "exit $rc"))"
    unchecked=1
    return
  fi
  local summary
  summary=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["metadata"]["vulnerabilities"]; print(" ".join(f"{k}={n}" for k,n in v.items() if k!="total"), "total=%d" % v["total"])' "$json")
  if [[ "$summary" == *"total=0" ]]; then
    echo "CLEAN npm ($label): $summary"
  else
    echo "FOUND npm ($label): $summary  (details: cd $dir && npm audit)"
    found=1
  fi
}
npm_audit src/main/frontend frontend
npm_audit src/test/frontend browser-e2e

# Maven: no advisory database (OSV, GitHub, OSS Index, NVD) is reachable from every machine, so
# always write the resolved versions; scan them only where the NVD is reachable.
if $MVN -q dependency:list -Dfrontend.skip=true -DincludeScope=runtime -DoutputFile="$out/maven-runtime.txt" \
     -DexcludeTransitive=false -Dsort=true >"$out/maven.log" 2>&1; then
  echo "LISTED maven: $(grep -cE '^ +[^ ]+:[^ ]+:' "$out/maven-runtime.txt") runtime dependencies in $out/maven-runtime.txt"
else
  echo "UNCHECKED maven: mvn dependency:list failed (see $out/maven.log)"; unchecked=1
fi
if [[ "${DEPENDENCY_CHECK:-0}" == 1 ]]; then
  if $MVN org.owasp:dependency-check-maven:"$DEPENDENCY_CHECK_VERSION":check -Dfrontend.skip=true \
       -DskipTestScope=true -DfailBuildOnCVSS=7 -Dformats=HTML,JSON -DoutputDirectory="$root/$out" \
       ${NVD_API_KEY:+-DnvdApiKey="$NVD_API_KEY"} >"$out/dependency-check.log" 2>&1; then
    echo "CLEAN maven (OWASP dependency-check, CVSS >= 7): $out/dependency-check-report.html"
  elif grep -qE 'Failed to update|Unable to download|UnknownHostException|NoDataException' "$out/dependency-check.log"; then
    echo "UNCHECKED maven: dependency-check could not reach the NVD (see $out/dependency-check.log)"; unchecked=1
  else
    echo "FOUND maven (OWASP dependency-check, CVSS >= 7): $out/dependency-check-report.html"; found=1
  fi
else
  echo "UNCHECKED maven: no advisory data here; where the NVD is reachable run DEPENDENCY_CHECK=1 make audit"
  unchecked=1
fi

if (( found )); then exit 1; fi
if (( unchecked )) && [[ "${AUDIT_STRICT:-0}" == 1 ]]; then exit 2; fi
exit 0

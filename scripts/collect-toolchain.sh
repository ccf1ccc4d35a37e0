#!/bin/sh
# Prints this machine's toolchain as JSON for `opsdeck import software FILE`.
# POSIX sh, installs nothing:  sh scripts/collect-toolchain.sh > toolchain.json
serial=$( (ioreg -rd1 -c IOPlatformExpertDevice 2>/dev/null | awk -F'"' '/IOPlatformSerialNumber/{print $4}'; cat /sys/class/dmi/id/product_serial 2>/dev/null) | head -n1)
printf '{"serial": "%s", "hostname": "%s", "reported_at": "%s", "tools": [' "$serial" "$(hostname)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
sep=; for t in "go version" "gcc -dumpfullversion" "clang --version" "node --version" "python3 --version" "rustc --version" "java -version"; do
  v=$($t 2>&1 | head -n1 | grep -Eo '[0-9]+(\.[0-9]+)+' | head -n1) || continue
  [ -n "$v" ] && printf '%s{"name": "%s", "version": "%s"}' "$sep" "${t%% *}" "$v" && sep=', '
done; echo ']}'

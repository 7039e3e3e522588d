#!/usr/bin/env bash
# down.sh - stop the services that up.sh started from STATE_DIR, and nothing else.
#
# Usage:  test/cloud/down.sh [--profile NAME] [STATE_DIR]     (same defaults as up.sh)
#
# up.sh launched every service with `setsid`, so each pid in STATE_DIR/run/*.pid is also the id of a process group
# holding only that service and its own children (uwsgi workers...). Each group gets SIGTERM, then SIGKILL after 15 s.
# A recycled pid (start time differs from the recorded one) is left alone. The state dir is kept (delete it for a
# clean cloud next time). Adapted from shared/testbed/stop.sh ("openstack-lab" reference).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
while [[ $# -gt 0 ]]; do
  case $1 in
    --profile) CLOUD_PROFILE=$2; shift 2 ;;
    --profile=*) CLOUD_PROFILE=${1#*=}; shift ;;
    *) break ;;
  esac
done
# shellcheck source=env.sh
source "$HERE/env.sh" || exit 2
STATE=${1:-${STATE_DIR:-$(default_state_dir)}}
[[ -d $STATE/run ]] || { echo "down.sh: no $STATE/run, nothing to stop"; exit 0; }
STATE=$(cd "$STATE" && pwd)
load_state_settings "$STATE"
LOG_TAG=down.sh
# shellcheck source=lib.sh
source "$HERE/lib.sh"

shopt -s nullglob
pidfiles=("$RUN"/*.pid)
[[ ${#pidfiles[@]} -gt 0 ]] || { echo "down.sh: no pid files in $RUN"; exit 0; }

# TERM all groups first (they shut down in parallel), then wait for / KILL each.
for f in "${pidfiles[@]}"; do
  name=$(basename "$f" .pid); pid=$(cat "$f")
  [[ $pid =~ ^[0-9]+$ ]] || continue
  if stale_pid "$name"; then continue; fi
  group_alive "$pid" && { log "$name: TERM (pgid $pid)"; kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; }
done
for f in "${pidfiles[@]}"; do
  service_stop "$(basename "$f" .pid)" 2>&1 | grep -v ') not running' >&2 || true
done
echo "down.sh: stopped everything started from $STATE"

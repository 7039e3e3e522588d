#!/usr/bin/env bash
# glance.sh - stop, start, restart or kill ONE service of a running test cloud (fault tests: "Glance restarted
# mid-transfer"). Touches only the process group up.sh (or this script) recorded for that service in STATE_DIR/run.
#
# Usage:  test/cloud/glance.sh STATE_DIR stop|start|restart|kill|status [glance1|glance2|keystone|cinder]
#   stop     SIGTERM the service's process group, SIGKILL after 15 s; waits until it is gone
#   kill     SIGKILL at once (a crash)
#   start    start it again with the same configuration; waits until it answers
#   restart  stop + start
#   status   prints "NAME running PID" or "NAME stopped" (exit 0 / 3)
# The service name defaults to glance1 (RegionOne's image API).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $# -ge 2 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
STATE=$1 ACTION=$2 NAME=${3:-glance1}
[[ -f $STATE/.initialized ]] || { echo "glance.sh: $STATE is not an initialised cloud state dir" >&2; exit 2; }
STATE=$(cd "$STATE" && pwd)
# shellcheck source=env.sh
source "$HERE/env.sh"
load_state_settings "$STATE"
LOG_TAG="glance.sh $NAME"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
service_port "$NAME" >/dev/null

start_one() {
  if ! already_running "$NAME" && port_in_use "$(service_port "$NAME")"; then
    die "port $LAB_HOST:$(service_port "$NAME") is held by another process"
  fi
  service_start "$NAME"
  service_wait "$NAME" 90
}

case $ACTION in
  stop) service_stop "$NAME" TERM ;;
  kill) service_stop "$NAME" KILL ;;
  start) start_one ;;
  restart) service_stop "$NAME" TERM; start_one ;;
  status)
    if already_running "$NAME"; then echo "$NAME running $(cat "$RUN/$NAME.pid")"; else echo "$NAME stopped"; exit 3; fi ;;
  *) echo "glance.sh: unknown action '$ACTION' (stop|start|restart|kill|status)" >&2; exit 2 ;;
esac

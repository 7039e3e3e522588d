# shellcheck shell=bash
# lib.sh - helpers shared by up.sh, down.sh and glance.sh: start/stop one service of a state dir.
# (Adapted from shared/testbed/start.sh and stop.sh of the "openstack-lab" reference.)
# Expects: STATE (absolute), env.sh sourced and load_state_settings "$STATE" done.

ETC=$STATE/etc LOG=$STATE/log RUN=$STATE/run
mkdir -p "$ETC" "$LOG" "$RUN"

log() { echo "[${LOG_TAG:-cloud} $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# A pid file is stale if its leader is alive but started at another time than recorded (pid recycled).
stale_pid() {
  local name=$1 pid want now
  pid=$(cat "$RUN/$name.pid" 2>/dev/null) || return 1
  [[ -f $RUN/$name.start && -r /proc/$pid/stat ]] || return 1
  want=$(cat "$RUN/$name.start"); now=$(awk '{print $22}' "/proc/$pid/stat")
  [[ -n $want && $want != "$now" ]]
}

# already_running NAME: the process this state dir started as NAME is alive.
already_running() {
  local pidf=$RUN/$1.pid
  [[ -f $pidf ]] && kill -0 "$(cat "$pidf")" 2>/dev/null && ! stale_pid "$1"
}

# start_bg NAME CMD... : run CMD in a new session (own process group, so stop_service can signal the whole group it
# created and nothing else), output to LOG/NAME.log, pid to RUN/NAME.pid.
start_bg() {
  local name=$1; shift
  if already_running "$name"; then
    log "$name already running (pid $(cat "$RUN/$name.pid"))"; return 0
  fi
  setsid "$@" >>"$LOG/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
  # process start time (jiffies since boot): lets stop_service detect a recycled pid
  awk '{print $22}' "/proc/$!/stat" > "$RUN/$name.start" 2>/dev/null || true
  log "started $name pid $!"
}

# port_in_use PORT: something already listens on LAB_HOST:PORT.
port_in_use() { (exec 3<>"/dev/tcp/$LAB_HOST/$1") 2>/dev/null; }

# wait_http NAME URL [TIMEOUT]: poll until URL answers with a 2xx/3xx.
wait_http() {
  local name=$1 url=$2 timeout=${3:-90} i
  for ((i = 0; i < timeout * 5; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
      log "$name answers at $url"; return 0
    fi
    if ! already_running "$name"; then
      tail -n 40 "$LOG/$name.log" >&2 || true
      die "$name died during start-up (log: $LOG/$name.log)"
    fi
    sleep 0.2
  done
  tail -n 40 "$LOG/$name.log" >&2 || true
  die "$name did not answer at $url within ${timeout}s"
}

service_port() {
  case $1 in
    keystone) echo "$KEYSTONE_PORT" ;;
    glance1) echo "$GLANCE_PORT" ;;
    glance2) echo "$GLANCE2_PORT" ;;
    cinder) echo "$CINDER_PORT" ;;
    *) die "unknown service '$1' (keystone, glance1, glance2, cinder)" ;;
  esac
}

# service_start NAME: start one service of an initialised state dir (does not wait).
service_start() {
  local name=$1
  case $name in
    keystone)
      # uwsgi speaks HTTP itself (--http-socket). NO threads: keystone+SQLite under a threaded uwsgi worker fails with
      # "database is locked"; two single-threaded worker processes are fine. 'Connection: close': uwsgi's
      # --http-socket does not keep connections alive; without the header keystoneauth sessions (keystonemiddleware in
      # glance/cinder) reuse a pooled connection uwsgi already closed and the APIs answer 503.
      start_bg keystone env OS_KEYSTONE_CONFIG_FILES="$ETC/keystone/keystone.conf" \
        uwsgi --plugin python3 \
          --http-socket "$LAB_HOST:$KEYSTONE_PORT" \
          --wsgi-file /usr/bin/keystone-wsgi-public \
          --master --processes 2 \
          --die-on-term --need-app --no-orphans \
          --add-header 'Connection: close' \
          --buffer-size 65535
      ;;
    glance1 | glance2)
      [[ -f $ETC/glance/$name.conf ]] || die "$name is not configured in $STATE"
      # python3-glance ships no glance-api script: run the module.
      start_bg "$name" $PY -m glance.cmd.api --config-file "$ETC/glance/$name.conf"
      ;;
    cinder)
      [[ -f $ETC/cinder/cinder.conf ]] || die "cinder is not configured in $STATE"
      start_bg cinder env PYTHONPATH="$CLOUD_DIR${PYTHONPATH:+:$PYTHONPATH}" \
        $PY -m cinder_lab.aio --config-file "$ETC/cinder/cinder.conf"
      ;;
    *) die "unknown service '$name'" ;;
  esac
}

# service_wait NAME [TIMEOUT]: until the service answers.
service_wait() {
  local name=$1 t=${2:-90}
  case $name in
    keystone) wait_http keystone "$KEYSTONE_URL/v3" "$t" ;;
    glance1 | glance2 | cinder) wait_http "$name" "http://$LAB_HOST:$(service_port "$name")/healthcheck" "$t" ;;
  esac
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# service_stop NAME [SIGNAL]: signal the process group this state dir started as NAME (TERM, then KILL after 15 s;
# with SIGNAL=KILL at once), wait until it is gone, remove its pid file. Touches nothing else.
service_stop() {
  local name=$1 sig=${2:-TERM} f=$RUN/$1.pid pid i
  [[ -f $f ]] || { log "$name: not started from $STATE"; return 0; }
  pid=$(cat "$f")
  if [[ ! $pid =~ ^[0-9]+$ ]]; then rm -f "$f" "$RUN/$name.start"; return 0; fi
  if stale_pid "$name"; then
    log "$name: pid $pid was recycled by another process, leaving it alone"; rm -f "$f" "$RUN/$name.start"; return 0
  fi
  if group_alive "$pid"; then
    log "$name: $sig (pgid $pid)"
    kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null
    for ((i = 0; i < 75; i++)); do group_alive "$pid" || break; sleep 0.2; done
    if group_alive "$pid"; then
      log "$name: KILL (pgid $pid)"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
      for ((i = 0; i < 25; i++)); do group_alive "$pid" || break; sleep 0.2; done
    fi
  else
    log "$name: (pid $pid) not running"
  fi
  rm -f "$f" "$RUN/$name.start"
}

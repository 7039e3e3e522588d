#!/usr/bin/env bash
# up.sh - bring up the project's throw-away OpenStack on loopback: Keystone v3 + two Glance v2 regions + Cinder v3.
#
# Usage:  test/cloud/up.sh [--profile NAME] [STATE_DIR]
#           STATE_DIR defaults to <repo>/.cloud-state (with a profile: <repo>/.cloud-state-NAME)
#         CLOUD_PROFILE=faults test/cloud/up.sh            same as --profile faults
#         KEYSTONE_PORT=5500 GLANCE_PORT=9592 ... test/cloud/up.sh /tmp/other   any knob of env.sh
#
# Adapted from the shared loopback testbed (shared/testbed/start.sh, "openstack-lab": Keystone + Glance + Cinder from
# Debian's packages, SQLite and file stores); the project carries its own copy because users and CI clone only the repo.
#
# Everything (configs, SQLite DBs, fernet keys, image stores, volumes, logs, pid files) lives under STATE_DIR.
# A STATE_DIR that was already initialised is reused with the settings it was created with (STATE/lab-settings.sh);
# delete it for a clean cloud. Services, all bound to LAB_HOST (127.0.0.1), each in its own process group, recorded in
# STATE_DIR/run/*.pid for down.sh and glance.sh:
#   keystone   uwsgi + keystone-wsgi-public           :KEYSTONE_PORT (5000)  RegionOne + RegionTwo identity
#   glance1    python3 -m glance.cmd.api              :GLANCE_PORT   (9292)  RegionOne image, single file store
#   glance2    python3 -m glance.cmd.api              :GLANCE2_PORT  (9293)  RegionTwo image, 2 file stores (ENABLE_REGION2=1)
#   cinder     python3 -m cinder_lab.aio              :CINDER_PORT   (8776)  api+scheduler+volume (ENABLE_CINDER=1)
# Knobs: see env.sh; profiles: profiles/*.env.
# Writes STATE_DIR/admin-openrc.sh, demo-openrc.sh, reader-openrc.sh (read by test/support/cloud.ts).
# If start-up fails, everything it started is stopped again and the script exits non-zero.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
while [[ $# -gt 0 ]]; do
  case $1 in
    --profile) CLOUD_PROFILE=$2; shift 2 ;;
    --profile=*) CLOUD_PROFILE=${1#*=}; shift ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
# shellcheck source=env.sh
source "$HERE/env.sh"

STATE=${1:-${STATE_DIR:-$(default_state_dir)}}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
LOG_TAG="up.sh"
T0=$(date +%s.%N)

# A state dir whose initialisation was interrupted cannot be resumed (keystone bootstrap / project creation are not
# idempotent): wipe it.
if [[ ! -f $STATE/.initialized && -d $STATE/keystone ]]; then
  echo "[up.sh] $STATE was never fully initialised: wiping it" >&2
  "$HERE/down.sh" "$STATE" >/dev/null 2>&1 || true
  rm -rf "${STATE:?}/keystone" "${STATE:?}/glance1" "${STATE:?}/glance2" "${STATE:?}/cinder" "${STATE:?}/etc" "${STATE:?}/run"
fi
# A reused state dir keeps the topology it was created with.
[[ -f $STATE/.initialized ]] && load_state_settings "$STATE"

# shellcheck source=lib.sh
source "$HERE/lib.sh"

# On any failure: stop whatever this run started, so CI is not left with half a cloud holding the ports.
on_exit() {
  local rc=$?
  if [[ $rc != 0 ]]; then
    log "start-up failed (rc=$rc); stopping services started from $STATE"
    "$HERE/down.sh" "$STATE" >&2 || true
  fi
}
trap on_exit EXIT

check_ports() {
  local p name
  for p in "$@"; do
    name=${p%%:*}; p=${p##*:}
    already_running "$name" && continue
    if port_in_use "$p"; then die "port $LAB_HOST:$p (for $name) is already in use; stop the other cloud first or choose other ports (env.sh)"; fi
  done
}

sqlite_wal() {
  $PY -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print("journal_mode:", c.execute("PRAGMA journal_mode=WAL").fetchone()[0]); c.close()' "$1" >/dev/null
}

# ------------------------------------------------------------- keystone ------

keystone_configure() {
  mkdir -p "$STATE/keystone/fernet-keys" "$STATE/keystone/credential-keys" "$ETC/keystone"
  cat > "$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
# logs go to stderr -> $LOG/keystone.log
debug = false
[database]
connection = sqlite:///$STATE/keystone/keystone.db
[token]
provider = fernet
expiration = ${KEYSTONE_TOKEN_EXPIRATION}
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
$(keystone_cache_section)
EOF
}

# Keystone's cache (KEYSTONE_CACHE, env.sh). Off by default: uwsgi runs two worker processes, and dogpile's memory
# backend is per process, so with it on a role or user changed through one worker could be read stale through the
# other for up to its expiration_time, 600 s (tests create and change users and roles all the time). Production Keystones cache
# (memcached, shared); the benchmarks turn it on (one in-process cache per worker, nothing changed under them) so that
# what they time is the client and not Keystone's ~500 uncached SQL queries per token validation (1.3 s here).
keystone_cache_section() {
  if [[ $KEYSTONE_CACHE == 1 ]]; then
    printf '[cache]\nenabled = true\nbackend = dogpile.cache.memory\n'
  else
    printf '[cache]\nenabled = false\n'
  fi
}

keystone_init() {
  local kconf=(--config-file "$ETC/keystone/keystone.conf")
  log "keystone: db_sync"
  keystone-manage "${kconf[@]}" db_sync >>"$LOG/keystone-manage.log" 2>&1
  # WAL journal (persistent in the DB file): readers no longer block a
  # writer's commit. Without it keystone intermittently fails writes with
  # "(sqlite3.OperationalError) database is locked" after a 5 s wait, because
  # some connection keeps a read transaction open.
  sqlite_wal "$STATE/keystone/keystone.db"
  log "keystone: fernet_setup / credential_setup"
  keystone-manage "${kconf[@]}" fernet_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
  keystone-manage "${kconf[@]}" credential_setup --keystone-user root --keystone-group root >>"$LOG/keystone-manage.log" 2>&1
  log "keystone: bootstrap admin/admin, RegionOne, identity endpoints"
  keystone-manage "${kconf[@]}" bootstrap \
    --bootstrap-username admin --bootstrap-password "$ADMIN_PASSWORD" \
    --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$KEYSTONE_URL/v3/" \
    --bootstrap-internal-url "$KEYSTONE_URL/v3/" \
    --bootstrap-public-url "$KEYSTONE_URL/v3/" >>"$LOG/keystone-manage.log" 2>&1
}

keystone_start() {
  service_start keystone
  service_wait keystone 90
}

# ---------------------------------------------- keystone REST helpers (curl) --

KS_TOKEN=""
# The admin token is kept in a file so that calls in $(...) subshells share it, and renewed when older than a third
# of the token lifetime (the shorttoken profile's tokens live 20 s; populating Keystone on a busy machine takes longer).
KS_TOKEN_FILE=$RUN/.admin-token
KS_TOKEN_MAX_AGE=$(( KEYSTONE_TOKEN_EXPIRATION / 3 > 3600 ? 3600 : KEYSTONE_TOKEN_EXPIRATION / 3 ))
ks_token() {  # admin project-scoped token
  KS_TOKEN=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"admin\",\"domain\":{\"id\":\"default\"},\"password\":\"$ADMIN_PASSWORD\"}}},\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"id\":\"default\"}}}}}" \
    "$KEYSTONE_URL/v3/auth/tokens" | awk 'tolower($1)=="x-subject-token:"{print $2}' | tr -d '\r')
  [[ -n $KS_TOKEN ]] || die "could not get admin token"
  (umask 077; printf '%s' "$KS_TOKEN" > "$KS_TOKEN_FILE")
}
ks_fresh_token() {
  if [[ ! -s $KS_TOKEN_FILE || $(( $(date +%s) - $(stat -c %Y "$KS_TOKEN_FILE") )) -ge $KS_TOKEN_MAX_AGE ]]; then ks_token; fi
  KS_TOKEN=$(cat "$KS_TOKEN_FILE")
}
# ks METHOD PATH [JSON] -> response body on stdout; fails on HTTP error
ks() {
  local m=$1 p=$2 d=${3:-}
  ks_fresh_token
  if [[ -n $d ]]; then
    curl -fsS -X "$m" -H "X-Auth-Token: $KS_TOKEN" -H 'Content-Type: application/json' -d "$d" "$KEYSTONE_URL/v3$p"
  else
    curl -fsS -X "$m" -H "X-Auth-Token: $KS_TOKEN" "$KEYSTONE_URL/v3$p"
  fi
}
ks_id() { jq -r ".$1.id"; }   # extract .<kind>.id from a create response

ks_endpoints() {  # service_id region url
  local iface
  for iface in public internal admin; do
    ks POST /endpoints "{\"endpoint\":{\"service_id\":\"$1\",\"region_id\":\"$2\",\"interface\":\"$iface\",\"url\":\"$3\",\"enabled\":true}}" >/dev/null
  done
}

keystone_populate() {
  ks_token
  local role_admin role_member role_reader svc_proj demo_proj uid img_svc id_svc
  role_admin=$(ks GET "/roles?name=admin" | jq -r '.roles[0].id')
  role_member=$(ks GET "/roles?name=member" | jq -r '.roles[0].id')
  role_reader=$(ks GET "/roles?name=reader" | jq -r '.roles[0].id')

  log "keystone: projects service + demo, users glance/demo/demo-reader"
  svc_proj=$(ks POST /projects '{"project":{"name":"service","domain_id":"default","description":"service users"}}' | ks_id project)
  demo_proj=$(ks POST /projects '{"project":{"name":"demo","domain_id":"default","description":"non-admin test project"}}' | ks_id project)

  # Service user that keystonemiddleware (in glance) uses to validate tokens.
  uid=$(ks POST /users "{\"user\":{\"name\":\"glance\",\"domain_id\":\"default\",\"password\":\"$SERVICE_PASSWORD\"}}" | ks_id user)
  ks PUT "/projects/$svc_proj/users/$uid/roles/$role_admin"
  if [[ $ENABLE_CINDER == 1 ]]; then
    uid=$(ks POST /users "{\"user\":{\"name\":\"cinder\",\"domain_id\":\"default\",\"password\":\"$SERVICE_PASSWORD\"}}" | ks_id user)
    ks PUT "/projects/$svc_proj/users/$uid/roles/$role_admin"
  fi

  # Non-admin user with 'member' on project demo (permission tests).
  uid=$(ks POST /users "{\"user\":{\"name\":\"demo\",\"domain_id\":\"default\",\"password\":\"$DEMO_PASSWORD\",\"default_project_id\":\"$demo_proj\"}}" | ks_id user)
  ks PUT "/projects/$demo_proj/users/$uid/roles/$role_member"
  # Read-only user on project demo ('reader' role).
  uid=$(ks POST /users "{\"user\":{\"name\":\"demo-reader\",\"domain_id\":\"default\",\"password\":\"$DEMO_PASSWORD\",\"default_project_id\":\"$demo_proj\"}}" | ks_id user)
  ks PUT "/projects/$demo_proj/users/$uid/roles/$role_reader"

  log "keystone: catalog entries"
  img_svc=$(ks POST /services '{"service":{"type":"image","name":"glance","description":"OpenStack Image"}}' | ks_id service)
  ks_endpoints "$img_svc" RegionOne "http://$LAB_HOST:$GLANCE_PORT"
  if [[ $ENABLE_REGION2 == 1 ]]; then
    ks POST /regions '{"region":{"id":"RegionTwo","description":"second region (second glance-api)"}}' >/dev/null
    ks_endpoints "$img_svc" RegionTwo "http://$LAB_HOST:$GLANCE2_PORT"
    # Identity is global; give RegionTwo identity endpoints too so clients that
    # filter the whole catalog by region still find keystone.
    id_svc=$(ks GET "/services?type=identity" | jq -r '.services[0].id')
    ks_endpoints "$id_svc" RegionTwo "$KEYSTONE_URL/v3/"
  fi
  if [[ $ENABLE_CINDER == 1 ]]; then
    local vol_svc
    vol_svc=$(ks POST /services '{"service":{"type":"volumev3","name":"cinderv3","description":"OpenStack Block Storage"}}' | ks_id service)
    ks_endpoints "$vol_svc" RegionOne "http://$LAB_HOST:$CINDER_PORT/v3/%(project_id)s"
    # 'block-storage' is the service-types-authority name newer SDKs look for.
    vol_svc=$(ks POST /services '{"service":{"type":"block-storage","name":"cinder","description":"OpenStack Block Storage"}}' | ks_id service)
    ks_endpoints "$vol_svc" RegionOne "http://$LAB_HOST:$CINDER_PORT/v3/%(project_id)s"
  fi
}

# --------------------------------------------------------------- glance ------

# The paste pipeline is the stock Zed glance-api-paste.ini (from Debian's
# glance-common, /usr/share/glance-common/glance-api-paste.ini), trimmed to the
# 'keystone' flavour. python3-glance does not ship it.
glance_paste() {
  mkdir -p "$ETC/glance"
  cat > "$ETC/glance/glance-api-paste.ini" <<EOF
[pipeline:glance-api-keystone]
pipeline = cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler authtoken context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:healthcheck]
paste.filter_factory = oslo_middleware:Healthcheck.factory
backends = disable_by_file
disable_by_file_path = $STATE/glance-healthcheck-disable

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true

[filter:osprofiler]
paste.filter_factory = osprofiler.web:WsgiMiddleware.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = glance
oslo_config_program = glance-api

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory
EOF
}

# glance_configure NAME PORT REGION MODE   (MODE: single | multi)
glance_configure() {
  local name=$1 port=$2 region=$3 mode=$4 d=$STATE/$1
  mkdir -p "$d/images" "$d/staging" "$d/tasks" "$d/lock" "$d/images-b"
  local methods='[glance-direct,web-download]' storecfg
  if [[ $mode == single ]]; then
    # Classic single-store config: [glance_store] + node_staging_uri.
    storecfg="[glance_store]
stores = file,http
default_store = file
filesystem_store_datadir = $d/images/"
    local staging="node_staging_uri = file://$d/staging"
  else
    # Multi-store config: two file backends, enables GET /v2/info/stores and
    # the copy-image import method. Staging/tasks use reserved stores.
    # D1 (issue 15): glance-download too: this region pulls an image from
    # another region of the same Keystone (RegionOne's Glance on GLANCE_PORT,
    # hence that port in [import_filtering_opts] allowed_ports below).
    methods='[glance-direct,web-download,copy-image,glance-download]'
    storecfg="[glance_store]
default_backend = fast

[fast]
filesystem_store_datadir = $d/images/
store_description = fast file store

[cheap]
filesystem_store_datadir = $d/images-b/
store_description = cheap file store

[os_glance_staging_store]
filesystem_store_datadir = $d/staging/

[os_glance_tasks_store]
filesystem_store_datadir = $d/tasks/"
    local staging="enabled_backends = fast:file,cheap:file"
  fi
  local rbac=false
  [[ $GLANCE_SECURE_RBAC == 1 ]] && rbac=true
  cat > "$ETC/glance/$name.conf" <<EOF
[DEFAULT]
enforce_secure_rbac = $rbac
bind_host = $LAB_HOST
bind_port = $port
# 0 = a single API process (eventlet green threads); one pid to manage.
workers = 0
debug = false
$staging
enabled_import_methods = $methods
# Max bytes of one image (default 1 TiB). 413 above it.
image_size_cap = $GLANCE_IMAGE_SIZE_CAP
# Per-user storage quota, 0 = unlimited.
user_storage_quota = 0
# web-download only; the http store lets images have http locations.
show_image_direct_url = false
show_multiple_locations = false

[database]
connection = sqlite:///$d/glance.db

$storecfg

[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = glance
password = $SERVICE_PASSWORD
region_name = $region
# no memcached: keystonemiddleware caches validated tokens in-process
token_cache_time = $TOKEN_CACHE_TIME

[paste_deploy]
flavor = keystone
config_file = $ETC/glance/glance-api-paste.ini

[oslo_concurrency]
lock_path = $d/lock

[oslo_messaging_notifications]
driver = noop

[oslo_policy]
# Zed default: legacy policies (admin-or-owner). GLANCE_SECURE_RBAC=1 turns on
# the new persona defaults (must match [DEFAULT] enforce_secure_rbac).
enforce_new_defaults = $rbac
enforce_scope = false

[import_filtering_opts]
# web-download from a test http server on loopback: loopback hosts are
# refused unless listed in allowed_hosts (Debian's SSRF patches), and only
# ports in allowed_ports are fetched (default [80,443]).
allowed_schemes = [http,https]
allowed_hosts = [127.0.0.1,localhost]
allowed_ports = [$WEB_DOWNLOAD_PORTS$([[ $mode == multi ]] && echo ",$GLANCE_PORT")]
$([[ $mode == multi ]] && printf '%s\n' '' '[glance_download_properties]' \
  '# the properties glance-download copies from the source (prefixes; Glance'"'"'s default set);' \
  '# the client sets every other property itself when it creates the target image' \
  'extra_properties = [hw_,trait:,os_distro,os_secure_boot,os_type]')

[image_import_opts]
image_import_plugins = []

[taskflow_executor]
engine_mode = serial
max_workers = 2
EOF
}

glance_init() {
  local name=$1
  log "$name: db_sync"
  # python3-glance ships no glance-manage script; call the module directly.
  $PY -m glance.cmd.manage --config-file "$ETC/glance/$name.conf" db_sync >>"$LOG/$name-manage.log" 2>&1 \
    || { tail -n 30 "$LOG/$name-manage.log" >&2; die "$name db_sync failed"; }
}

glance_start() { service_start "$1"; }

# ---------------------------------------------------------------- cinder -----
if [[ $ENABLE_CINDER == 1 ]]; then
  # shellcheck source=cinder-lib.sh
  source "$HERE/cinder-lib.sh"
  $PY -c 'import cinder' 2>/dev/null || die "python3-cinder missing: run test/cloud/install.sh"
fi

# ------------------------------------------------------------------ main -----

# The settings this state dir is created with; reused (and read by glance.sh, smoke.sh, test/support/cloud.ts) later.
write_settings() {
  local v
  {
    echo "# written by test/cloud/up.sh when $STATE was created"
    for v in CLOUD_PROFILE LAB_HOST KEYSTONE_PORT GLANCE_PORT GLANCE2_PORT CINDER_PORT ENABLE_REGION2 ENABLE_CINDER \
             GLANCE_SECURE_RBAC GLANCE_IMAGE_SIZE_CAP KEYSTONE_TOKEN_EXPIRATION TOKEN_CACHE_TIME WEB_DOWNLOAD_PORTS; do
      printf '%s=%q\n' "$v" "${!v:-}"
    done
  } > "$STATE/lab-settings.sh"
}

command -v keystone-manage >/dev/null || die "python3-keystone missing: run test/cloud/install.sh"
$PY -c 'import glance' 2>/dev/null || die "python3-glance missing: run test/cloud/install.sh"
log "state $STATE (profile ${CLOUD_PROFILE:-default}): keystone :$KEYSTONE_PORT, glance1 :$GLANCE_PORT$([[ $ENABLE_REGION2 == 1 ]] && echo ", glance2 :$GLANCE2_PORT")$([[ $ENABLE_CINDER == 1 ]] && echo ", cinder :$CINDER_PORT")"

ports=("keystone:$KEYSTONE_PORT" "glance1:$GLANCE_PORT")
[[ $ENABLE_REGION2 == 1 ]] && ports+=("glance2:$GLANCE2_PORT")
[[ $ENABLE_CINDER == 1 ]] && ports+=("cinder:$CINDER_PORT")
check_ports "${ports[@]}"

if [[ ! -f $STATE/.initialized ]]; then
  log "initialising new cloud in $STATE"
  # populated with the cache off: keystone_populate writes and reads across both uwsgi workers, and a worker's cache
  # would keep what it read before the other one wrote (an empty catalog). KEYSTONE_CACHE applies from the restart below.
  KEYSTONE_CACHE=0 keystone_configure
  glance_paste
  glance_configure glance1 "$GLANCE_PORT" RegionOne single
  [[ $ENABLE_REGION2 == 1 ]] && glance_configure glance2 "$GLANCE2_PORT" RegionTwo multi
  [[ $ENABLE_CINDER == 1 ]] && cinder_configure
  # DB initialisation of the services is independent: run it in parallel.
  pids=()
  keystone_init & pids+=($!)
  glance_init glance1 & pids+=($!)
  if [[ $ENABLE_REGION2 == 1 ]]; then glance_init glance2 & pids+=($!); fi
  if [[ $ENABLE_CINDER == 1 ]]; then cinder_init & pids+=($!); fi
  for p in "${pids[@]}"; do wait "$p" || die "initialisation failed (see $LOG)"; done
  keystone_start
  # glance only talks to keystone when the first request arrives, so it can
  # boot while the catalog/users are being created.
  glance_start glance1 "$GLANCE_PORT"
  [[ $ENABLE_REGION2 == 1 ]] && glance_start glance2 "$GLANCE2_PORT"
  keystone_populate
  if [[ $KEYSTONE_CACHE == 1 ]]; then
    keystone_configure
    service_stop keystone
    keystone_start
  fi
  write_settings
  touch "$STATE/.initialized"
else
  log "reusing initialised cloud in $STATE"
  # Glance's configuration is generated again from the saved settings, so that a change to glance_configure
  # reaches existing states (the databases and images are kept).
  glance_paste
  glance_configure glance1 "$GLANCE_PORT" RegionOne single
  [[ $ENABLE_REGION2 == 1 ]] && glance_configure glance2 "$GLANCE2_PORT" RegionTwo multi
  # Keystone's too (its keys and database are kept): KEYSTONE_CACHE is a knob of every start.
  keystone_configure
  keystone_start
  glance_start glance1 "$GLANCE_PORT"
  [[ $ENABLE_REGION2 == 1 ]] && glance_start glance2 "$GLANCE2_PORT"
fi

[[ $ENABLE_CINDER == 1 ]] && service_start cinder
service_wait glance1 90
[[ $ENABLE_REGION2 == 1 ]] && service_wait glance2 90
[[ $ENABLE_CINDER == 1 ]] && cinder_wait

# openrc files
write_rc() {  # file user password project
  cat > "$1" <<EOF
export OS_AUTH_URL=$KEYSTONE_URL/v3
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=$2
export OS_PASSWORD=$3
export OS_PROJECT_NAME=$4
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
EOF
}
write_rc "$STATE/admin-openrc.sh" admin "$ADMIN_PASSWORD" admin
write_rc "$STATE/demo-openrc.sh" demo "$DEMO_PASSWORD" demo
write_rc "$STATE/reader-openrc.sh" demo-reader "$DEMO_PASSWORD" demo

rm -f "$KS_TOKEN_FILE"
trap - EXIT
T1=$(date +%s.%N)
log "cloud up in $($PY -c "print(round($T1-$T0,1))")s; state: $STATE"
cat "$STATE/admin-openrc.sh"
echo "# demo (member): $STATE/demo-openrc.sh, demo-reader (reader): $STATE/reader-openrc.sh; stop: test/cloud/down.sh $STATE"

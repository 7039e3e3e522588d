# shellcheck shell=bash
# cinder-lib.sh - Cinder v3 pieces for up.sh (sourced when ENABLE_CINDER=1).
# Adapted from shared/testbed/cinder-lib.sh ("openstack-lab" reference).
#
# Topology: ONE process (cinder_lab/aio.py) runs cinder-api, cinder-scheduler
# and cinder-volume, talking over oslo.messaging's in-memory fake:// transport,
# so no RabbitMQ is needed. Volume backend: cinder_lab/filedriver.py, one
# sparse file per volume under STATE/cinder/volumes; create-from-image really
# downloads the image from glance and converts it to raw with qemu-img.
# (LVM is impossible here: the kernel has no device-mapper. The fake driver
# shipped in python3-cinder, cinder.tests.fake_driver.FakeLoggingVolumeDriver,
# does reach 'available' with a volume type whose volume_backend_name=fake,
# but when run as root it writes the converted image to
# /dev/mapper/cinder--volumes-volume--<id>, outside the state dir: not used.)
# Requires: test/cloud/install.sh (python3-cinder; qemu-utils). The service is started by lib.sh (service_start cinder).

cinder_configure() {
  local d=$STATE/cinder
  mkdir -p "$d/volumes" "$d/conversion" "$d/lock" "$d/coord" "$ETC/cinder"
  cat > "$ETC/cinder/cinder.conf" <<EOF
[DEFAULT]
host = lab
my_ip = $LAB_HOST
state_path = $d
debug = false
auth_strategy = keystone
# in-process RPC between api/scheduler/volume (all in one process)
transport_url = fake://
osapi_volume_listen = $LAB_HOST
osapi_volume_listen_port = $CINDER_PORT
# >1 would fork, and fake:// does not cross processes
osapi_volume_workers = 1
api_paste_config = $ETC/cinder/api-paste.ini
resource_query_filters_file = $ETC/cinder/resource_filters.json
enabled_backends = lab
default_volume_type = lab
glance_api_servers = http://$LAB_HOST:$GLANCE_PORT
image_conversion_dir = $d/conversion
# not used (no root helper needed by the file driver), but must be a path
rootwrap_config = $ETC/cinder/rootwrap.conf
# scheduler/volume periodic stats
report_interval = 5
periodic_interval = 10
service_down_time = 60

[lab]
volume_backend_name = lab
volume_driver = cinder_lab.filedriver.FileVolumeDriver
lab_volumes_dir = $d/volumes

[database]
connection = sqlite:///$d/cinder.db

[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = cinder
password = $SERVICE_PASSWORD
region_name = RegionOne
service_token_roles_required = true
token_cache_time = $TOKEN_CACHE_TIME

[oslo_concurrency]
lock_path = $d/lock

[oslo_messaging_notifications]
driver = noop

[coordination]
backend_url = file://$d/coord

[oslo_policy]
enforce_new_defaults = false
enforce_scope = false
EOF
  # Stock api-paste.ini of Zed (Debian ships it in cinder-common, which
  # python3-cinder lacks), 'keystone' pipeline only.
  cat > "$ETC/cinder/api-paste.ini" <<EOF
[composite:osapi_volume]
use = call:cinder.api:root_app_factory
/: apiversions
/healthcheck: healthcheck
/v3: openstack_volume_api_v3

[composite:openstack_volume_api_v3]
use = call:cinder.api.middleware.auth:pipeline_factory
keystone = request_id cors http_proxy_to_wsgi faultwrap sizelimit osprofiler authtoken keystonecontext apiv3

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = cinder

[filter:faultwrap]
paste.filter_factory = cinder.api.middleware.fault:FaultWrapper.factory

[filter:osprofiler]
paste.filter_factory = osprofiler.web:WsgiMiddleware.factory

[filter:sizelimit]
paste.filter_factory = oslo_middleware.sizelimit:RequestBodySizeLimiter.factory

[app:apiv3]
paste.app_factory = cinder.api.v3.router:APIRouter.factory

[pipeline:apiversions]
pipeline = request_id cors http_proxy_to_wsgi faultwrap osvolumeversionapp

[app:osvolumeversionapp]
paste.app_factory = cinder.api.versions:Versions.factory

[pipeline:healthcheck]
pipeline = request_id healthcheckapp

[app:healthcheckapp]
paste.app_factory = oslo_middleware:Healthcheck.app_factory
backends = disable_by_file
disable_by_file_path = $STATE/cinder-healthcheck-disable

[filter:keystonecontext]
paste.filter_factory = cinder.api.middleware.auth:CinderKeystoneContext.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:request_id]
paste.filter_factory = cinder.api.middleware.request_id:RequestId.factory
EOF
  cat > "$ETC/cinder/resource_filters.json" <<'EOF'
{
    "volume": ["name", "status", "metadata",
               "bootable", "migration_status", "availability_zone",
               "group_id", "size", "created_at", "updated_at",
               "consumes_quota"],
    "backup": ["name", "status", "volume_id"],
    "snapshot": ["name", "status", "volume_id", "metadata",
                 "availability_zone", "consumes_quota"],
    "group": ["name"],
    "group_snapshot": ["name", "status", "group_id"],
    "attachment": ["volume_id", "status", "instance_id", "attach_status"],
    "message": ["resource_uuid", "resource_type", "event_id",
                "request_id", "message_level"],
    "pool": ["name", "volume_type"],
    "volume_type": ["is_public", "extra_specs"]
}
EOF
}

cinder_manage() {
  $PY -c 'import sys; sys.argv[0] = "cinder-manage"; from cinder.cmd.manage import main; sys.exit(main())' \
    --config-file "$ETC/cinder/cinder.conf" "$@"
}

cinder_init() {
  log "cinder: db sync"
  cinder_manage db sync >>"$LOG/cinder-manage.log" 2>&1 \
    || { tail -n 30 "$LOG/cinder-manage.log" >&2; die "cinder db sync failed"; }
  sqlite_wal "$STATE/cinder/cinder.db"
}

# Wait for the API, then make sure a volume type 'lab' bound to the backend
# exists (default_volume_type points at it) and the volume service is up.
cinder_wait() {
  service_wait cinder 120
  ks_fresh_token
  local proj vurl i
  proj=$(ks GET "/projects?name=admin" | jq -r '.projects[0].id')
  vurl="http://$LAB_HOST:$CINDER_PORT/v3/$proj"
  if ! curl -fsS -H "X-Auth-Token: $KS_TOKEN" "$vurl/types" | jq -e '.volume_types[]|select(.name=="lab")' >/dev/null; then
    curl -fsS -H "X-Auth-Token: $KS_TOKEN" -H 'Content-Type: application/json' \
      -d '{"volume_type":{"name":"lab","extra_specs":{"volume_backend_name":"lab"},"os-volume-type-access:is_public":true}}' \
      "$vurl/types" >/dev/null || die "cannot create volume type"
    log "cinder: volume type 'lab' created"
  fi
  for ((i = 0; i < 120; i++)); do
    ks_fresh_token
    if curl -fsS -H "X-Auth-Token: $KS_TOKEN" "$vurl/os-services?binary=cinder-volume" \
       | jq -e '.services[]|select(.state=="up")' >/dev/null 2>&1; then
      log "cinder-volume is up"; return 0
    fi
    sleep 0.5
  done
  die "cinder-volume not up (log: $LOG/cinder.log)"
}

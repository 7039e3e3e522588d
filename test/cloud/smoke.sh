#!/usr/bin/env bash
# smoke.sh - exercise the Keystone v3 + Glance v2 (+ Cinder v3) flows the app relies on, with plain curl, against a
# cloud started by up.sh. Exits non-zero on the first failed check. Copied from shared/testbed/smoke.sh
# ("openstack-lab" reference).
#
# Usage:  test/cloud/smoke.sh [--profile NAME] [STATE_DIR]     (same defaults as up.sh)
#   SMOKE_VERBOSE=1  print response excerpts
#   SMOKE_KEEP=1     keep the images it created
#
# Everything it sends goes to 127.0.0.1. A throw-away `python3 -m http.server` on the first free port of
# 18080-18082 (or WEB_PORT) is started for the web-download import and killed (by its pid) on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
while [[ $# -gt 0 ]]; do
  case $1 in
    --profile) CLOUD_PROFILE=$2; shift 2 ;;
    --profile=*) CLOUD_PROFILE=${1#*=}; shift ;;
    *) break ;;
  esac
done
# shellcheck source=env.sh
source "$HERE/env.sh"
STATE=${1:-${STATE_DIR:-$(default_state_dir)}}
STATE=$(cd "$STATE" && pwd)
# ports/topology the cloud in STATE was created with
load_state_settings "$STATE"
WORK=$(mktemp -d "$STATE/smoke.XXXXXX")
if [[ -z ${WEB_PORT:-} ]]; then
  for WEB_PORT in 18080 18081 18082; do (exec 3<>"/dev/tcp/$LAB_HOST/$WEB_PORT") 2>/dev/null || break; done
fi
G1="http://$LAB_HOST:$GLANCE_PORT"
G2="http://$LAB_HOST:$GLANCE2_PORT"
PATCH_CT='Content-Type: application/openstack-images-v2.1-json-patch'

PASS=0 FAIL=0 HTTP_PID="" CREATED=()

say()  { echo "  $*"; }
ok()   { PASS=$((PASS + 1)); echo "ok   - $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; echo "       last response: HTTP $CODE $(head -c 600 "$WORK/body" 2>/dev/null)"; exit 1; }
show() {  # print a response excerpt (SMOKE_VERBOSE=1), skipping binary bodies
  [[ ${SMOKE_VERBOSE:-0} == 1 ]] || return 0
  if head -c 400 "$1" | LC_ALL=C grep -q '[^[:print:][:space:]]'; then
    echo "       > (binary, $(stat -c %s "$1") bytes)"
  else
    echo "       > $(head -c "${2:-400}" "$1" | tr '\n' ' ')"
  fi
}

cleanup() {
  local rc=$?
  if [[ -n $HTTP_PID ]]; then kill "$HTTP_PID" 2>/dev/null || true; wait "$HTTP_PID" 2>/dev/null || true; fi
  if [[ ${SMOKE_KEEP:-0} != 1 && -n ${ADMIN_TOKEN:-} ]]; then
    for entry in "${CREATED[@]}"; do
      local base=${entry%%|*} id=${entry##*|}
      curl -s -o /dev/null -X PATCH -H "X-Auth-Token: $ADMIN_TOKEN" -H "$PATCH_CT" \
        -d '[{"op":"replace","path":"/protected","value":false}]' "$base/v2/images/$id" || true
      curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $ADMIN_TOKEN" "$base/v2/images/$id" || true
    done
  fi
  rm -rf "$WORK"
  echo "${PASS} passed, ${FAIL} failed"
  exit $rc
}
trap cleanup EXIT

# req METHOD URL TOKEN [extra curl args...]  -> sets CODE, body in $WORK/body,
# headers in $WORK/hdr
req() {
  local m=$1 url=$2 tok=$3; shift 3
  local auth=()
  [[ -n $tok ]] && auth=(-H "X-Auth-Token: $tok")
  CODE=$(curl -sS -X "$m" "${auth[@]}" -D "$WORK/hdr" -o "$WORK/body" -w '%{http_code}' "$@" "$url")
}
expect() {  # expect CODE description
  [[ $CODE == "$1" ]] || fail "$2 (expected HTTP $1, got $CODE)"
  ok "$2 -> $CODE"; show "$WORK/body"
}
jb() { jq -r "$1" "$WORK/body"; }              # jq on last body
hdr() { awk -v h="$(echo "$1" | tr 'A-Z' 'a-z')" 'BEGIN{FS=": "} tolower($1)==h{print $2}' "$WORK/hdr" | tr -d '\r'; }

# token USER PASSWORD PROJECT -> prints token; catalog saved to $WORK/catalog.USER.json
token() {
  req POST "$KEYSTONE_URL/v3/auth/tokens" "" -H 'Content-Type: application/json' -d \
    "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$1\",\"domain\":{\"name\":\"Default\"},\"password\":\"$2\"}}},\"scope\":{\"project\":{\"name\":\"$3\",\"domain\":{\"name\":\"Default\"}}}}}"
  [[ $CODE == 201 ]] || fail "token for $1 ($CODE)"
  cp "$WORK/body" "$WORK/catalog.$1.json"
  hdr X-Subject-Token
}

wait_status() {  # wait_status BASE ID WANTED [TIMEOUT]
  local base=$1 id=$2 want=$3 t=${4:-120} s i
  for ((i = 0; i < t * 2; i++)); do
    req GET "$base/v2/images/$id" "$ADMIN_TOKEN"
    s=$(jb .status)
    [[ $s == "$want" ]] && return 0
    [[ $s == killed || $s == deleted ]] && break
    sleep 0.5
  done
  fail "image $id did not reach $want (status=$s)"
}

# ------------------------------------------------------------ keystone ------
echo "# keystone"
ADMIN_TOKEN=$(token admin "$ADMIN_PASSWORD" admin)
[[ -n $ADMIN_TOKEN ]] && ok "POST /v3/auth/tokens (admin, project scope) -> 201 + X-Subject-Token"
say "token length ${#ADMIN_TOKEN}; expires $(jq -r .token.expires_at "$WORK/catalog.admin.json")"
img_eps=$(jq -r '.token.catalog[] | select(.type=="image") | .endpoints[] | "\(.region_id):\(.interface):\(.url)"' "$WORK/catalog.admin.json" | sort | tr '\n' ' ')
say "image endpoints: $img_eps"
[[ $img_eps == *"RegionOne:public:$G1"* ]] || fail "catalog lacks RegionOne image endpoint"
ok "catalog has image endpoint RegionOne ($G1)"
# RegionTwo tests run when start.sh registered a second glance (ENABLE_REGION2=1)
HAVE_R2=0
if [[ $img_eps == *"RegionTwo:public:"* ]]; then
  HAVE_R2=1; G2=$(jq -r '.token.catalog[] | select(.type=="image") | .endpoints[] | select(.region_id=="RegionTwo" and .interface=="public") | .url' "$WORK/catalog.admin.json")
  ok "catalog has image endpoint RegionTwo ($G2)"
fi
roles=$(jq -r '[.token.roles[].name]|sort|join(",")' "$WORK/catalog.admin.json")
say "admin roles: $roles"
DEMO_TOKEN=$(token demo "$DEMO_PASSWORD" demo)
ok "token for non-admin demo (roles: $(jq -r '[.token.roles[].name]|sort|join(",")' "$WORK/catalog.demo.json"))"
READER_TOKEN=$(token demo-reader "$DEMO_PASSWORD" demo)
ok "token for demo-reader (roles: $(jq -r '[.token.roles[].name]|sort|join(",")' "$WORK/catalog.demo-reader.json"))"
req GET "$KEYSTONE_URL/v3/auth/tokens" "$ADMIN_TOKEN" -H "X-Subject-Token: $DEMO_TOKEN"
expect 200 "GET /v3/auth/tokens (validate)"
req POST "$KEYSTONE_URL/v3/auth/tokens" "" -H 'Content-Type: application/json' -d \
  '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"wrong"}}}}}'
expect 401 "wrong password"

# -------------------------------------------------------------- glance ------
echo "# glance basics ($G1)"
req GET "$G1/" ""
[[ $CODE == 300 || $CODE == 200 ]] || fail "GET / versions"; ok "GET / (versions) -> $CODE: $(jb '[.versions[].id]|join(",")')"
req GET "$G1/v2/images" ""
expect 401 "GET /v2/images without token"
say "WWW-Authenticate: $(hdr WWW-Authenticate)"
req GET "$G1/v2/images" "$ADMIN_TOKEN"
expect 200 "GET /v2/images"
req GET "$G1/v2/schemas/image" "$ADMIN_TOKEN"
expect 200 "GET /v2/schemas/image"
say "schema properties: $(jb '.properties|keys|length') (disk_format enum: $(jb '.properties.disk_format.enum|join(",")'))"
req GET "$G1/v2/info/import" "$ADMIN_TOKEN"
expect 200 "GET /v2/info/import"
say "import methods: $(jb '."import-methods".value|join(",")')"
[[ $(jb '."import-methods".value|join(",")') == *web-download* ]] || fail "web-download not enabled"

echo "# create / upload / download"
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' -d '{
  "name":"smoke-raw","disk_format":"raw","container_format":"bare","visibility":"public",
  "min_disk":1,"min_ram":128,"protected":false,"tags":["smoke","raw"],
  "os_distro":"debian","os_version":"12","architecture":"x86_64",
  "hw_qemu_guest_agent":"yes","hw_vif_multiqueue_enabled":"true","hw_firmware_type":"uefi"}'
expect 201 "POST /v2/images (raw, public, custom props)"
IMG=$(jb .id); CREATED+=("$G1|$IMG")
say "id=$IMG status=$(jb .status) tags=$(jb '.tags|join(",")') os_distro=$(jb .os_distro) hw_firmware_type=$(jb .hw_firmware_type) min_disk=$(jb .min_disk) location=$(hdr Location)"
[[ $(jb .status) == queued ]] || fail "new image not queued"

head -c $((8 * 1024 * 1024 + 123)) /dev/urandom > "$WORK/small.raw"
MD5=$(md5sum < "$WORK/small.raw" | cut -d' ' -f1)
SHA512=$(sha512sum < "$WORK/small.raw" | cut -d' ' -f1)
req PUT "$G1/v2/images/$IMG/file" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/small.raw"
expect 204 "PUT /v2/images/{id}/file (8 MiB, Content-Length)"
req GET "$G1/v2/images/$IMG" "$ADMIN_TOKEN"
say "status=$(jb .status) size=$(jb .size) checksum=$(jb .checksum) os_hash_algo=$(jb .os_hash_algo) virtual_size=$(jb .virtual_size)"
[[ $(jb .status) == active && $(jb .checksum) == "$MD5" && $(jb .os_hash_value) == "$SHA512" ]] || fail "active + md5 + sha512 match"
ok "image active, checksum (md5) and os_hash_value (sha512) match"

req PUT "$G1/v2/images/$IMG/file" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/small.raw"
expect 409 "second PUT file on an active image"

req GET "$G1/v2/images/$IMG/file" "$ADMIN_TOKEN"
expect 200 "GET /v2/images/{id}/file"
say "Content-MD5: $(hdr Content-MD5)  Content-Length: $(hdr Content-Length)  Content-Type: $(hdr Content-Type)"
[[ $(hdr Content-MD5) == "$MD5" ]] || fail "Content-MD5 header equals md5 checksum"
cmp -s "$WORK/body" "$WORK/small.raw" || fail "downloaded bytes differ"
ok "downloaded bytes identical, Content-MD5 = checksum"

req GET "$G1/v2/images/$IMG/file" "$ADMIN_TOKEN" -H 'Range: bytes=100-199'
expect 206 "GET file with Range: bytes=100-199"
say "Content-Range: $(hdr Content-Range)  Content-Length: $(hdr Content-Length)  Content-MD5: $(hdr Content-MD5)"
cmp -s "$WORK/body" <(tail -c +101 "$WORK/small.raw" | head -c 100) || fail "range bytes differ"
ok "range bytes match"
req GET "$G1/v2/images/$IMG/file" "$ADMIN_TOKEN" -H 'Range: bytes=-50'
say "suffix range bytes=-50 -> HTTP $CODE $(hdr Content-Range) ($(stat -c %s "$WORK/body") bytes)"
req GET "$G1/v2/images/$IMG/file" "$ADMIN_TOKEN" -H 'Range: bytes=999999999-'
say "unsatisfiable range -> HTTP $CODE"

# chunked upload: body streamed from a pipe (curl -T - => Transfer-Encoding: chunked, no Content-Length)
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"smoke-chunked","disk_format":"iso","container_format":"bare"}'
expect 201 "POST /v2/images (iso, private by default: $(jb .visibility))"
IMG_C=$(jb .id); CREATED+=("$G1|$IMG_C")
CODE=$(cat "$WORK/small.raw" | curl -sS -X PUT -H "X-Auth-Token: $ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' \
  -H 'Transfer-Encoding: chunked' -T - -D "$WORK/hdr" -o "$WORK/body" -w '%{http_code}' "$G1/v2/images/$IMG_C/file")
expect 204 "PUT file with Transfer-Encoding: chunked (no Content-Length)"
req GET "$G1/v2/images/$IMG_C" "$ADMIN_TOKEN"
[[ $(jb .checksum) == "$MD5" && $(jb .size) == $(stat -c %s "$WORK/small.raw") ]] || fail "chunked upload size/checksum"
ok "chunked upload stored size=$(jb .size), checksum matches"

echo "# patch / tags"
req PATCH "$G1/v2/images/$IMG" "$ADMIN_TOKEN" -H "$PATCH_CT" -d '[
  {"op":"replace","path":"/name","value":"smoke-raw-renamed"},
  {"op":"add","path":"/os_admin_user","value":"debian"},
  {"op":"replace","path":"/min_ram","value":256},
  {"op":"remove","path":"/hw_vif_multiqueue_enabled"}]'
expect 200 "PATCH (openstack-images-v2.1-json-patch) replace/add/remove"
[[ $(jb .name) == smoke-raw-renamed && $(jb .os_admin_user) == debian && $(jb .min_ram) == 256 && $(jb .hw_vif_multiqueue_enabled) == null ]] || fail "patch applied"
ok "patch applied (name, os_admin_user, min_ram, removed hw_vif_multiqueue_enabled)"
req PATCH "$G1/v2/images/$IMG" "$ADMIN_TOKEN" -H 'Content-Type: application/json' -d '[{"op":"replace","path":"/name","value":"x"}]'
expect 415 "PATCH with Content-Type application/json"
req PATCH "$G1/v2/images/$IMG" "$ADMIN_TOKEN" -H "$PATCH_CT" -d '[{"op":"replace","path":"/size","value":1}]'
say "PATCH read-only /size -> HTTP $CODE $(head -c 160 "$WORK/body" | tr '\n' ' ')"
[[ $CODE == 403 ]] || fail "patching read-only attribute is 403"
ok "PATCH of read-only attribute -> 403"
req PATCH "$G1/v2/images/$IMG" "$ADMIN_TOKEN" -H "$PATCH_CT" -d '[{"op":"remove","path":"/no_such_prop"}]'
say "PATCH remove missing property -> HTTP $CODE"

req PUT "$G1/v2/images/$IMG/tags/extra-tag" "$ADMIN_TOKEN"
expect 204 "PUT /v2/images/{id}/tags/extra-tag"
req PUT "$G1/v2/images/$IMG/tags/extra-tag" "$ADMIN_TOKEN"
expect 204 "PUT same tag again (idempotent)"
req GET "$G1/v2/images/$IMG" "$ADMIN_TOKEN"
[[ $(jb '.tags|sort|join(",")') == "extra-tag,raw,smoke" ]] || fail "tags are extra-tag,raw,smoke: $(jb '.tags|join(",")')"
ok "tags now $(jb '.tags|sort|join(",")')"
req DELETE "$G1/v2/images/$IMG/tags/extra-tag" "$ADMIN_TOKEN"
expect 204 "DELETE /v2/images/{id}/tags/extra-tag"
req DELETE "$G1/v2/images/$IMG/tags/extra-tag" "$ADMIN_TOKEN"
expect 404 "DELETE missing tag"

echo "# protected images"
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"smoke-protected","disk_format":"raw","container_format":"bare","protected":true}'
expect 201 "POST protected image"
IMG_P=$(jb .id); CREATED+=("$G1|$IMG_P")
req DELETE "$G1/v2/images/$IMG_P" "$ADMIN_TOKEN"
expect 403 "DELETE protected image"
req PATCH "$G1/v2/images/$IMG_P" "$ADMIN_TOKEN" -H "$PATCH_CT" -d '[{"op":"replace","path":"/protected","value":false}]'
expect 200 "PATCH protected=false"
req DELETE "$G1/v2/images/$IMG_P" "$ADMIN_TOKEN"
expect 204 "DELETE unprotected image"
req GET "$G1/v2/images/$IMG_P" "$ADMIN_TOKEN"
expect 404 "GET deleted image"

echo "# interoperable import: glance-direct"
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"smoke-direct","disk_format":"raw","container_format":"bare"}'
expect 201 "POST image for glance-direct"
IMG_D=$(jb .id); CREATED+=("$G1|$IMG_D")
say "OpenStack-image-import-methods: $(hdr OpenStack-image-import-methods)"
req PUT "$G1/v2/images/$IMG_D/stage" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/small.raw"
expect 204 "PUT /v2/images/{id}/stage"
req GET "$G1/v2/images/$IMG_D" "$ADMIN_TOKEN"
say "after stage: status=$(jb .status)"
[[ $(jb .status) == uploading ]] || fail "staged image is 'uploading'"
req POST "$G1/v2/images/$IMG_D/import" "$ADMIN_TOKEN" -H 'Content-Type: application/json' -d '{"method":{"name":"glance-direct"}}'
expect 202 "POST /v2/images/{id}/import glance-direct"
wait_status "$G1" "$IMG_D" active 60
[[ $(jb .checksum) == "$MD5" ]] || fail "glance-direct checksum"
ok "glance-direct image active, checksum matches (os_glance_import_task=$(jb '.os_glance_import_task // "n/a"'))"
req GET "$G1/v2/images/$IMG_D/tasks" "$ADMIN_TOKEN"
say "GET /v2/images/{id}/tasks -> HTTP $CODE: $(jb '[.tasks[]? | "\(.type):\(.status)"]|join(",")' 2>/dev/null)"

echo "# interoperable import: web-download from http://$LAB_HOST:$WEB_PORT"
mkdir -p "$WORK/www"; cp "$WORK/small.raw" "$WORK/www/disk.raw"
(cd "$WORK/www" && exec $PY -m http.server "$WEB_PORT" --bind "$LAB_HOST") >"$WORK/http.log" 2>&1 &
HTTP_PID=$!
for i in $(seq 50); do curl -fs -o /dev/null "http://$LAB_HOST:$WEB_PORT/" && break; sleep 0.1; done
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"smoke-web","disk_format":"raw","container_format":"bare"}'
expect 201 "POST image for web-download"
IMG_W=$(jb .id); CREATED+=("$G1|$IMG_W")
req POST "$G1/v2/images/$IMG_W/import" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"method\":{\"name\":\"web-download\",\"uri\":\"http://$LAB_HOST:$WEB_PORT/disk.raw\"}}"
expect 202 "POST import web-download"
wait_status "$G1" "$IMG_W" active 60
[[ $(jb .checksum) == "$MD5" ]] || fail "web-download checksum"
ok "web-download image active, checksum matches"
# A port not in allowed_ports is refused up front:
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"smoke-web-badport","disk_format":"raw","container_format":"bare"}'
IMG_WB=$(jb .id); CREATED+=("$G1|$IMG_WB")
req POST "$G1/v2/images/$IMG_WB/import" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"method":{"name":"web-download","uri":"http://127.0.0.1:1/disk.raw"}}'
say "web-download from a non-allowed port -> HTTP $CODE $(head -c 200 "$WORK/body" | tr '\n' ' ')"
[[ $CODE == 400 || $CODE == 403 ]] || fail "non-allowed port refused"
ok "web-download from non-allowed port refused ($CODE)"

echo "# format inspection"
qemu-img create -q -f qcow2 "$WORK/real.qcow2" 1G
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"smoke-qcow2","disk_format":"qcow2","container_format":"bare"}'
IMG_Q=$(jb .id); CREATED+=("$G1|$IMG_Q")
req PUT "$G1/v2/images/$IMG_Q/file" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/real.qcow2"
expect 204 "upload real qcow2 as disk_format=qcow2"
req GET "$G1/v2/images/$IMG_Q" "$ADMIN_TOKEN"
say "real qcow2: size=$(jb .size) virtual_size=$(jb .virtual_size)"
[[ $(jb .virtual_size) == 1073741824 ]] || fail "virtual_size computed for real qcow2"
ok "virtual_size computed by in-flight format inspection"
req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"smoke-mismatch","disk_format":"qcow2","container_format":"bare"}'
IMG_M=$(jb .id); CREATED+=("$G1|$IMG_M")
req PUT "$G1/v2/images/$IMG_M/file" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/small.raw"
MISMATCH_CODE=$CODE
req GET "$G1/v2/images/$IMG_M" "$ADMIN_TOKEN"
say "random bytes uploaded as disk_format=qcow2 -> HTTP $MISMATCH_CODE, status=$(jb .status) virtual_size=$(jb .virtual_size)"
ok "format mismatch upload result recorded (HTTP $MISMATCH_CODE)"

echo "# listing: pagination / sort / filters"
for n in a b c; do
  req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"smoke-page-$n\",\"disk_format\":\"raw\",\"container_format\":\"bare\",\"tags\":[\"page\"]}"
  CREATED+=("$G1|$(jb .id)")
done
req GET "$G1/v2/images?limit=2&sort_key=name&sort_dir=asc" "$ADMIN_TOKEN"
expect 200 "GET /v2/images?limit=2&sort_key=name&sort_dir=asc"
NEXT=$(jb '.next // empty'); say "page1: $(jb '[.images[].name]|join(",")')  next=$NEXT  first=$(jb .first)"
[[ $(jb '.images|length') == 2 && -n $NEXT ]] || fail "limit=2 gives 2 images and a next link"
names="$(jb '[.images[].name]|join(",")')"
pages=1
while [[ -n $NEXT ]]; do
  req GET "$G1$NEXT" "$ADMIN_TOKEN"; [[ $CODE == 200 ]] || fail "follow next link"
  pages=$((pages + 1)); [[ $(jb '.images|length') == 0 ]] && say "page $pages is empty (a full last page still gets a 'next' link)"
  names="$names${names:+,}$(jb '[.images[].name]|join(",")')"; names=${names%,}; NEXT=$(jb '.next // empty')
done
say "all pages ($pages): $names"
echo "$names" | tr ',' '\n' | LC_ALL=C sort -c || fail "names sorted asc"
ok "marker pagination via 'next' links, sorted by name asc"
req GET "$G1/v2/images?sort=name:desc,created_at:asc&limit=3" "$ADMIN_TOKEN"
expect 200 "GET /v2/images?sort=name:desc,created_at:asc (new-style sort)"
say "$(jb '[.images[].name]|join(",")')"
req GET "$G1/v2/images?name=smoke-page-b" "$ADMIN_TOKEN"
[[ $(jb '[.images[].name]|join(",")') == smoke-page-b ]] || fail "filter name"
ok "filter name=smoke-page-b"
req GET "$G1/v2/images?status=queued&tag=page" "$ADMIN_TOKEN"
[[ $(jb '.images|length') == 3 ]] || fail "filter status=queued&tag=page"
ok "filter status=queued&tag=page -> 3"
req GET "$G1/v2/images?visibility=public" "$ADMIN_TOKEN"
[[ $(jb '[.images[].visibility]|unique|join(",")') == public ]] || fail "filter visibility=public"
ok "filter visibility=public -> $(jb '.images|length') image(s)"
req GET "$G1/v2/images?name=in:smoke-page-a,smoke-page-c" "$ADMIN_TOKEN"
say "name=in:a,c -> $(jb '[.images[].name]|sort|join(",")')"
req GET "$G1/v2/images?size_min=1000&disk_format=raw" "$ADMIN_TOKEN"
say "size_min=1000&disk_format=raw -> $(jb '.images|length') image(s)"

echo "# non-admin (demo, role member) and reader"
req GET "$G1/v2/images" "$DEMO_TOKEN"
expect 200 "demo: GET /v2/images"
say "demo sees: $(jb '[.images[]|"\(.name)(\(.visibility))"]|join(",")')"
jq -e '[.images[].name]|index("smoke-chunked")' "$WORK/body" >/dev/null && fail "demo must not see admin's private image"
ok "demo does not see admin's private images"
req GET "$G1/v2/images/$IMG_C" "$DEMO_TOKEN"
expect 404 "demo: GET admin's private image by id"
req POST "$G1/v2/images" "$DEMO_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"demo-private","disk_format":"raw","container_format":"bare"}'
expect 201 "demo: create private image"
IMG_DEMO=$(jb .id); CREATED+=("$G1|$IMG_DEMO")
req PUT "$G1/v2/images/$IMG_DEMO/file" "$DEMO_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/small.raw"
expect 204 "demo: upload to own image"
req POST "$G1/v2/images" "$DEMO_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"demo-public","disk_format":"raw","container_format":"bare","visibility":"public"}'
expect 403 "demo: create PUBLIC image"
req POST "$G1/v2/images" "$DEMO_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"demo-community","disk_format":"raw","container_format":"bare","visibility":"community"}'
say "demo: create community image -> HTTP $CODE"; [[ $CODE == 201 ]] && CREATED+=("$G1|$(jb .id)")
req POST "$G1/v2/images" "$DEMO_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"demo-shared","disk_format":"raw","container_format":"bare","visibility":"shared"}'
say "demo: create shared image -> HTTP $CODE"; [[ $CODE == 201 ]] && CREATED+=("$G1|$(jb .id)")
req PATCH "$G1/v2/images/$IMG_DEMO" "$DEMO_TOKEN" -H "$PATCH_CT" -d '[{"op":"replace","path":"/visibility","value":"public"}]'
expect 403 "demo: PATCH own image visibility=public"
req PATCH "$G1/v2/images/$IMG" "$DEMO_TOKEN" -H "$PATCH_CT" -d '[{"op":"replace","path":"/name","value":"hacked"}]'
expect 403 "demo: PATCH admin's public image"
req DELETE "$G1/v2/images/$IMG" "$DEMO_TOKEN"
expect 403 "demo: DELETE admin's public image"
req DELETE "$G1/v2/images/$IMG" "$DEMO_TOKEN" -H 'Accept: application/json'
say "same with Accept: application/json -> Content-Type: $(hdr Content-Type) body: $(head -c 200 "$WORK/body")"
req DELETE "$G1/v2/images/$IMG_C" "$DEMO_TOKEN"
expect 404 "demo: DELETE admin's private image"
req PUT "$G1/v2/images/$IMG/tags/x" "$DEMO_TOKEN"
expect 403 "demo: add tag to admin's public image"
req GET "$G1/v2/images/$IMG/file" "$DEMO_TOKEN" -o /dev/null
expect 200 "demo: download admin's public image"
req POST "$G1/v2/images" "$READER_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"reader-image","disk_format":"raw","container_format":"bare"}'
say "reader: create image -> HTTP $CODE (GLANCE_SECURE_RBAC=${GLANCE_SECURE_RBAC})"
[[ $CODE == 201 ]] && CREATED+=("$G1|$(jb .id)")
req GET "$G1/v2/images/$IMG_DEMO" "$READER_TOKEN"
expect 200 "reader: GET image of own project"
req PATCH "$G1/v2/images/$IMG_DEMO" "$READER_TOKEN" -H "$PATCH_CT" -d '[{"op":"add","path":"/reader_was_here","value":"1"}]'
say "reader: PATCH image of own project -> HTTP $CODE"
req PATCH "$G1/v2/images/$IMG" "$ADMIN_TOKEN" -H "$PATCH_CT" -d '[{"op":"replace","path":"/visibility","value":"private"}]'
expect 200 "admin: PATCH visibility public -> private"
req GET "$G1/v2/images/$IMG" "$DEMO_TOKEN"
expect 404 "demo: image gone from view after it turned private"
req DELETE "$G1/v2/images/$IMG_DEMO" "$ADMIN_TOKEN"
expect 204 "admin: DELETE demo's image"

if [[ $HAVE_R2 == 1 ]]; then
  echo "# RegionTwo ($G2, multi-store)"
  req GET "$G2/v2/info/stores" "$ADMIN_TOKEN"
  expect 200 "GET /v2/info/stores (RegionTwo)"
  say "stores: $(jb '[.stores[]|"\(.id)\(if .default then "*" else "" end)"]|join(",")')"
  req GET "$G1/v2/info/stores" "$ADMIN_TOKEN"
  say "RegionOne (single store) GET /v2/info/stores -> HTTP $CODE"
  req POST "$G2/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"smoke-r2","disk_format":"raw","container_format":"bare","visibility":"public"}'
  expect 201 "RegionTwo: create image"
  IMG_R2=$(jb .id); CREATED+=("$G2|$IMG_R2")
  req PUT "$G2/v2/images/$IMG_R2/file" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/small.raw"
  expect 204 "RegionTwo: upload"
  req GET "$G2/v2/images/$IMG_R2" "$ADMIN_TOKEN"
  say "stores=$(jb .stores)"
  req GET "$G1/v2/images/$IMG_R2" "$ADMIN_TOKEN"
  expect 404 "RegionTwo image not visible in RegionOne"
  req POST "$G2/v2/images/$IMG_R2/import" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"method":{"name":"copy-image"},"stores":["cheap"]}'
  expect 202 "RegionTwo: import copy-image to store 'cheap'"
  for i in $(seq 60); do
    req GET "$G2/v2/images/$IMG_R2" "$ADMIN_TOKEN"; [[ $(jb .stores) == *cheap* ]] && break; sleep 0.5
  done
  [[ $(jb .stores) == *cheap* ]] || fail "copy-image reached store cheap"
  ok "copy-image done: stores=$(jb .stores)"
  req PUT "$G2/v2/images/$IMG_R2/file" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -H 'X-Image-Meta-Store: cheap' -T "$WORK/small.raw"
  say "re-upload to active image with X-Image-Meta-Store -> HTTP $CODE"
fi

CINDER_URL=$(jq -r '.token.catalog[] | select(.type=="volumev3") | .endpoints[] | select(.interface=="public" and .region_id=="RegionOne") | .url' "$WORK/catalog.admin.json" | head -1)
if [[ -n $CINDER_URL ]]; then
  echo "# cinder: create volume from image ($CINDER_URL)"
  # a qcow2 image whose first 4 MiB are 0xab: the volume must contain them raw
  qemu-img create -q -f qcow2 "$WORK/vol.qcow2" 1G
  qemu-io -c 'write -P 0xab 0 4M' "$WORK/vol.qcow2" >/dev/null
  req POST "$G1/v2/images" "$ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"smoke-vol-src","disk_format":"qcow2","container_format":"bare","visibility":"public","min_disk":1}'
  IMG_V=$(jb .id); CREATED+=("$G1|$IMG_V")
  req PUT "$G1/v2/images/$IMG_V/file" "$ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' -T "$WORK/vol.qcow2"
  expect 204 "upload qcow2 source image"
  for who in admin demo; do
    tok=$ADMIN_TOKEN; [[ $who == demo ]] && tok=$DEMO_TOKEN
    vurl=$(jq -r '.token.catalog[] | select(.type=="volumev3") | .endpoints[] | select(.interface=="public" and .region_id=="RegionOne") | .url' "$WORK/catalog.$who.json" | head -1)
    req POST "$vurl/volumes" "$tok" -H 'Content-Type: application/json' \
      -d "{\"volume\":{\"size\":1,\"name\":\"smoke-vol-$who\",\"imageRef\":\"$IMG_V\"}}"
    expect 202 "$who: POST /v3/{project_id}/volumes with imageRef"
    VID=$(jb .volume.id)
    for i in $(seq 120); do
      req GET "$vurl/volumes/$VID" "$tok"; st=$(jb .volume.status)
      [[ $st == available || $st == error ]] && break; sleep 0.5
    done
    [[ $st == available ]] || fail "$who: volume $VID status $st"
    ok "$who: volume available after ~$((i / 2))s: bootable=$(jb .volume.bootable) image_name=$(jb .volume.volume_image_metadata.image_name)"
    f=$STATE/cinder/volumes/volume-$VID
    if [[ -f $f ]]; then
      cmp -s <(head -c 4194304 "$f") <(head -c 4194304 /dev/zero | tr '\0' '\253') || fail "volume bytes == image bytes"
      ok "$who: volume file holds the image data converted to raw"
    fi
    req DELETE "$vurl/volumes/$VID" "$tok"
    expect 202 "$who: DELETE volume"
  done
fi

echo "# delete"
req DELETE "$G1/v2/images/$IMG_W" "$ADMIN_TOKEN"
expect 204 "DELETE image"
req DELETE "$G1/v2/images/$IMG_W" "$ADMIN_TOKEN"
expect 404 "DELETE again"

# shellcheck shell=bash
# env.sh - defaults for up.sh / down.sh / glance.sh / smoke.sh. Sourced, not executed.
#
# Adapted from the shared loopback testbed (shared/testbed/lab-env.sh, "openstack-lab"); the project carries its own
# copy because users and CI clone only this repository.
#
# Every value can be overridden from the environment. A profile (CLOUD_PROFILE=NAME or `up.sh --profile NAME`) loads
# test/cloud/profiles/NAME.env first; its values are defaults too, so the environment still wins over them.
# A state dir that was already created keeps the settings it was created with (STATE/lab-settings.sh).

# Always use Debian's interpreter: a pyenv/virtualenv python3 earlier on PATH
# does not see the python3-* packages in /usr/lib/python3/dist-packages.
export PY=/usr/bin/python3

CLOUD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CLOUD_DIR/../.." && pwd)

if [[ -n ${CLOUD_PROFILE:-} && ${CLOUD_PROFILE} != default ]]; then
  [[ -f $CLOUD_DIR/profiles/$CLOUD_PROFILE.env ]] || { echo "unknown cloud profile '$CLOUD_PROFILE' (see $CLOUD_DIR/profiles)" >&2; return 2 2>/dev/null || exit 2; }
  # shellcheck disable=SC1090
  source "$CLOUD_DIR/profiles/$CLOUD_PROFILE.env"
fi

LAB_HOST=${LAB_HOST:-127.0.0.1}
KEYSTONE_PORT=${KEYSTONE_PORT:-5000}
GLANCE_PORT=${GLANCE_PORT:-9292}           # RegionOne image endpoint (glance1)
GLANCE2_PORT=${GLANCE2_PORT:-9293}         # RegionTwo image endpoint (glance2)
CINDER_PORT=${CINDER_PORT:-8776}           # RegionOne volumev3 endpoint
ENABLE_REGION2=${ENABLE_REGION2:-1}        # second glance-api registered as RegionTwo
ENABLE_CINDER=${ENABLE_CINDER:-1}          # cinder api+scheduler+volume (one process, file-backed volumes)

ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin-secret}
DEMO_PASSWORD=${DEMO_PASSWORD:-demo-secret}
SERVICE_PASSWORD=${SERVICE_PASSWORD:-service-secret}

# Max bytes of one image (Glance default 1 TiB); above it an upload gets 413. Small (1048576) for the size-cap tests.
GLANCE_IMAGE_SIZE_CAP=${GLANCE_IMAGE_SIZE_CAP:-1099511627776}
# 1 = Glance "secure RBAC" (personas admin/member/reader); 0 = Zed's legacy admin-or-owner policies.
GLANCE_SECURE_RBAC=${GLANCE_SECURE_RBAC:-0}
# Ports a web-download import may fetch from (Glance default is [80,443]). Tests serve files on 18080-18082.
WEB_DOWNLOAD_PORTS=${WEB_DOWNLOAD_PORTS:-80,443,8000,8080,18080,18081,18082}

# CLOUD_PORT_OFFSET=N adds N to every port above (run a whole second set of clouds, e.g. CI beside a developer's).
if [[ ${CLOUD_PORT_OFFSET:-0} != 0 && -z ${_CLOUD_OFFSET_APPLIED:-} ]]; then
  KEYSTONE_PORT=$((KEYSTONE_PORT + CLOUD_PORT_OFFSET)) GLANCE_PORT=$((GLANCE_PORT + CLOUD_PORT_OFFSET))
  GLANCE2_PORT=$((GLANCE2_PORT + CLOUD_PORT_OFFSET)) CINDER_PORT=$((CINDER_PORT + CLOUD_PORT_OFFSET))
  _CLOUD_OFFSET_APPLIED=1
fi

KEYSTONE_URL="http://${LAB_HOST}:${KEYSTONE_PORT}"
# Keystone token lifetime in seconds (Keystone's default 3600). Short (e.g. 20) to test that long work survives
# token expiry. Applies when a state dir is created.
KEYSTONE_TOKEN_EXPIRATION=${KEYSTONE_TOKEN_EXPIRATION:-86400}
# 1 = Keystone caches (dogpile's memory backend, one cache per uwsgi worker; see keystone_cache_section in up.sh). A
# knob of every start (not kept in lab-settings.sh). The benchmarks set it; tests leave it off.
KEYSTONE_CACHE=${KEYSTONE_CACHE:-0}
# How long glance/cinder's keystonemiddleware caches a validated token (s). Never longer than the token lifetime.
TOKEN_CACHE_TIME=${TOKEN_CACHE_TIME:-$(( KEYSTONE_TOKEN_EXPIRATION < 300 ? KEYSTONE_TOKEN_EXPIRATION / 2 : 300 ))}

# Default state dir: <repo>/.cloud-state, or <repo>/.cloud-state-PROFILE for a profile.
default_state_dir() {
  if [[ -n ${CLOUD_PROFILE:-} && ${CLOUD_PROFILE} != default ]]; then echo "$REPO_ROOT/.cloud-state-$CLOUD_PROFILE"
  else echo "$REPO_ROOT/.cloud-state"; fi
}

# Load the settings a state dir was created with (ports, topology, knobs).
load_state_settings() {
  if [[ -f $1/lab-settings.sh ]]; then
    # shellcheck disable=SC1091
    source "$1/lab-settings.sh"
    KEYSTONE_URL="http://${LAB_HOST}:${KEYSTONE_PORT}"
  fi
}

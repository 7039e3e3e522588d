#!/usr/bin/env bash
# install.sh - idempotent, non-interactive install (apt, Debian 12 / Ubuntu, as root) of what the test cloud and the
# integration tests need: Keystone v3 + Glance v2 + Cinder v3 libraries, clients, uwsgi, qemu-utils, ISO tools.
#
# Adapted from shared/testbed/install.sh ("openstack-lab" reference). Only the python3-* *library* packages are
# installed, NOT the daemon packages (keystone, glance-api, cinder-api...): those pull in dbconfig-common / debconf
# prompts, create system users and start system services. The libraries ship what up.sh runs (keystone-manage,
# keystone-wsgi-public, python modules glance.cmd.api / glance.cmd.manage, cinder.cmd.*).
#
# Usage:  sudo test/cloud/install.sh          (npm run cloud:install)
# Safe to re-run: with everything installed it does nothing (no network).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PKGS=(
  python3-keystone        # keystone library + keystone-manage + keystone-wsgi-public
  python3-glance          # glance library (glance.cmd.api, glance.cmd.manage)
  python3-cinder          # cinder library; run by cinder_lab/aio.py (no lvm2: no device-mapper here; file driver)
  python3-openstackclient # 'openstack' CLI (peer baseline + debugging)
  python3-glanceclient    # glance plugin for openstackclient
  python3-cinderclient    # 'openstack volume ...'
  uwsgi-core              # WSGI server for keystone
  uwsgi-plugin-python3    # python3 plugin for uwsgi
  sqlite3                 # inspecting the SQLite DBs (debugging)
  curl jq                 # up.sh / smoke.sh
  qemu-utils              # qemu-img / qemu-io: test images (qcow2, vmdk...) and Cinder's image conversion
  genisoimage             # genisoimage/mkisofs: ISO test files
  xorriso                 # xorrisofs: ISO test files (alternative)
  parted                  # A: MBR / GPT disks for the inspection corpus (test/main/transfers/inspect-corpus.test.ts)
  udftools                # A: mkudffs: UDF without an ISO 9660 descriptor, for the same corpus
  ca-certificates
)

if [[ $(id -u) != 0 ]]; then echo "install.sh: run as root (apt-get)" >&2; exit 1; fi
command -v apt-get >/dev/null || { echo "install.sh: needs apt (Debian/Ubuntu)" >&2; exit 1; }

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install.sh: all packages already installed"
  exit 0
fi

echo "install.sh: installing: ${missing[*]}"
# Refresh the lists unless they were refreshed in the last hour (CI runs apt-get update just before).
if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | head -1) ]]; then
  apt-get update -q -o DPkg::Lock::Timeout=300
fi
# --no-install-recommends keeps the footprint small (python3-cinder would otherwise recommend ceph-common etc.);
# the dpkg options keep it from prompting on conffile changes.
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" </dev/null
echo "install.sh: done"

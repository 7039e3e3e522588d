#!/usr/bin/env bash
# start.sh - same as up.sh, under the shared testbed's name (`start.sh STATE_DIR` also restarts the stopped services of
# a running cloud), so that tests written against shared/testbed work with XFER_TESTBED=test/cloud.
exec bash "$(dirname "${BASH_SOURCE[0]}")/up.sh" "$@"

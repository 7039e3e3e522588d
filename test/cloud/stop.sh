#!/usr/bin/env bash
# stop.sh - same as down.sh, under the shared testbed's name.
exec bash "$(dirname "${BASH_SOURCE[0]}")/down.sh" "$@"

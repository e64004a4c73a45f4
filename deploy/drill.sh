#!/bin/sh
# The deployment drill: docs/deployment.md set up literally on this (throwaway, Debian) machine and
# exercised over real SSH on 127.0.0.1. Root only. `--keep` leaves the deployment in place.
set -e
exec python3 "$(dirname "$0")/drill.py" "$@"

#!/usr/bin/env bash
# Regenerate the initial schema revision from the current models (only while nothing is deployed:
# it replaces every revision). Usage: migrations/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/*.py
FORUM_SECRET_KEY=regenerate FORUM_DATABASE_URL="sqlite:///$tmp/schema.db" \
    .venv/bin/flask --app forum db migrate -m "initial schema"
ls migrations/versions/

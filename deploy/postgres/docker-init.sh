#!/bin/bash
# Run once by the postgres image's entrypoint on first start (docker-compose.kafka.yml):
# creates one database per line of databases.txt, as scripts/postgres does locally.
set -euo pipefail
grep -v '^#' /databases.txt | while read -r db; do
    [[ -n $db ]] || continue
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -c "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_USER\""
done

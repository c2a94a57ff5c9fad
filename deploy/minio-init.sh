#!/bin/sh
# Run once by the minio-init service, as MinIO's root: makes the evidence bucket with Object
# Lock, a policy holding only what Haven needs (minio-haven-policy.json: no delete, no
# governance bypass, no bucket administration) and Haven's own user with that policy. Every
# step is safe to repeat, so the service may run on each `docker compose up`.
set -eu

secret() { cat "/run/secrets/$1"; }
user="$(secret haven_s3_access_key)"

mc alias set local http://minio:9000 "$(secret minio_root_user)" "$(secret minio_root_password)" >/dev/null
mc mb --ignore-existing --with-lock "local/${BUCKET}"
mc admin policy create local haven-evidence /deploy/minio-haven-policy.json
mc admin user add local "$user" "$(secret haven_s3_secret_key)"
if ! mc admin user info local "$user" | grep -q 'haven-evidence'; then
  mc admin policy attach local haven-evidence --user "$user"
fi

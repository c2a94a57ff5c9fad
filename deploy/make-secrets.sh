#!/bin/sh
# Creates the files under secrets/ that docker-compose.yml mounts, each only if it is missing,
# so running it again never replaces a key in use. The folder is private to you; the files are
# readable because compose mounts them as they are into containers that run as other users.
set -eu

cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets
chmod 700 secrets

make_once() {
  name="$1"
  shift
  [ -s "secrets/$name" ] && return 0
  "$@" > "secrets/$name"
  chmod 644 "secrets/$name"
  echo "created secrets/$name"
}

make_once jwt_private_key.pem openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048
make_once secret_key openssl rand -base64 32
make_once postgres_password openssl rand -hex 24
make_once minio_root_user printf 'minio-root'
make_once minio_root_password openssl rand -hex 24
make_once haven_s3_access_key printf 'haven-evidence'
make_once haven_s3_secret_key openssl rand -hex 24

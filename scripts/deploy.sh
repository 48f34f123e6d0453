#!/bin/sh
# deploy.sh — install a release of ezscale on this host and switch to it, or
# leave the previous release serving. Run on the host (the release workflow
# runs it over SSH); README "Deploying" describes the host layout:
#
#   $EZ_DEPLOY_ROOT/releases/<version>/ezscale   every installed release
#   $EZ_DEPLOY_ROOT/current -> releases/<version> what the service runs
#   $EZ_DEPLOY_DATA                               the data directory (pb_data)
#
# Usage: deploy.sh <new binary> <version>
#
# Steps: confirm the replica is current (EZ_DEPLOY_METRICS_URL set:
# ezscale_replication_up 1 and a lag of at most EZ_DEPLOY_MAX_LAG seconds) or
# else take a PocketBase backup with `ezscale backup`; install the binary
# under releases/<version>; run the new release's migrations; switch `current`;
# restart; poll the health endpoint. When health fails within
# EZ_DEPLOY_TIMEOUT seconds, `current` goes back to the previous release,
# which is restarted, and the script exits non-zero. Migrations the new
# release applied stay: they are additive (the project's rule), so the
# previous release runs on them.
#
# Environment (defaults in brackets):
#   EZ_DEPLOY_ROOT        [/srv/ezscale]
#   EZ_DEPLOY_DATA        [$EZ_DEPLOY_ROOT/pb_data]
#   EZ_DEPLOY_RESTART     [systemctl restart ezscale]  run with sh -c
#   EZ_DEPLOY_HEALTH_URL  [http://127.0.0.1:8090/api/health]
#   EZ_DEPLOY_TIMEOUT     [60] seconds for the new release to answer 200
#   EZ_DEPLOY_METRICS_URL []  e.g. http://127.0.0.1:9090 (EZ_METRICS_ADDR); empty: take a backup
#   EZ_DEPLOY_MAX_LAG     [5] seconds the replica may trail
#   EZ_DEPLOY_ENV_FILE    []  a file of VAR=value lines the server's commands need (EZ_ENCRYPTION_KEY, ...)
#   EZ_DEPLOY_KEEP        [5] releases kept in releases/ (the current and previous ones always are)
set -eu

die() { echo "deploy: $*" >&2; exit 1; }
log() { echo "deploy: $*"; }

[ $# -eq 2 ] || die "usage: deploy.sh <new binary> <version>"
new=$1
version=$2

root=${EZ_DEPLOY_ROOT:-/srv/ezscale}
data=${EZ_DEPLOY_DATA:-$root/pb_data}
restart=${EZ_DEPLOY_RESTART:-systemctl restart ezscale}
health=${EZ_DEPLOY_HEALTH_URL:-http://127.0.0.1:8090/api/health}
timeout=${EZ_DEPLOY_TIMEOUT:-60}
metrics=${EZ_DEPLOY_METRICS_URL:-}
max_lag=${EZ_DEPLOY_MAX_LAG:-5}
keep=${EZ_DEPLOY_KEEP:-5}

# Bad input changes nothing.
case $version in
  ''|.*|*[!A-Za-z0-9._-]*) die "version '$version': want letters, digits, '.', '_' or '-' (a git describe name)" ;;
esac
for n in "$timeout" "$max_lag" "$keep"; do
  case $n in ''|*[!0-9]*) die "EZ_DEPLOY_TIMEOUT, EZ_DEPLOY_MAX_LAG and EZ_DEPLOY_KEEP are whole numbers, not '$n'" ;; esac
done
[ -f "$new" ] && [ -x "$new" ] || die "$new is not an executable file"
[ -d "$root" ] || die "EZ_DEPLOY_ROOT $root is not a directory"
if [ -n "${EZ_DEPLOY_ENV_FILE:-}" ]; then
  [ -r "$EZ_DEPLOY_ENV_FILE" ] || die "EZ_DEPLOY_ENV_FILE $EZ_DEPLOY_ENV_FILE is not readable"
  set -a
  . "$EZ_DEPLOY_ENV_FILE"
  set +a
fi
"$new" version >/dev/null 2>&1 || die "$new does not run here ($new version failed)"
if [ -e "$root/releases/$version/ezscale" ] && ! cmp -s "$new" "$root/releases/$version/ezscale"; then
  die "release $version is already installed with a different binary"
fi

# healthy polls the health endpoint until it answers 200 or the timeout passes.
healthy() {
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if curl -fsS -o /dev/null --max-time 2 "$health" 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  return 1
}

# switch points current at releases/$1 in one rename, so it is never missing.
switch() {
  ln -sfn "releases/$1" "$root/current.new"
  mv -T "$root/current.new" "$root/current"
}

# 1. The data is safe before anything changes: a current replica, or a backup.
if [ -n "$metrics" ]; then
  figures=$(curl -fsS --max-time 5 "$metrics/metrics") || die "cannot read $metrics/metrics to confirm the replica"
  echo "$figures" | grep -q '^ezscale_replication_up 1$' || die "the replica is not up (ezscale_replication_up != 1): not deploying"
  lag=$(echo "$figures" | awk '$1 == "ezscale_replication_lag_seconds" { print $2 }')
  [ -n "$lag" ] || die "no ezscale_replication_lag_seconds in $metrics/metrics"
  awk -v lag="$lag" -v max="$max_lag" 'BEGIN { exit !(lag + 0 <= max + 0) }' ||
    die "the replica trails by ${lag}s (more than ${max_lag}s): not deploying"
  log "replica current (lag ${lag}s)"
elif [ -f "$data/data.db" ]; then
  name=pb_backup_predeploy_$(date -u +%Y%m%d%H%M%S).zip
  "$new" backup --dir "$data" "$name" || die "backup failed: not deploying"
fi

# 2. Install the release (a re-run of the same version reuses it).
dir=$root/releases/$version
if [ ! -e "$dir/ezscale" ]; then
  mkdir -p "$dir"
  cp "$new" "$dir/ezscale.new"
  chmod 0755 "$dir/ezscale.new"
  mv "$dir/ezscale.new" "$dir/ezscale"
fi
bin=$dir/ezscale
log "installed $("$bin" version)"

previous=
if [ -L "$root/current" ]; then
  previous=$(basename "$(readlink "$root/current")")
fi

# 3. Migrations (additive; they stay if this release is rolled back).
"$bin" migrate up --dir "$data" || die "migrations of $version failed: ${previous:-nothing} still serving, current not switched"

# 4. Switch and restart.
switch "$version"
log "current -> releases/$version; restarting"
if sh -c "$restart" && healthy; then
  log "$version is serving (previous: ${previous:-none})"
  # Old releases beyond EZ_DEPLOY_KEEP go, never the current or previous one.
  ls -1t "$root/releases" | tail -n +"$((keep + 1))" | while read -r old; do
    [ "$old" = "$version" ] || [ "$old" = "$previous" ] || rm -rf "${root:?}/releases/$old"
  done
  exit 0
fi

# 5. Health failed: back to the previous release.
echo "deploy: $version failed its health check ($health) within ${timeout}s" >&2
if [ -z "$previous" ] || [ "$previous" = "$version" ]; then
  die "no previous release to roll back to"
fi
switch "$previous"
sh -c "$restart" || true
if healthy; then
  die "rolled back: $previous is serving again"
fi
die "rolled back to $previous, but it is not healthy either: look at the host now"

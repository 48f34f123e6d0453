#!/usr/bin/env bash
# SeaweedFS (Apache-2.0) is the real S3-compatible server the replication
# tests write to: Litestream's replica and PocketBase's backups go through
# its S3 gateway exactly as they would to AWS, R2 or B2. It is a separate
# process built from the Go module proxy into bin/weed; nothing of it is
# linked into the ezscale binary.
#
#   scripts/seaweedfs.sh install             build bin/weed (no-op when the pinned version is there)
#   scripts/seaweedfs.sh start DIR [PORT]    serve S3 on 127.0.0.1:PORT (default: a free port) with its
#                                            data in DIR, print the port once it answers
#   scripts/seaweedfs.sh stop DIR            stop the server started in DIR
#
# The gateway accepts the keys in EZ_S3_ACCESS_KEY / EZ_S3_SECRET_KEY
# (default ezscale / ezscale-secret). With EZ_SEAWEEDFS_OWNER=PID, start also
# stops the server and deletes DIR once that process has exited, so a test
# binary killed by -timeout leaves nothing behind (internal/s3test sets it).
set -euo pipefail

version=v0.0.0-20261109003541-7506e5f91cd6
module=github.com/seaweedfs/seaweedfs
self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo/bin/weed"
export GOTOOLCHAIN=go1.27.3 CGO_ENABLED=0

current() { [[ -x "$bin" && "$(cat "$bin.version" 2>/dev/null || true)" == "$version" ]]; }

install() {
	current && return
	# Test packages start in parallel: one builds, the others wait for it.
	mkdir -p "$repo/bin"
	exec 9>"$repo/bin/weed.lock"
	flock 9
	current && return
	# `go install module@version` refuses it (its go.mod has a replace
	# directive), so the module is downloaded and built as the main module.
	echo "building SeaweedFS $version into $bin (first time: several minutes)" >&2
	local dir
	dir="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	[[ -n "$dir" ]] || { echo "go mod download $module@$version gave no directory" >&2; return 1; }
	(cd "$dir" && go build -trimpath -o "$bin.tmp" ./weed)
	mv "$bin.tmp" "$bin"
	echo "$version" >"$bin.version"
}

# ours succeeds when PID is a live weed serving DIR, so that a stale pid
# file never gets an unrelated process signalled.
ours() {
	local pid="$1" dir="$2"
	[[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] &&
		tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-dir=$dir/data"
}

# free_port picks a random port nothing answers on, whose +10000 gRPC twin
# is free too, below Linux's ephemeral range.
free_port() {
	local port
	for _ in $(seq 50); do
		port=$((10000 + RANDOM % 10000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$((port + 10000))") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	echo "no free port found" >&2
	return 1
}

start() {
	local dir="${1:?usage: $0 start DIR [PORT]}" port="${2:-}"
	install
	mkdir -p "$dir/data"
	dir="$(cd "$dir" && pwd)"
	if [[ -f "$dir/weed.pid" ]] && ours "$(cat "$dir/weed.pid")" "$dir"; then
		cat "$dir/port"
		return
	fi
	local master volume filer s3 pid
	# Every listener on its own free port (each also takes port+10000 for
	# gRPC), so that several test packages can run servers at once.
	master="$(free_port)"
	volume="$(free_port)"
	filer="$(free_port)"
	s3="${port:-$(free_port)}"
	cat >"$dir/s3.json" <<EOF
{"identities":[{"name":"ezscale","credentials":[{"accessKey":"${EZ_S3_ACCESS_KEY:-ezscale}","secretKey":"${EZ_S3_SECRET_KEY:-ezscale-secret}"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
EOF
	"$bin" server -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
		-master.port="$master" -volume.port="$volume" -filer -filer.port="$filer" \
		-s3 -s3.port="$s3" -s3.config="$dir/s3.json" -volume.max=0 -master.volumeSizeLimitMB=64 \
		</dev/null >"$dir/weed.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/weed.pid"
	for _ in $(seq 600); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "weed exited during start; its log:" >&2
			cat "$dir/weed.log" >&2
			return 1
		fi
		# An unsigned request answers 403 once the gateway and filer are up.
		if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$s3/" 2>/dev/null || true)" =~ ^(200|403)$ ]]; then
			echo "$s3" >"$dir/port"
			watch_owner "$dir"
			echo "$s3"
			return
		fi
		sleep 0.1
	done
	echo "SeaweedFS did not answer within 60 s; its log:" >&2
	tail -50 "$dir/weed.log" >&2
	stop "$dir"
	return 1
}

# watch_owner starts the watcher EZ_SEAWEEDFS_OWNER asks for, detached and
# away from the caller's stdout, which the caller reads to its end.
watch_owner() {
	local owner="${EZ_SEAWEEDFS_OWNER:-}"
	[[ -n "$owner" ]] || return 0
	if ! [[ "$owner" =~ ^[0-9]+$ ]]; then
		echo "EZ_SEAWEEDFS_OWNER=$owner is not a process id" >&2
		return 1
	fi
	setsid bash "$self" watch "$owner" "$1" </dev/null >/dev/null 2>&1 &
}

watch() {
	local owner="$1" dir="$2"
	while kill -0 "$owner" 2>/dev/null; do
		sleep 1
	done
	stop "$dir"
	if [[ "$dir" == /?* ]]; then
		rm -rf "$dir"
	fi
}

stop() {
	local dir="${1:?usage: $0 stop DIR}" pid
	[[ -d "$dir" ]] || return 0
	dir="$(cd "$dir" && pwd)"
	[[ -f "$dir/weed.pid" ]] || return 0
	pid="$(cat "$dir/weed.pid")"
	if ours "$pid" "$dir"; then
		kill -TERM "$pid"
		for _ in $(seq 100); do
			ours "$pid" "$dir" || break
			sleep 0.1
		done
		if ours "$pid" "$dir"; then
			kill -KILL "$pid"
		fi
	fi
	rm -f "$dir/weed.pid" "$dir/port"
}

case "${1:-install}" in
install) install ;;
start) shift; start "$@" ;;
stop) shift; stop "$@" ;;
watch) shift; watch "$@" ;;
*)
	echo "usage: $0 [install | start DIR [PORT] | stop DIR]" >&2
	exit 2
	;;
esac

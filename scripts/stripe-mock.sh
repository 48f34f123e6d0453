#!/usr/bin/env bash
# stripe-mock is Stripe's official API mock: it validates every request
# against Stripe's OpenAPI spec and answers with fixture objects. The
# version is pinned so every machine checks against the same spec.
#
#   scripts/stripe-mock.sh install                   put bin/stripe-mock in place (no-op when current)
#   scripts/stripe-mock.sh start [HTTP] [HTTPS]      serve on 127.0.0.1 (default 12111 and 12112)
#   scripts/stripe-mock.sh stop                      stop what start started
#
# The Go tests of integrations/stripe start their own instance on free
# ports; start is for running the app against it by hand
# (STRIPE_API_BASE=http://127.0.0.1:12111).
set -euo pipefail

version=v0.203.0
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo/bin/stripe-mock"
pidfile="$repo/bin/stripe-mock.pid"
logfile="$repo/bin/stripe-mock.log"
export GOTOOLCHAIN=go1.27.3

install() {
	local info=""
	if [[ -x "$bin" ]]; then
		# The module version is recorded in the binary; an older build is replaced.
		info="$(go version -m "$bin" 2>/dev/null || true)"
	fi
	if [[ "$info" =~ mod[[:space:]]+github.com/stripe/stripe-mock[[:space:]]+$version[[:space:]] ]]; then
		return
	fi
	echo "installing stripe-mock $version into $repo/bin" >&2
	GOBIN="$repo/bin" go install "github.com/stripe/stripe-mock@$version"
}

# running succeeds when the pid file names a live stripe-mock, so that a
# stale file never gets an unrelated process killed.
running() {
	[[ -f "$pidfile" ]] || return 1
	local pid
	pid="$(cat "$pidfile")"
	[[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(ps -p "$pid" -o comm= 2>/dev/null || true)" == *stripe-mock* ]]
}

start() {
	local http="${1:-12111}" https="${2:-12112}"
	install
	if running; then
		echo "stripe-mock is already running (pid $(cat "$pidfile"))" >&2
		return
	fi
	# Both addresses are given so that neither listener opens on all interfaces.
	"$bin" -http-addr "127.0.0.1:$http" -https-addr "127.0.0.1:$https" >"$logfile" 2>&1 &
	echo $! >"$pidfile"
	# It prints each address once bound, and exits if either port is taken.
	for _ in $(seq 100); do
		running || break
		if grep -q "Listening for HTTPS at" "$logfile"; then
			sleep 0.1
			running || break
			echo "stripe-mock listening on http://127.0.0.1:$http (pid $(cat "$pidfile"), log $logfile)"
			return
		fi
		sleep 0.1
	done
	echo "stripe-mock did not start; its log:" >&2
	cat "$logfile" >&2
	stop
	return 1
}

stop() {
	if running; then
		kill "$(cat "$pidfile")"
	fi
	rm -f "$pidfile"
}

case "${1:-install}" in
install) install ;;
start) shift; start "$@" ;;
stop) stop ;;
*)
	echo "usage: $0 [install | start [HTTP_PORT] [HTTPS_PORT] | stop]" >&2
	exit 2
	;;
esac

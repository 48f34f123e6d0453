#!/usr/bin/env bash
# MariaDB for the tests that need a real server (the WHMCS importer reads a
# WHMCS database). Debian's mariadb-server is installed once; each test
# package then runs a private, throwaway server in a directory of its own,
# so nothing depends on, or touches, a system server, /var/lib/mysql or
# /etc/mysql (every program runs with --no-defaults).
#
#   scripts/mariadb.sh install             apt-get install mariadb-server mariadb-client (no-op when present)
#   scripts/mariadb.sh start DIR [PORT]    set up DIR/data if new, serve on 127.0.0.1:PORT (default: a free
#                                          port) and print the port once it accepts connections
#   scripts/mariadb.sh stop DIR            shut down the server started in DIR
#
# The server runs as the calling user and keeps its data, socket, pid file
# and log in DIR. root@127.0.0.1 has no password, so connect with
# root@tcp(127.0.0.1:PORT)/ (Go) or mariadb --no-defaults -h127.0.0.1 -PPORT -uroot.
# Keep DIR short: the socket path must fit in 107 bytes.
#
# With EZ_MARIADB_OWNER=PID, start also stops the server and deletes DIR
# once that process has exited, so a test binary killed by -timeout leaves
# nothing behind (internal/mariadbtest sets it).
set -euo pipefail

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
packages=(mariadb-server mariadb-client)

# Settings for both the bootstrap and the server: small enough for a CI
# machine running several test packages at once, durability traded for
# speed (the data is thrown away), utf8mb4 and UTC so that emoji and
# TIMESTAMP columns read back as written whatever the host's settings.
server_opts=(
	--innodb-buffer-pool-size=64M
	--innodb-log-file-size=16M
	--innodb-flush-log-at-trx-commit=2
	--innodb-doublewrite=0
	--performance-schema=OFF
	--character-set-server=utf8mb4
	--collation-server=utf8mb4_unicode_ci
	--default-time-zone=+00:00
)

# bin prints the path of the first of the named programs found; /usr/sbin
# is searched too because it is not on every user's PATH.
bin() {
	local name dir
	for name in "$@"; do
		if command -v "$name" 2>/dev/null; then
			return
		fi
		for dir in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
			if [[ -x "$dir/$name" ]]; then
				echo "$dir/$name"
				return
			fi
		done
	done
	return 1
}

install() {
	if bin mariadbd mysqld >/dev/null && bin mariadb-install-db mysql_install_db >/dev/null &&
		bin mariadb mysql >/dev/null && bin mariadb-admin mysqladmin >/dev/null; then
		return
	fi
	local sudo=() log
	if [[ "$(id -u)" -ne 0 ]]; then
		sudo=(sudo)
	fi
	echo "installing ${packages[*]} (apt-get)..." >&2
	log="$(mktemp)"
	# The lock timeout queues concurrent installs (test packages run in
	# parallel) instead of failing them. apt's output is shown only on failure.
	if ! {
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq update &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq \
				install -y --no-install-recommends "${packages[@]}"
	} >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

# ours succeeds when PID is a live server of DIR, so that a stale pid file
# never gets an unrelated process signalled. A zombie has an empty cmdline.
ours() {
	local pid="$1" dir="$2"
	[[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] &&
		tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--datadir=$dir/data"
}

# alive succeeds while PID runs: a child that has exited stays a zombie
# until waited for.
alive() {
	local state
	state="$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true)"
	[[ -n "$state" && "$state" != Z ]]
}

# free_port picks a random port nothing answers on, below Linux's
# ephemeral range (32768 on) so that outgoing connections do not take it;
# start retries with another one when the bind still loses a race.
free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	echo "no free port found" >&2
	return 1
}

# log_since prints the server log from byte offset FROM on: the lines of
# this launch only.
log_since() {
	tail -c "+$(($2 + 1))" "$1/error.log" 2>/dev/null || true
}

# launch runs the server on PORT and waits for it. Exit status 2 means the
# port was taken.
launch() {
	local dir="$1" port="$2" from pid
	from="$(stat -c %s "$dir/error.log" 2>/dev/null || echo 0)"
	"$mariadbd" --no-defaults "${user[@]}" \
		--datadir="$dir/data" --tmpdir="$dir/tmp" \
		--socket="$dir/mysqld.sock" --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
		--bind-address=127.0.0.1 --port="$port" --skip-name-resolve \
		"${server_opts[@]}" </dev/null >>"$dir/error.log" 2>&1 &
	pid=$!
	# Written at once (the server rewrites it later) so that stop works
	# even while the server is still starting.
	echo "$pid" >"$dir/mariadbd.pid"
	for _ in $(seq 300); do
		# alive, not ours: until the fork has exec'd, the cmdline is bash's.
		if ! alive "$pid"; then
			wait "$pid" 2>/dev/null || true
			if log_since "$dir" "$from" | grep -q "Address already in use"; then
				return 2
			fi
			echo "mariadbd exited during start; its log:" >&2
			log_since "$dir" "$from" >&2
			return 1
		fi
		if log_since "$dir" "$from" | grep -q "ready for connections" &&
			"$admin" --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -uroot --connect-timeout=2 \
				ping >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "mariadbd did not accept connections within 30 s; its log:" >&2
	log_since "$dir" "$from" >&2
	stop "$dir"
	return 1
}

start() {
	local dir="${1:?usage: $0 start DIR [PORT]}" port="${2:-}" status
	install
	mariadbd="$(bin mariadbd mysqld)"
	admin="$(bin mariadb-admin mysqladmin)"
	mkdir -p "$dir"
	dir="$(cd "$dir" && pwd)"
	if ((${#dir} + 12 > 107)); then
		echo "$dir is too long for a unix socket path; use a shorter directory" >&2
		return 1
	fi
	if [[ -f "$dir/mariadbd.pid" ]] && ours "$(cat "$dir/mariadbd.pid")" "$dir"; then
		echo "mariadbd is already running in $dir" >&2
		cat "$dir/port"
		return
	fi
	# mariadbd refuses to run as root unless told to.
	user=()
	if [[ "$(id -u)" -eq 0 ]]; then
		user=(--user=root)
	fi
	mkdir -p "$dir/tmp"
	if [[ ! -d "$dir/data/mysql" ]]; then
		# "normal" gives root@localhost and root@127.0.0.1 no password
		# instead of unix-socket authentication of the OS user. --force
		# skips the check that the host's name resolves, which it may not
		# on a CI machine (the server is reached by IP address anyway).
		# --tmpdir: the bootstrap's temporary tables are named by pid and
		# counter, so two installs sharing /tmp at once collide.
		if ! "$(bin mariadb-install-db mysql_install_db)" --no-defaults "${user[@]}" \
			--datadir="$dir/data" --tmpdir="$dir/tmp" --auth-root-authentication-method=normal --skip-test-db \
			--force \
			"${server_opts[@]}" >"$dir/install-db.log" 2>&1; then
			echo "mariadb-install-db failed; its log:" >&2
			cat "$dir/install-db.log" >&2
			return 1
		fi
	fi
	local p
	for _ in $(seq 8); do
		p="${port:-$(free_port)}"
		status=0
		launch "$dir" "$p" || status=$?
		if ((status == 0)); then
			echo "$p" >"$dir/port"
			watch_owner "$dir"
			echo "$p"
			return
		fi
		if ((status == 2)); then
			echo "port $p is in use" >&2
		fi
		if ((status != 2)) || [[ -n "$port" ]]; then
			return 1
		fi
	done
	return 1
}

# watch_owner starts the watcher EZ_MARIADB_OWNER asks for, detached and
# away from the caller's stdout, which the caller reads to its end.
watch_owner() {
	local owner="${EZ_MARIADB_OWNER:-}"
	[[ -n "$owner" ]] || return 0
	if ! [[ "$owner" =~ ^[0-9]+$ ]]; then
		echo "EZ_MARIADB_OWNER=$owner is not a process id" >&2
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
	[[ -f "$dir/mariadbd.pid" ]] || return 0
	pid="$(cat "$dir/mariadbd.pid")"
	if ours "$pid" "$dir"; then
		kill -TERM "$pid"
		for _ in $(seq 300); do
			ours "$pid" "$dir" || break
			sleep 0.1
		done
		if ours "$pid" "$dir"; then
			echo "mariadbd (pid $pid) did not shut down within 30 s; killing it" >&2
			kill -KILL "$pid"
		fi
	fi
	rm -f "$dir/mariadbd.pid" "$dir/port"
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

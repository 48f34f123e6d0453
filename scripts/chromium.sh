#!/bin/sh
# Installs Debian's headless-capable Chromium for the portal's browser tests
# when it is missing. Prints the browser's path.
set -eu

if [ -n "${EZ_CHROMIUM:-}" ] && [ -x "$EZ_CHROMIUM" ]; then
	echo "$EZ_CHROMIUM"
	exit 0
fi
for b in /usr/bin/chromium /usr/bin/chromium-browser; do
	if [ -x "$b" ]; then
		echo "$b"
		exit 0
	fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
echo "installing Debian chromium (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
echo /usr/bin/chromium

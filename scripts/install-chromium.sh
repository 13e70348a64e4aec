#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the browser tests (BrowserCaptureTest and the
# server's page tests), non-interactively, when it is not installed yet.
#
#   scripts/install-chromium.sh          # as root, or as a user with password-less sudo
#
# It exits 0 at once when a Chromium is already on PATH (chromium, chromium-browser or
# google-chrome) or named by $CHROMIUM. `apt-get update` runs only when apt does not know the
# package yet (fresh containers ship with empty package lists).
set -euo pipefail

say() { printf 'install-chromium: %s\n' "$*"; }

found() {
  if [[ -n "${CHROMIUM:-}" && -x "${CHROMIUM}" ]]; then
    echo "${CHROMIUM}"
    return 0
  fi
  local name
  for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if bin=$(found); then
  say "already present: $bin ($("$bin" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  say "no Chromium on PATH and no apt-get here; install Chromium yourself or set CHROMIUM=/path/to/chrome" >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  say "needs root (or password-less sudo) to run apt-get" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
packages=(chromium)

# A package apt knows has a candidate version; without one the lists are empty or stale.
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }
c=$(candidate chromium)
if [[ -z "$c" || "$c" == "(none)" ]]; then
  say "apt does not know chromium yet: running apt-get update"
  "${SUDO[@]}" apt-get update -q
else
  say "apt knows chromium $c: skipping apt-get update"
fi

say "apt-get install ${packages[*]}"
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"

if bin=$(found); then
  say "installed: $bin ($("$bin" --version 2>/dev/null || echo 'version unknown'))"
else
  say "apt-get finished but no chromium is on PATH" >&2
  exit 1
fi

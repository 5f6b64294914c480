# Sourced by the image scripts. `require_debian_package <command> <package>`: returns when <command> is on PATH;
# otherwise installs <package> from Debian when running as root, or stops with the exact command to run.
require_debian_package() {
  local command="$1" package="$2"
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: '$command' is not installed; run 'sudo apt-get install -y $package' first" >&2
    exit 1
  fi
  echo "installing $package from Debian (for '$command')" >&2
  # Another apt run (e.g. CI provisioning) may hold the lock; wait for it rather than failing.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "$package" >&2
  command -v "$command" >/dev/null 2>&1 || {
    echo "error: installed $package but '$command' is still not on PATH" >&2
    exit 1
  }
}

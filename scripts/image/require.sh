# Sourced by the image scripts, and run by the browser tests (test/e2e/chromium.ts).
# `require_debian_package <command> <package>`: returns when <command> is on PATH; otherwise installs <package> from
# Debian when running as root, or stops with the exact command to run.
#
# Installs are serialised across processes with flock: test suites run in parallel and may each need a package, and
# `apt-get update` does not wait for the lists lock (DPkg::Lock::Timeout covers only dpkg's own locks), so two at once
# fail with "Could not get lock /var/lib/apt/lists/lock". Whoever gets the lock second finds the package installed.
GATEHOUSE_APT_LOCK="${GATEHOUSE_APT_LOCK:-/var/lock/gatehouse-apt.lock}"

require_debian_package() {
  local command="$1" package="$2"
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: '$command' is not installed; run 'sudo apt-get install -y $package' first" >&2
    exit 1
  fi
  (
    flock -w 1800 9 || {
      echo "error: waited 30 minutes for another install to release $GATEHOUSE_APT_LOCK" >&2
      exit 1
    }
    command -v "$command" >/dev/null 2>&1 && exit 0
    echo "installing $package from Debian (for '$command')" >&2
    # Other apt runs (e.g. CI provisioning) do not take our lock; dpkg's lock is waited for, the lists lock retried.
    for attempt in 1 2 3 4 5 6; do
      apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && break
      [ "$attempt" -eq 6 ] && exit 1
      sleep 10
    done
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      "$package" >&2
  ) 9>"$GATEHOUSE_APT_LOCK" || exit 1
  command -v "$command" >/dev/null 2>&1 || {
    echo "error: installed $package but '$command' is still not on PATH" >&2
    exit 1
  }
}

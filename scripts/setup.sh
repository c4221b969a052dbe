# Sourced by ./lab, ./test and .ci/run after scripts/jdk.sh: build, Python env, kernel install.
# Each step does nothing when its inputs have not changed, so re-running is fast.

SERVERLAB_ROOT="${SERVERLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
SERVERLAB_STATE="$SERVERLAB_ROOT/.lab"
mkdir -p "$SERVERLAB_STATE"

# A hash of the files a step depends on; the step is skipped when it matches its last run.
serverlab_fingerprint() {
  (cd "$SERVERLAB_ROOT" && find "$@" -type f -not -path '*/target/*' -print0 2>/dev/null | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
}

serverlab_build() {
  local jar="$SERVERLAB_ROOT/kernel/target/serverlab-kernel.jar" stamp="$SERVERLAB_STATE/build.sha1" sum
  sum=$(serverlab_fingerprint pom.xml servers labs kernel .mvn)
  if [ -f "$jar" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "build: up to date ($jar)"
    return 0
  fi
  echo "build: mvnw package (JDK $JAVA_HOME) ..."
  (cd "$SERVERLAB_ROOT" && ./mvnw -q -B install -DskipTests) || {
    echo "error: the Maven build failed (see above). It needs Maven Central, or a filled ~/.m2." >&2; return 1; }
  echo "$sum" > "$stamp"
}

serverlab_python_env() {
  local venv="$SERVERLAB_ROOT/.venv" stamp="$SERVERLAB_STATE/venv.sha1" sum py
  py="$(command -v python3 || true)"
  if [ -z "$py" ]; then
    echo "error: python3 is missing. Debian/Ubuntu: sudo apt-get install python3 python3-venv" >&2; return 1
  fi
  sum=$(serverlab_fingerprint binder/requirements.txt)
  if [ -x "$venv/bin/jupyter" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "python: .venv up to date"
    return 0
  fi
  if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv" || {
      echo "error: could not create a virtual environment. Debian/Ubuntu: sudo apt-get install python3-venv" >&2; return 1; }
  fi
  echo "python: installing binder/requirements.txt into .venv ..."
  # --retries 0: where the public index is unreachable, fail over to local wheels at once.
  PIP_RETRIES=0 "$venv/bin/pip" install -q --retries 0 --disable-pip-version-check -r "$SERVERLAB_ROOT/binder/requirements.txt" || {
    echo "error: pip could not install binder/requirements.txt (is a package index reachable?)" >&2; return 1; }
  echo "$sum" > "$stamp"
}

serverlab_install_kernel() {
  local jar="$SERVERLAB_ROOT/kernel/target/serverlab-kernel.jar" spec="$SERVERLAB_ROOT/.venv/share/jupyter/kernels/serverlab"
  if [ -f "$spec/serverlab-kernel.jar" ] && cmp -s "$jar" "$spec/serverlab-kernel.jar" && [ -f "$spec/kernel.json" ]; then
    echo "kernel: serverlab kernelspec up to date"
    return 0
  fi
  "$JAVA_HOME/bin/java" -jar "$jar" install --prefix "$SERVERLAB_ROOT/.venv" >/dev/null || {
    echo "error: installing the kernelspec failed" >&2; return 1; }
  echo "kernel: installed serverlab kernelspec in $spec"
}

# Sourced by ./lab, ./test, .ci/run and bench/*: finds a JDK >= 21 and exports JAVA_HOME.
# Order: $JAVA_HOME, then the usual JVM directories, then `java` on PATH.

serverlab_java_major() {  # prints the feature version of the JDK at $1, or nothing
  local v
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  case "$v" in 1.*) echo "${v#1.}" ;; *) echo "$v" ;; esac
}

serverlab_find_jdk() {
  local candidates=() dir major best="" best_major=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for dir in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$dir" ] && candidates+=("$dir")
  done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for dir in "${candidates[@]}"; do
    major=$(serverlab_java_major "$dir")
    [ -n "$major" ] || continue
    # JAVA_HOME wins when it is new enough; otherwise take the newest JDK found.
    if [ "$dir" = "${JAVA_HOME:-}" ] && [ "$major" -ge 21 ]; then best="$dir"; break; fi
    if [ "$major" -gt "$best_major" ]; then best="$dir"; best_major=$major; fi
  done
  if [ -z "$best" ] || [ "$(serverlab_java_major "$best")" -lt 21 ]; then
    echo "error: ServerLab needs a JDK 21 or newer (javac included), and none was found." >&2
    echo "  looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/*, /opt/java/*, ~/.sdkman, and java on PATH" >&2
    echo "  fix: install one (Debian/Ubuntu: sudo apt-get install openjdk-21-jdk, or a Temurin 21/25 from adoptium.net)" >&2
    echo "       and/or point JAVA_HOME at it: export JAVA_HOME=/path/to/jdk" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # JDK 24+ warns about Maven's own libraries (jansi, guava); those options do not exist before 24.
  if [ "$(serverlab_java_major "$best")" -ge 24 ]; then
    case "${MAVEN_OPTS:-}" in *sun-misc-unsafe*) ;; *)
      export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}

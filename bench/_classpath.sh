# Sourced by bench/* scripts: builds servers + labs (offline) and exports SERVERLAB_CP,
# the run-time class path of the labs module.
serverlab_labs_classpath() {
  local root="$1"
  (cd "$root" && ./mvnw -q -o -pl labs -am package dependency:build-classpath \
      -DskipTests -Dmdep.outputFile=target/classpath.txt) >&2 || return 1
  local labs_jar
  labs_jar=$(ls "$root"/labs/target/labs-*.jar | grep -v -e sources -e javadoc | head -1)
  export SERVERLAB_CP="$labs_jar:$(cat "$root/labs/target/classpath.txt")"
}

# Shared by bin/ferry and the scripts: finds a JDK >= 25 (JAVA_HOME first, then /usr/lib/jvm).
# Sourced, not run. Sets FERRY_JAVA_HOME or prints what is missing and returns 1.

ferry_java_version() { # JAVA_HOME -> major version, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

ferry_find_jdk() {
  local candidates=() home v
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  for home in /usr/lib/jvm/*; do [[ -d "$home" ]] && candidates+=("$home"); done
  for home in "${candidates[@]}"; do
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || continue
    v=$(ferry_java_version "$home")
    if [[ -n "$v" && "$v" -ge 25 ]]; then FERRY_JAVA_HOME=$home; return 0; fi
  done
  echo "ferry: no JDK >= 25 found (looked at JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/*)." >&2
  echo "ferry: Ferry is compiled for Java 25 (maven.compiler.release). Install one (for example" >  echo "ferry: Ferry is compiled for Java 25 (Panama FFM, final in JDK 22; its JVM options need 25). Install one (for example" >&22
  echo "ferry: Temurin 25 under /usr/lib/jvm) or point JAVA_HOME at it." >&2
  return 1
}

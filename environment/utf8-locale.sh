# Sourced by the project's scripts (issue 15). Under a C/POSIX (ASCII) locale the JVM cannot name files whose paths
# have non-ASCII letters (java.nio.file.InvalidPathException: "Malformed input or input contains unmappable
# characters"), and -Dsun.jnu.encoding cannot change that on Java 17. So when the locale's character set is not
# UTF-8, switch to C.UTF-8 (or en_US.UTF-8), if the system has one; the JVMs and Python started from here inherit it.
if [ "$(locale charmap 2>/dev/null)" != "UTF-8" ]; then
  _fashion_locales=$(locale -a 2>/dev/null | tr 'A-Z' 'a-z' | tr -d '-')
  for _fashion_l in C.UTF-8 en_US.UTF-8; do
    if printf '%s\n' "$_fashion_locales" | grep -qx "$(printf '%s' "$_fashion_l" | tr 'A-Z' 'a-z' | tr -d '-')"; then
      export LC_ALL="$_fashion_l"
      break
    fi
  done
  unset _fashion_locales _fashion_l
fi

#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter, or explain and fail.
# Order: $PYTHON, python3.12, python3.13, python3, then pyenv's installed versions.
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

for candidate in "${PYTHON:-}" python3.12 python3.13 python3; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done

root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
  if ok "$path"; then echo "$path"; exit 0; fi
done

echo "Quartier needs Python 3.12 or newer, and none was found." >&2
echo "Install one (e.g. 'pyenv install 3.12' or your system's python3.12 package)," >&2
echo "or point PYTHON at it: make PYTHON=/path/to/python3.12 run" >&2
exit 1

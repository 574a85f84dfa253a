#!/usr/bin/env bash
# Print the path of a working Python 3.10 (PATH first, then pyenv), or nothing.
for cand in "$(command -v python3.10 2>/dev/null)" \
            $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r) \
            /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -n "$cand" ] && [ -x "$cand" ] || continue
  if "$cand" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$cand"; exit 0
  fi
done
exit 1

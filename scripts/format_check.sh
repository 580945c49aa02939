#!/usr/bin/env bash
# Fails when a tracked C++/CUDA file is not clang-formatted (.clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh')
[ ${#files[@]} -eq 0 ] && exit 0
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "format: not clang-formatted (run clang-format -i):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "format: ${#files[@]} files clean"

# CTest names come from Catch2 test names: '[' and ']' read as tags and ';'
# splits a CMake list, so such a test silently runs nothing under ctest.
if git grep -nE 'TEST_CASE\("[^"]*[][;]' -- tests >&2; then
  echo "format: test names above contain '[', ']' or ';' (ctest cannot run them)" >&2
  exit 1
fi

# Every repository file the README and docs/ cite exists: markdown links
# and `folder/...` paths (a path without its extension may name a .hpp/.cpp pair).
missing=0
for doc in README.md docs/*.md; do
  dir=$(dirname "$doc")
  while read -r p; do
    [ -e "$dir/$p" ] || { echo "docs: $doc links to $p, which does not exist" >&2; missing=1; }
  done < <(grep -oE '\]\([^) #]+[)#]' "$doc" | sed 's/^](//; s/[)#]$//' | grep -vE '^(https?|mailto):' || true)
  while read -r p; do
    [ -e "$p" ] || compgen -G "$p.*" >/dev/null ||
      { echo "docs: $doc cites $p, which does not exist" >&2; missing=1; }
  done < <(grep -oE '`(core|data|gpu|net|config|runtime|actors|apps|bench|tests|scripts|docs|examples|cmake)/[A-Za-z0-9_./-]*`' "$doc" | tr -d '`' | sort -u || true)
done
[ "$missing" -eq 0 ] || exit 1
echo "docs: every cited file exists"

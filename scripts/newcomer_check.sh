#!/usr/bin/env bash
# The newcomer's path, as the README gives it: `bash scripts/quickstart.sh`,
# then every command of the ```sh blocks of README.md's "## Using it"
# section, in order, exactly as written, from the repository root (`sgp`
# is build/apps/sgp). Blocks that are not to be run here (another terminal
# or host, a GPU, output samples) use another fence (```console, ```text).
# Any command that exits non-zero fails the check, naming its README line.
#
#   bash scripts/newcomer_check.sh          (scripts/test.sh runs it after ctest)
#   NEWCOMER_TIMEOUT=900                    seconds per command (default 600)
#
# It needs a fresh clone's state: with runs/ present (earlier runs, which
# the README's commands would refuse to replace), it stops before running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
timeout_s=${NEWCOMER_TIMEOUT:-600}
readme=README.md

if [ -e runs ]; then
  echo "newcomer: runs/ exists: this check follows the README from a fresh clone;" \
    "move runs/ away or run it in a fresh clone" >&2
  exit 2
fi

# The commands: "LINE<TAB>COMMAND" for each command line of a ```sh block
# in "## Using it" (up to the next "## " heading). Blank and comment-only
# lines are skipped; a line ending in '\' continues on the next.
extract() {
  awk '
    /^## / { in_section = ($0 == "## Using it"); next }
    !in_section { next }
    /^[[:space:]]*```/ {
      if (in_block) { in_block = 0; next }
      lang = $0; sub(/^[[:space:]]*```/, "", lang)
      in_block = (lang == "sh"); next
    }
    !in_block { next }
    {
      line = $0; sub(/^[[:space:]]+/, "", line)
      if (pending != "") { cmd = pending " " line } else { cmd = line; start = NR }
      if (cmd ~ /\\$/) { sub(/\\$/, "", cmd); pending = cmd; next }
      pending = ""
      if (cmd ~ /^#/ || cmd ~ /^[[:space:]]*$/) next
      printf "%d\t%s\n", start, cmd
    }
  ' "$readme"
}

mapfile -t commands < <(extract)
if [ ${#commands[@]} -eq 0 ]; then
  echo "newcomer: no \`\`\`sh commands found in $readme's \"## Using it\" section" >&2
  exit 1
fi

start_all=$SECONDS
echo "newcomer: bash scripts/quickstart.sh"
t0=$SECONDS
if ! bash scripts/quickstart.sh; then
  echo "newcomer: FAILED: $readme's first command, bash scripts/quickstart.sh" >&2
  exit 1
fi
echo "newcomer: quickstart.sh took $((SECONDS - t0)) s"

# `sgp` as the README means it, for every command (bash -c sees it).
sgp() { "$root/build/apps/sgp" "$@"; }
export -f sgp
export root

ran=0
for entry in "${commands[@]}"; do
  line=${entry%%$'\t'*}
  cmd=${entry#*$'\t'}
  shown=$(sed -E 's/[[:space:]]+#.*$//' <<<"$cmd")
  echo "newcomer: $readme:$line: $shown"
  t0=$SECONDS
  rc=0
  # timeout runs the command in a process group of its own, which Ctrl-C
  # does not reach: a signal to this script is passed on.
  timeout "$timeout_s" bash -c "$cmd" &
  child=$!
  trap 'kill -TERM $child 2>/dev/null; exit 130' INT TERM
  wait $child || rc=$?
  trap - INT TERM
  if [ $rc -ne 0 ]; then
    why="exit $rc"
    [ $rc -eq 124 ] && why="timed out after $timeout_s s"
    echo "newcomer: FAILED ($why): $readme:$line: $shown" >&2
    exit 1
  fi
  echo "newcomer: ok in $((SECONDS - t0)) s"
  ran=$((ran + 1))
done
echo "newcomer: quickstart.sh and $ran commands of $readme's \"Using it\" ran as written" \
  "($((SECONDS - start_all)) s)"

#!/usr/bin/env bash
# solcjs (the npm `solc` package) behind the command-line shape py-solc-x expects; no native solc can be
# downloaded here. Three quirks of solcjs are worked around:
# - it prints ">>> Cannot retry compilation with SMT ..." before its JSON, which breaks py-solc-x's parsing;
# - readFileSync(stdin) fails with EAGAIN on a pipe whose writer is not done yet;
# - it exits before a large output has drained into a pipe (the JSON is cut at 64 KiB).
# So input and output go through temporary files, and the ">>> " lines are dropped.
set -euo pipefail
solc="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/node_modules/solc/solc.js"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ " $* " == *" --standard-json "* ]]; then
  cat >"$work/in"
else
  : >"$work/in"
fi
node "$solc" "$@" <"$work/in" >"$work/out"
sed '/^>>> /d' "$work/out"

#!/bin/sh
# Nothing outside the repository is named as an input: no source, test, script, document or
# shipped data file points at ../shared (the data a clone does not have; data/README.md says
# where its copies are). Prints every line that does.
#   tests/outside.sh [SOURCE_DIR]
set -eu
cd "${1:-$(dirname "$0")/..}"
if grep -rnE '\.\./shared|shared/(data|reference)|SHARED_DIR' \
	--exclude-dir=.git --exclude-dir='build*' --exclude-dir=out \
	--exclude-dir=node_modules --exclude=outside.sh . >&2; then
	echo "outside: the lines above name files outside the repository" >&2
	exit 1
fi
echo "outside: nothing outside the repository is named"

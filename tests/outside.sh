#!/bin/sh
# Nothing outside the repository is named as an input: no source, test, script, document or
# shipped data file points at the sibling data folder of the workplace this project was built
# in (a clone does not have it; data/README.md says where its copies are). Prints every line
# that does. The folder's name is put together below, so that this file names nothing itself.
#   tests/outside.sh [SOURCE_DIR]
set -eu
cd "${1:-$(dirname "$0")/..}"
sibling=shar
sibling="${sibling}ed"
if grep -rnE "\.\./$sibling|$sibling/(data|reference)|SHARED_DIR" \
	--exclude-dir=.git --exclude-dir='build*' --exclude-dir=out \
	--exclude-dir=node_modules --exclude=outside.sh . >&2; then
	echo "outside: the lines above name files outside the repository" >&2
	exit 1
fi
echo "outside: nothing outside the repository is named"

#!/bin/sh
# The layers of docs/development.md: a folder includes only folders of a lower rank (or its
# own), and only meter/ includes the HTTP libraries. Prints every include that breaks them.
#   tests/layers.sh [SOURCE_DIR]
set -eu
cd "${1:-$(dirname "$0")/..}"
rank() {
	case $1 in
	base) echo 0 ;; sim) echo 1 ;; model) echo 2 ;; trace) echo 3 ;;
	import | replay | fit) echo 4 ;; meter | reports) echo 5 ;; cli) echo 6 ;;
	*) echo "layers: unknown folder '$1'" >&2; exit 2 ;;
	esac
}
bad=0
for dir in base sim model trace import replay fit meter reports cli; do
	mine=$(rank "$dir")
	for f in "$dir"/*.[ch]; do
		for inc in $(sed -n 's|^#include "\([a-z_]*\)/.*|\1|p' "$f" | sort -u); do
			[ "$inc" = "$dir" ] && continue
			if [ "$(rank "$inc")" -ge "$mine" ]; then
				echo "layers: $f includes $inc/, which is not below $dir/" >&2
				bad=1
			fi
		done
		if [ "$dir" != meter ] && grep -qE '^#include <(microhttpd|curl/)' "$f"; then
			echo "layers: $f includes an HTTP library; only meter/ may" >&2
			bad=1
		fi
	done
done
[ $bad -eq 0 ] && echo "layers: every include runs down"
exit $bad

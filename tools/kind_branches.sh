#!/bin/sh
# Form-kind branches and result probes in evaltool/ (issue 13): `kind ==/!=` on a form kind, a
# "评分表"/"自评表" test, getattr/hasattr probes on a result or project, isinstance on a kind's model.
# Prints each hit and the count; the target is 0.   Usage: sh tools/kind_branches.sh [checkout]
cd "${1:-$(dirname "$0")/..}" || exit 2
PATTERN='(\.kind|kind|context\.get\("kind"\)) *(==|!=) *"(自评表|评分表)"|kind not in \("自评表"|getattr\([a-z_]+, "kind"|hasattr\([a-z_]+, "result_dict"\)|getattr\((r|result|project|p), "(ungraded|planned|used|arrived|use_display|arrival_display|average|total|grade|framework)"|isinstance\([a-z_]+, (SheetResult|ScoreSheet|SelfEvalResult)\)|if [a-z_.]+ == KIND\b'
grep -rnE "$PATTERN" evaltool --include='*.py'
echo "count: $(grep -rnE "$PATTERN" evaltool --include='*.py' | wc -l)"

#!/bin/sh
# Writes the template of the message catalog (what the sources mark for
# translation) to stdout: _() and N_(), and the formats of set_cause(),
# reply_fail(), reply_warn(), the planner's problem() and warning(), the
# process comparison's move_text() and change(), and the configuration and
# process file readers' complain(), which translate their format themselves.
#
#   po/messages.sh > /tmp/ikond.pot
#   msgmerge --update --no-wrap --no-location po/de.po /tmp/ikond.pot
#   # then translate what is new or fuzzy
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck disable=SC2046
exec xgettext --from-code=UTF-8 --language=C --output=- --sort-by-file \
	--package-name=ikond --msgid-bugs-address=none --no-wrap --no-location \
	--keyword=_ --keyword=N_ --keyword=set_cause:2 --keyword=reply_fail:3 \
	--keyword=reply_warn:2 --keyword=problem:2 --keyword=warning:2 --keyword=move_text:1 \
	--keyword=change:2 --keyword=complain:3 \
	--flag=set_cause:2:c-format --flag=reply_fail:3:c-format \
	--flag=reply_warn:2:c-format --flag=problem:2:c-format --flag=warning:2:c-format \
	--flag=move_text:1:c-format --flag=change:2:c-format \
	--flag=complain:3:c-format \
	$(ls common/*.c daemon/*.c cli/*.c)

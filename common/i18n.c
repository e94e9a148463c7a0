/*
 * i18n: binding the catalogs and making per-request locales (see i18n.h).
 */
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

void
i18n_init(void)
{
	const char *dirs[] = { IKOND_LOCALEDIR, IKOND_BUILD_LOCALEDIR };
	char *mo;
	size_t i;

	/* The catalog is looked up as DIR/LANG/LC_MESSAGES/ikond.mo: the
	 * first directory that holds the German one is the one in use. */
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		xasprintf(&mo, "%s/de/LC_MESSAGES/" IKOND_TEXTDOMAIN ".mo", dirs[i]);
		if (access(mo, R_OK) == 0) {
			free(mo);
			bindtextdomain(IKOND_TEXTDOMAIN, dirs[i]);
			break;
		}
		free(mo);
	}
	bind_textdomain_codeset(IKOND_TEXTDOMAIN, "UTF-8");
}

bool
i18n_lang_valid(const char *lang)
{
	size_t n = strlen(lang);

	return n > 0 && n <= I18N_LANG_MAX && strspn(lang, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.@-") == n;
}

locale_t
i18n_locale(const char *lang)
{
	return newlocale(LC_MESSAGES_MASK, lang, (locale_t)0);
}

/*
 * i18n: the messages people read from ikond-ctl, in their language (GNU
 * gettext, text domain "ikond", catalogs in po/).  ikond-ctl follows its
 * own locale (LC_MESSAGES) and sends it with each request; the daemon
 * answers each request in the locale it names, on the thread that runs
 * the command (uselocale()), while its own log and its global locale
 * stay English.
 *
 * Messages are marked for xgettext (po/CMakeLists.txt): _() translates
 * where it stands, N_() marks a string translated later, and the format
 * of set_cause(), reply_fail() and reply_warn() is translated by those
 * functions themselves.
 */
#ifndef IKOND_I18N_H
#define IKOND_I18N_H

#include <libintl.h>
#include <locale.h>
#include <stdbool.h>

#define IKOND_TEXTDOMAIN	"ikond"
#define I18N_LANG_MAX		64	/* bytes of a locale name in a request */

#define _(s)	dgettext(IKOND_TEXTDOMAIN, (s))
#define N_(s)	(s)

/* Binds the text domain to the installed catalogs, or to the build
 * tree's when ikond runs from there; translations come out as UTF-8. */
void i18n_init(void);
/* True for a locale name a request may carry: [A-Za-z0-9_.@-], at most
 * I18N_LANG_MAX bytes. */
bool i18n_lang_valid(const char *lang);
/* The locale lang for messages, or (locale_t)0 if it is unknown here
 * (the caller then answers in English).  Free with freelocale(). */
locale_t i18n_locale(const char *lang);

#endif

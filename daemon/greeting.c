/*
 * greeting: German salutations (see greeting.h).  The wording lives here
 * alone; mails (outbox.c) and drafts (draft.c) take it from the actor's
 * JSON (entity.c), which calls greeting_de().
 */
#include "greeting.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

char *
greeting_family_name(const char *family_name, const char *name)
{
	const char *p, *end;

	if (family_name != NULL && family_name[0] != '\0')
		return xstrdup(family_name);
	end = name + strlen(name);
	while (end > name && end[-1] == ' ')
		end--;
	for (p = end; p > name && p[-1] != ' '; p--)
		;
	return xstrndup(p, (size_t)(end - p));
}

/* The title and a space in front of rest, unless rest starts with it. */
static char *
titled(const char *title, const char *rest)
{
	size_t len = title != NULL ? strlen(title) : 0;
	char *out;

	if (len == 0 || (strncmp(rest, title, len) == 0 && rest[len] == ' '))
		return xstrdup(rest);
	xasprintf(&out, "%s %s", title, rest);
	return out;
}

char *
greeting_de(const char *salutation, const char *title, const char *family_name,
    const char *name)
{
	const char *form = NULL;
	char *family, *who, *out;

	if (salutation != NULL && strcmp(salutation, "org") == 0)
		return xstrdup("Sehr geehrte Damen und Herren");
	if (salutation != NULL && strcmp(salutation, "frau") == 0)
		form = "Sehr geehrte Frau";
	else if (salutation != NULL && strcmp(salutation, "herr") == 0)
		form = "Sehr geehrter Herr";
	if (form == NULL) {
		who = titled(title, name);
		xasprintf(&out, "Guten Tag %s", who);
	} else {
		family = greeting_family_name(family_name, name);
		who = titled(title, family);
		xasprintf(&out, "%s %s", form, who);
		free(family);
	}
	free(who);
	return out;
}

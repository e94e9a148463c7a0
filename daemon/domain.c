/*
 * domain: vocabularies and the small validity checks every entity shares
 * (see domain.h).
 */
#include "domain.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"
#include "xmalloc.h"

#define EURO_MAX_CENTS	(100000000000LL * 100)

const struct vocab committee_kinds[] = {
	{ "rat", "Rat" },
	{ "kreistag", "Kreistag" },
	{ "fachausschuss", "Fachausschuss" },
	{ "verwaltungsausschuss", "Verwaltungsausschuss" },
	{ "kreisausschuss", "Kreisausschuss" },
	{ "hauptausschuss", "Hauptausschuss" },
	{ "magistrat", "Magistrat" },
	{ "gemeindevorstand", "Gemeindevorstand" },
	{ "integrationsbeirat", "Integrationsbeirat" },
	{ "integrationsrat", "Integrationsrat" },
	{ "auslaenderbeirat", "Ausländerbeirat" },
	{ "verwaltungsvorstand", "Verwaltungsvorstand" },
	{ "fachleitungsrunde", "Fachleitungsrunde" },
	{ "arbeitsgruppe", "Arbeitsgruppe" },
	{ NULL, NULL },
};

const struct vocab session_states[] = {
	{ "planned", "geplant" },
	{ "invited", "eingeladen" },
	{ "held", "durchgeführt" },
	{ "cancelled", "abgesagt" },
	{ NULL, NULL },
};

const struct vocab submission_kinds[] = {
	{ "verwaltungsvorlage", "Verwaltungsvorlage" },
	{ "beschlussvorlage", "Beschlussvorlage" },
	{ "mitteilungsvorlage", "Mitteilungsvorlage" },
	{ NULL, NULL },
};

const struct vocab submission_states[] = {
	{ "draft", "Entwurf" },
	{ "submitted", "eingereicht" },
	{ "decided", "beschlossen" },
	{ "withdrawn", "zurückgezogen" },
	{ NULL, NULL },
};

const struct vocab deadline_kinds[] = {
	{ "ladungsfrist", "Ladungsfrist" },
	{ "bekanntmachung", "Bekanntmachung der Tagesordnung" },
	{ "antragsfrist", "Antragsfrist" },
	{ "verwaltungsvorlage", "Vorlagenfrist Verwaltungsvorlage" },
	{ "beschlussvorlage", "Vorlagenfrist Beschlussvorlage" },
	{ "mitteilungsvorlage", "Vorlagenfrist Mitteilungsvorlage" },
	{ NULL, NULL },
};

/* What a committee does with a submission in one Beratung (OParl: the
 * role of a Consultation). */
const struct vocab beratung_roles[] = {
	{ "anhoerung", "Anhörung" },
	{ "vorberatung", "Vorberatung" },
	{ "entscheidung", "Entscheidung" },
	{ "kenntnisnahme", "Kenntnisnahme" },
	{ NULL, NULL },
};

/* How an actor wants to be greeted: as a woman, a man, by full name
 * without a gendered form, or as an organisation. */
const struct vocab salutations[] = {
	{ "frau", "Frau" },
	{ "herr", "Herr" },
	{ "neutral", "ohne Anrede" },
	{ "org", "Organisation" },
	{ NULL, NULL },
};

const char *
vocab_label(const struct vocab *v, const char *word)
{
	for (; word != NULL && v->word != NULL; v++)
		if (strcmp(v->word, word) == 0)
			return v->label;
	return NULL;
}

bool
vocab_has(const struct vocab *v, const char *word)
{
	return vocab_label(v, word) != NULL;
}

const char *
vocab_words(const struct vocab *v)
{
	static struct {
		const struct vocab	*v;
		char			 text[512];
	} cache[8];
	size_t i, len;

	for (i = 0; i < 8 && cache[i].v != NULL; i++)
		if (cache[i].v == v)
			return cache[i].text;
	if (i == 8)
		i = 0;
	cache[i].v = v;
	cache[i].text[0] = '\0';
	for (; v->word != NULL; v++) {
		len = strlen(cache[i].text);
		snprintf(cache[i].text + len, sizeof(cache[i].text) - len, "%s%s",
		    len ? " " : "", v->word);
	}
	return cache[i].text;
}

bool
domain_slug_valid(const char *slug)
{
	size_t i, len = strlen(slug);

	if (len == 0 || len > 48 || slug[0] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9') ||
		    slug[i] == '-'))
			return false;
	return true;
}

bool
domain_text_valid(const char *text, unsigned max, bool allow_newline)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);

	if (len == 0 || len > max || !utf8_valid(text, len))
		return false;
	for (; *p != '\0'; p++)
		if ((*p < 0x20 && !(allow_newline && *p == '\n')) || *p == 0x7f)
			return false;
	return true;
}

int
domain_parse_euros(const char *opt, const char *text, long long *cents, char **cause)
{
	long long euros = 0, frac = 0;
	const char *p = text;
	int digits = 0, fdigits = 0;

	for (; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 13)
				break;
			euros = euros * 10 + (*p - '0');
		} else if (*p == '.' && strspn(p + 1, "0123456789") == 3 &&
		    (p[4] == '\0' || p[4] == ',' || p[4] == '.' || p[4] == ' '))
			continue;	/* thousands separator */
		else
			break;
	}
	if (*p == ',' || *p == '.') {
		for (p++; *p >= '0' && *p <= '9' && fdigits < 2; p++, fdigits++)
			frac = frac * 10 + (*p - '0');
		if (fdigits == 1)
			frac *= 10;
	}
	while (*p == ' ')
		p++;
	if (strcmp(p, "EUR") == 0 || strcmp(p, "€") == 0)
		p += strlen(p);
	if (digits == 0 || *p != '\0' || euros * 100 + frac > EURO_MAX_CENTS)
		return set_cause(cause, "--%s \"%.40s\" is not an amount in euros (e.g. 12500 "
		    "or 12500,50)", opt, text);
	*cents = euros * 100 + frac;
	return 0;
}

/*
 * domain: the fixed vocabularies of the domain (kinds of committee,
 * session states, kinds of Vorlage) with their German labels, so that
 * validation, tables, feeds, mails and drafts all use the same words.
 */
#ifndef IKOND_DOMAIN_H
#define IKOND_DOMAIN_H

#include <stdbool.h>

struct vocab {
	const char	*word;		/* stored and typed: "fachausschuss" */
	const char	*label;		/* German, for people: "Fachausschuss" */
};

extern const struct vocab committee_kinds[];
extern const struct vocab session_states[];
extern const struct vocab submission_kinds[];
extern const struct vocab submission_states[];
/* What a committee does with a Vorlage in the Beratungsfolge. */
extern const struct vocab beratung_roles[];
extern const struct vocab deadline_kinds[];
extern const struct vocab salutations[];

/* The label of word in v, or NULL if word is not in v. */
const char *vocab_label(const struct vocab *v, const char *word);
bool vocab_has(const struct vocab *v, const char *word);
/* "a, b or c" style list of the words, static storage per vocabulary. */
const char *vocab_words(const struct vocab *v);

/* Slugs: 1-48 of [a-z0-9-], starting with a letter or digit. */
bool domain_slug_valid(const char *slug);
/* Free text fields: valid UTF-8 without control characters, 1..max bytes. */
bool domain_text_valid(const char *text, unsigned max, bool allow_newline);
/* An amount in euros ("12500", "12500.50", "12.500,50", "12500 EUR") into
 * cents; the message of a bad amount names the option opt.  0 or -1. */
int domain_parse_euros(const char *opt, const char *text, long long *cents, char **cause);

#endif

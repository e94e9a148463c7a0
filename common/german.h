/*
 * german: the one place that words things in German for people to read:
 * dates ("Donnerstag, 16. Dezember 2027", "16.12.2027"), times, money
 * ("12.500,00 €"), recurrence rules ("jährlich im März"), greetings
 * ("Sehr geehrte Frau Dr. Brunken"), and the grammar of names: the body
 * ("die Stadt Iserlohn", "im Landkreis Musterland", "des Kreises Unna"),
 * its committees ("der Kreistag", "die Regionsversammlung") and the
 * concept being written ("das Integrationskonzept „Bildung 2030“").
 *
 * Pure functions of their arguments: no configuration, no store, no
 * locale, so the daemon and ikond-ctl word things the same way.
 */
#ifndef IKOND_GERMAN_H
#define IKOND_GERMAN_H

#include <stdbool.h>
#include <stddef.h>

#define GERMAN_DATE_MAX	48	/* bytes of the longest date form, with NUL */
#define GERMAN_TIME_MAX	24	/* bytes of german_time() for any int, with NUL */
#define GERMAN_EURO_MAX	48

/* "Donnerstag, 16. Dezember 2027" for a day number of civil.h. */
void german_date_long(int days, char *out, size_t len);
/* "16.12.2027" */
void german_date_short(int days, char *out, size_t len);
/* "Donnerstag, 16.12.2027": a list's date, with its weekday. */
void german_date_weekday(int days, char *out, size_t len);
/* "Dezember" and "Dez." for months 1 to 12 ("" for others); static. */
const char *german_month(int month);
const char *german_month_abbrev(int month);
/* Days from..to: "23.02.–16.03.2027", "27.12.2027–02.01.2028", one day
 * as "16.03.2027". */
void german_span(int from, int to, char *out, size_t len);
/* The ISO week of a day, for a heading: "Kalenderwoche 51: 20.12.–26.12.2027"
 * ("Kalenderwoche 52: 27.12.2027–02.01.2028" across a new year). */
void german_week(int days, char *out, size_t len);
/* A day in a message for people, in the form of the language the message
 * is translated into: ISO 8601 in English, "16.12.2027" in German.  The
 * catalog decides, through the pattern "YYYY-MM-DD". */
void german_date_for_reader(int days, char *out, size_t len);
/* The same for a day written "YYYY-MM-DD"; text that is no date is copied. */
void german_iso_for_reader(const char *iso, char *out, size_t len);
/* "17:00 Uhr" (with a no-break space) for minutes since midnight. */
void german_time(int minute, char *out, size_t len);
/*
 * When an event takes place, from its first and last day and its start and
 * end minute (CIVIL_NO_TIME while not known): "Mittwoch, 19. Mai 2027,
 * 09:30 bis 16:00 Uhr", "..., ab 09:30 Uhr", "..., 18:00 Uhr, bis
 * Donnerstag, 20. Mai 2027, 13:00 Uhr"; a time not known yet is said to
 * follow ("Mittwoch, 19. Mai 2027; die Uhrzeit teilen wir Ihnen noch
 * mit").  "Uhr" is bound to its time by a no-break space.  Allocated.
 */
char *german_when(int day, int minute, int end_day, int end_minute);
/* Euro cents as "12.500,00 €" (negative amounts with "-"). */
void german_euro(long long cents, char *out, size_t len);
/* The parts of an RRULE drafts use, in words ("jährlich am ersten
 * Dienstag im März"); a rule it cannot describe comes back as written.
 * Allocated. */
char *german_rrule(const char *rrule);

struct rule;

/* The unit of a rule's count: "Kalendertage", "Arbeitstag", "Wochen" ... */
const char *german_rule_unit(const struct rule *r);
/* Why a day is no working day, for a sentence: "Samstag" for workcal's
 * "Sa", "Sonntag" for "So", a holiday's or day off's name as it is. */
const char *german_day_off(const char *reason);

/*
 * How a deadline follows from its rule, in one sentence for a reader:
 * "21 Kalendertage vor der Sitzung am Dienstag, 16. März 2027" and, when
 * the day the rule gave (raw_day) was moved to due_day, "; der 13.03.2027
 * ist kein Arbeitstag (Samstag), daher gilt der Arbeitstag davor".
 * anchor names what the rule counts from, in the dative with its article
 * ("der Sitzung"); reason is why raw_day is no working day ("Sa", "So" or
 * a holiday's name), or NULL.  Allocated.
 */
char *german_rule_why(const struct rule *r, const char *anchor, int anchor_day, int raw_day,
    int due_day, const char *reason);

/*
 * The salutation of a letter or mail, without the comma, from how the
 * person wants to be greeted (salutation: "frau", "herr", "neutral" or
 * "org", in any case): "Sehr geehrte Frau Dr. Brunken", "Sehr geehrter
 * Herr Yilmaz"; "Guten Tag Kim Koordination" for neutral, an unknown or
 * a NULL salutation (the full name, with the title in front unless the
 * name starts with it); "Sehr geehrte Damen und Herren" for org and
 * without any name.  A NULL or empty family name is the last word of
 * name; title may be NULL or "".  Allocated.
 */
char *german_greeting(const char *salutation, const char *title, const char *family_name,
    const char *name);
/* The family name to greet with: family_name unless NULL or empty, else
 * the last word of name (NULL: "").  Allocated. */
char *german_family_name(const char *family_name, const char *name);

/* Grammatical gender of a noun, from its ending ("-ung" is feminine). */
enum german_gender {
	GERMAN_MASCULINE,
	GERMAN_FEMININE,
	GERMAN_NEUTER,
};

/*
 * A name in its four cases, with the definite article, and in the form
 * "im Landkreis X" / "in der Stadt X".  The _cap forms start a sentence.
 */
struct german_forms {
	char	*name;		/* "Stadt Iserlohn": the full name */
	char	*nom;		/* "die Stadt Iserlohn" */
	char	*nom_cap;	/* "Die Stadt Iserlohn" */
	char	*acc;		/* "die Stadt Iserlohn", "den Landkreis X" */
	char	*dat;		/* "der Stadt Iserlohn", "dem Landkreis X" */
	char	*gen;		/* "der Stadt Iserlohn", "des Landkreises X" */
	char	*in;		/* "in der Stadt Iserlohn", "im Landkreis X" */
	char	*in_cap;	/* "In der Stadt Iserlohn", "Im Landkreis X" */
	char	*poss;		/* "ihrer", "seiner": "in seiner Sitzung" */
};

void german_forms_free(struct german_forms *f);

/* The kinds of bodies ikond knows: "gemeinde", "stadt", ... */
struct german_body_kind {
	const char	*key;		/* "landkreis", the value of body.kind */
	const char	*word;		/* "Landkreis" */
	enum german_gender gender;
	const char	*council;	/* "Kreistag" */
	const char	*head;		/* "Landrätin/Landrat" */
};

extern const struct german_body_kind german_body_kinds[];

/* The kind named key, or NULL. */
const struct german_body_kind *german_body_kind(const char *key);
/* The kind a name starts with ("Stadt Iserlohn": stadt), or NULL. */
const struct german_body_kind *german_body_kind_of_name(const char *name);
/* "gemeinde, stadt, ..." for messages; static. */
const char *german_body_kind_list(void);

/*
 * The forms of the body called name, of kind.  A name that carries its
 * kind keeps it ("Stadt Iserlohn", "Kreis Unna", "Rhein-Sieg-Kreis",
 * "Märkischer Kreis", "Hansestadt Lüneburg"); any other gets the kind's
 * word in front ("Iserlohn" of kind stadt: "die Stadt Iserlohn").
 */
void german_body_forms(const struct german_body_kind *kind, const char *name,
    struct german_forms *f);

/* The forms of a committee's name: its gender from the first word
 * ("Ausschuss für Integration": der, "Regionsversammlung": die). */
void german_committee_forms(const char *name, struct german_forms *f);

/*
 * The forms of the concept called name: a name that says what it is
 * ("Integrationskonzept Landkreis Musterland 2027") is used as it is
 * ("das Integrationskonzept Landkreis Musterland 2027"), any other is
 * quoted once ("das Integrationskonzept „Bildung gemeinsam gestalten“").
 */
void german_concept_forms(const char *name, struct german_forms *f);

/* The gender of a noun, guessed from its ending. */
enum german_gender german_noun_gender(const char *noun);

#endif

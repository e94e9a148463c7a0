/*
 * fuzz_oparl: feeds arbitrary bytes to the OParl JSON mapping as a page
 * of each list, as a single object and as a list of bodies.  It must
 * never crash, leak or hang, whatever a server answers; what it keeps
 * must satisfy the record invariants (ids, bounded names, sane times).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "oparl.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t max, const char *what)
{
	if (s != NULL && (strlen(s) > max || !utf8_valid_string(s)))
		fatalx("oparl: bad %s", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct oparl_paper_filter every = { NULL, 0, -1, NULL };
	const char *json = (const char *)data;
	struct oparl_data *d = oparl_data_new();
	struct oparl_object o;
	char *next, *cause, **ids = NULL, **names = NULL;
	size_t i, k, n = 0;
	int list;

	d->paper_filter = &every;
	for (list = 0; list < OPARL_LIST_COUNT; list++) {
		next = cause = NULL;
		if (oparl_read_page(d, (enum oparl_list)list, json, size, "Europe/Berlin", &next,
		    &cause) == -1 && cause == NULL)
			fatalx("oparl_read_page failed without a cause");
		free(next);
		free(cause);
	}
	for (i = 0; i < d->nmeetings; i++) {
		const struct oparl_meeting *m = &d->meetings[i];

		if (m->id == NULL || (!m->deleted && (!m->has_start || m->end < m->start)))
			fatalx("oparl: broken meeting %zu", i);
		check_text(m->name, OPARL_MAX_NAME, "meeting name");
		for (k = 0; k < m->norganizations; k++)
			if (m->organizations[k] == NULL)
				fatalx("oparl: broken organisation reference");
	}
	for (i = 0; i < d->norganizations; i++) {
		if (d->organizations[i].id == NULL)
			fatalx("oparl: organisation without id");
		check_text(d->organizations[i].name, OPARL_MAX_NAME, "organisation name");
	}
	for (i = 0; i < d->npersons; i++) {
		if (d->persons[i].id == NULL || (!d->persons[i].deleted && d->persons[i].name == NULL))
			fatalx("oparl: broken person %zu", i);
		for (k = 0; k < d->persons[i].nmemberships; k++)
			if (d->persons[i].memberships[k].organization == NULL)
				fatalx("oparl: membership without organisation");
	}
	for (i = 0; i < d->npapers; i++) {
		if (d->papers[i].id == NULL)
			fatalx("oparl: paper without id");
		check_text(d->papers[i].name, OPARL_MAX_NAME, "paper name");
		for (k = 0; k < d->papers[i].nconsultations; k++)
			check_text(d->papers[i].consultations[k].role, OPARL_MAX_NAME, "role");
	}
	oparl_data_free(d);

	cause = NULL;
	if (oparl_read_object(json, size, &o, &cause) == 0)
		oparl_object_clear(&o);
	free(cause);
	cause = next = NULL;
	if (oparl_read_bodies(json, size, &ids, &names, &n, &next, &cause) == -1 && cause == NULL)
		fatalx("oparl_read_bodies failed without a cause");
	for (i = 0; i < n; i++) {
		free(ids[i]);
		free(names[i]);
	}
	free(ids);
	free(names);
	free(next);
	free(cause);
	return 0;
}

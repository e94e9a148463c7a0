/*
 * test_tz: time zones from TZif files and POSIX TZ strings (tz.c), and the
 * civil conversions on top of them from several threads at once.
 * tests/xcheck/zones_python.py compares many more instants with Python's
 * zoneinfo.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "tz.h"

#define THREADS		6
#define INSTANTS	4000

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	return (int64_t)civil_days_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static void
test_posix_rules(void **state)
{
	struct tz *z;

	(void)state;
	/* Central Europe: summer time from the last Sunday of March 01:00 UTC
	 * to the last Sunday of October 01:00 UTC. */
	z = tz_from_posix("CET-1CEST,M3.5.0,M10.5.0/3");
	assert_non_null(z);
	assert_int_equal(tz_offset(z, utc(2099, 3, 29, 0, 59)), 3600);
	assert_int_equal(tz_offset(z, utc(2099, 3, 29, 1, 0)), 7200);
	assert_int_equal(tz_offset(z, utc(2099, 10, 25, 0, 59)), 7200);
	assert_int_equal(tz_offset(z, utc(2099, 10, 25, 1, 0)), 3600);
	assert_int_equal(tz_offset(z, utc(2399, 7, 1, 12, 0)), 7200);
	tz_free(z);
	/* Southern hemisphere: summer time across the turn of the year. */
	z = tz_from_posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
	assert_non_null(z);
	assert_int_equal(tz_offset(z, utc(2100, 1, 1, 0, 0)), 11 * 3600);
	assert_int_equal(tz_offset(z, utc(2100, 7, 1, 0, 0)), 10 * 3600);
	tz_free(z);
	/* Summer time all year (RFC 8536 3.3.1), and a quoted name. */
	z = tz_from_posix("EST5EDT,0/0,J365/25");
	assert_non_null(z);
	assert_int_equal(tz_offset(z, utc(2200, 1, 1, 0, 0)), -4 * 3600);
	assert_int_equal(tz_offset(z, utc(2200, 12, 31, 23, 0)), -4 * 3600);
	tz_free(z);
	z = tz_from_posix("<+0545>-5:45");
	assert_non_null(z);
	assert_int_equal(tz_offset(z, utc(2300, 5, 1, 0, 0)), 5 * 3600 + 45 * 60);
	tz_free(z);
	/* A rule time beyond 24 hours (RFC 8536), e.g. Godthab's "M3.5.0/-2". */
	z = tz_from_posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
	assert_non_null(z);
	assert_int_equal(tz_offset(z, utc(2100, 7, 1, 0, 0)), -3600);
	tz_free(z);
	assert_null(tz_from_posix(""));
	assert_null(tz_from_posix("CET"));
	assert_null(tz_from_posix("CET-1CEST,M13.5.0,M10.5.0"));
	assert_null(tz_from_posix("CET-1CEST,M3.5.0"));
	assert_null(tz_from_posix("CET-1CEST,M3.5.0,M10.5.0/200"));
	assert_null(tz_from_posix("CET-1 trailing"));
}

static void
test_zone_files(void **state)
{
	const struct tz *berlin, *again;

	(void)state;
	berlin = tz_get("Europe/Berlin");
	assert_non_null(berlin);
	again = tz_get("Europe/Berlin");
	assert_ptr_equal(berlin, again);	/* read once */
	/* In the table, and far beyond it (the footer). */
	assert_int_equal(tz_offset(berlin, utc(1980, 4, 6, 0, 59)), 3600);
	assert_int_equal(tz_offset(berlin, utc(1980, 4, 6, 1, 0)), 7200);
	assert_int_equal(tz_offset(berlin, utc(2026, 3, 29, 1, 0)), 7200);
	assert_int_equal(tz_offset(berlin, utc(3000, 8, 1, 0, 0)), 7200);
	assert_int_equal(tz_offset(berlin, utc(3000, 12, 1, 0, 0)), 3600);
	/* Before the first transition: local mean time, type 0. */
	assert_int_equal(tz_offset(berlin, utc(1850, 1, 1, 0, 0)), 3208);
	assert_non_null(tz_get("UTC"));
	assert_int_equal(tz_offset(tz_get("UTC"), utc(2500, 1, 1, 0, 0)), 0);
	assert_null(tz_get("Europe/Nowhere"));
	assert_null(tz_get("../etc/passwd"));
	assert_null(tz_get("/etc/passwd"));
	assert_null(tz_get(""));
	assert_null(tz_get(NULL));
	assert_null(tz_get("zone.tab"));		/* not a TZif file */
	assert_null(tz_get("right/Europe/Berlin"));	/* leap seconds */
}

static unsigned char *
read_zone(const char *name, size_t *len)
{
	char path[256];
	unsigned char *data;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	data = malloc(1 << 20);
	*len = fread(data, 1, 1 << 20, f);
	fclose(f);
	return data;
}

static void
test_damaged_files(void **state)
{
	unsigned char *data, *copy;
	struct tz *z;
	size_t len, i, cut;

	(void)state;
	data = read_zone("Europe/Berlin", &len);
	z = tz_parse("Europe/Berlin", data, len);
	assert_non_null(z);
	tz_free(z);
	/* Every truncation is refused, never read beyond its end. */
	for (cut = 0; cut < len; cut++) {
		copy = malloc(cut ? cut : 1);
		memcpy(copy, data, cut);
		assert_null(tz_parse("cut", copy, cut));
		free(copy);
	}
	/* Flipped bytes: refused or parsed, never a crash (ASan watches). */
	copy = malloc(len);
	for (i = 0; i < len; i++) {
		memcpy(copy, data, len);
		copy[i] ^= 0xa5;
		tz_free(tz_parse("flipped", copy, len));
	}
	memcpy(copy, data, len);
	copy[0] = 'X';
	assert_null(tz_parse("magic", copy, len));
	free(copy);
	free(data);
}

struct worker {
	const char	*zone;
	const time_t	*instants;
	int		 days[INSTANTS];
	int		 minute[INSTANTS];
	int		 offset[INSTANTS];
	time_t		 back[INSTANTS];
};

static void *
convert(void *arg)
{
	struct worker *w = arg;
	int i, rounds;

	for (rounds = 0; rounds < 3; rounds++)
		for (i = 0; i < INSTANTS; i++) {
			if (civil_from_utc(w->zone, w->instants[i], &w->days[i], &w->minute[i],
			    &w->offset[i]) == -1 ||
			    civil_to_utc(w->zone, w->days[i], w->minute[i], &w->back[i], NULL,
			    NULL) == -1)
				w->days[i] = -1;
		}
	return NULL;
}

/* Two zones from several threads at once give what one thread gives. */
static void
test_threads(void **state)
{
	static const char *const zones[] = { "Europe/Berlin", "America/New_York" };
	static time_t instants[INSTANTS];
	static struct worker alone[2], together[THREADS];
	pthread_t th[THREADS];
	int i, k;

	(void)state;
	/* Around every change of 2020 to 2030 in both zones, and far ahead. */
	for (i = 0; i < INSTANTS; i++)
		instants[i] = (time_t)utc(2020, 1, 1, 0, 0) + (time_t)i * 86400 * 11 / 4 +
		    (i % 7) * 1800 + (i % 2 ? (time_t)utc(2400, 1, 1, 0, 0) : 0);
	for (k = 0; k < 2; k++) {
		alone[k].zone = zones[k];
		alone[k].instants = instants;
		convert(&alone[k]);
	}
	for (k = 0; k < THREADS; k++) {
		together[k].zone = zones[k % 2];
		together[k].instants = instants;
		assert_int_equal(pthread_create(&th[k], NULL, convert, &together[k]), 0);
	}
	for (k = 0; k < THREADS; k++)
		pthread_join(th[k], NULL);
	for (k = 0; k < THREADS; k++) {
		assert_memory_equal(together[k].days, alone[k % 2].days, sizeof(alone[0].days));
		assert_memory_equal(together[k].minute, alone[k % 2].minute,
		    sizeof(alone[0].minute));
		assert_memory_equal(together[k].offset, alone[k % 2].offset,
		    sizeof(alone[0].offset));
		assert_memory_equal(together[k].back, alone[k % 2].back, sizeof(alone[0].back));
	}
	/* The two zones really differ, and every conversion worked. */
	assert_int_not_equal(alone[0].offset[0], alone[1].offset[0]);
	for (i = 0; i < INSTANTS; i++)
		assert_int_not_equal(alone[0].days[i], -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_posix_rules),
		cmocka_unit_test(test_zone_files),
		cmocka_unit_test(test_damaged_files),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ikond: what happens to the daemon's shared state as a whole: a committed
 * change that caches and schedules must catch up with, and a reload of the
 * configuration that either replaces the old one completely (and recomputes
 * the deadlines its rules and holidays reach) or leaves it in force; and
 * the table counts that stay while nothing changes.
 */
#include "ikond.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "deadline.h"
#include "log.h"
#include "xmalloc.h"

/* How long systemd is asked to wait for the next sign of long work. */
#define BUSY_EXTEND_USEC	(60ULL * 1000 * 1000)

/* The counts of ikond_counts() and the data_version they were made at. */
static struct {
	bool		 valid;
	uint64_t	 version;
	long long	 n[IKOND_COUNTS];
} counted;

void
ikond_data_changed(struct ikond *ikd)
{
	ikd->data_version++;
}

/* Deadlines under the current configuration, in one transaction. */
void
ikond_busy(struct ikond *ikd, const char *what, size_t done, size_t total)
{
	(void)ikd;
	sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%llu\nWATCHDOG=1\nSTATUS=%s: %zu of %zu",
	    (unsigned long long)BUSY_EXTEND_USEC, what, done, total);
}

int
ikond_catch_up(struct ikond *ikd, char **cause)
{
	static const char *const what[] = { "unchanged", "recomputed where the change reaches",
	    "all recomputed" };
	struct deadline_catch_up cu;
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/*
	 * Derived data, with its basis in the same transaction: a commit that
	 * a power failure undoes leaves the old basis, and the next start
	 * recomputes.  The transaction writes only deadlines of the sessions
	 * and submissions it reads and texts it made, so their foreign keys
	 * hold by construction; checking them took two thirds of the time of
	 * writing a million of them.  SQLite switches the checks only outside
	 * a transaction.
	 */
	if (store_exec(ikd->store, cause, "PRAGMA foreign_keys = OFF", "") == -1)
		return -1;
	rc = store_begin_nosync(ikd->store, cause);
	if (rc == 0 && (deadline_catch_up(ikd, &cu, cause) == -1 ||
	    store_commit(ikd->store, cause) == -1)) {
		store_rollback(ikd->store);
		rc = -1;
	}
	if (store_exec(ikd->store, rc == 0 ? cause : NULL, "PRAGMA foreign_keys = ON", "") == -1)
		rc = -1;
	if (rc == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("deadlines %s: %zu session(s) in %.0f ms; %d deadline(s) changed",
	    what[cu.what], cu.sessions, (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, cu.moved);
	if (cu.what != DEADLINE_NOTHING)
		ikond_data_changed(ikd);
	return 0;
}

int
ikond_counts(struct ikond *ikd, long long out[IKOND_COUNTS], char **cause)
{
	static const char *const sql[IKOND_COUNTS] = {
		"SELECT count(*) FROM committee", "SELECT count(*) FROM actor",
		"SELECT count(*) FROM submission", "SELECT count(*) FROM deadline"
	};
	sqlite3_int64 n;
	size_t i;

	if (!counted.valid || counted.version != ikd->data_version) {
		counted.valid = false;
		for (i = 0; i < IKOND_COUNTS; i++) {
			if (store_get_int(ikd->store, cause, &n, sql[i], "") == -1)
				return -1;
			counted.n[i] = n;
		}
		counted.valid = true;
		counted.version = ikd->data_version;
	}
	memcpy(out, counted.n, sizeof(counted.n));
	return 0;
}

static char *
counts_path(struct ikond *ikd)
{
	char *path;

	xasprintf(&path, "%s/status-counts", ikd->cfg->state_dir);
	return path;
}

void
ikond_counts_take(struct ikond *ikd)
{
	char *path = counts_path(ikd);
	long long n[IKOND_COUNTS];
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		free(path);
		return;
	}
	if (fscanf(f, "%lld %lld %lld %lld", &n[0], &n[1], &n[2], &n[3]) == IKOND_COUNTS &&
	    store_opened_clean(ikd->store) && ikd->data_version == 0) {
		memcpy(counted.n, n, sizeof(counted.n));
		counted.valid = true;
		counted.version = ikd->data_version;
	}
	fclose(f);
	unlink(path);
	free(path);
}

void
ikond_counts_leave(struct ikond *ikd)
{
	char *path;
	FILE *f;

	if (!counted.valid || counted.version != ikd->data_version)
		return;
	path = counts_path(ikd);
	if ((f = fopen(path, "we")) != NULL) {
		if (fprintf(f, "%lld %lld %lld %lld\n", counted.n[0], counted.n[1],
		    counted.n[2], counted.n[3]) < 0)
			unlink(path);
		if (fclose(f) == EOF)
			unlink(path);
	}
	free(path);
}

int
ikond_reload(struct ikond *ikd, char **errors)
{
	struct config *cfg, *old = ikd->cfg;
	char *cause = NULL;
	struct timespec mono;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)mono.tv_sec *
	    1000000ULL + (unsigned long long)mono.tv_nsec / 1000);
	if ((cfg = config_load(ikd->config_path, errors)) == NULL) {
		log_warnx("configuration has errors, not reloading:\n%s", *errors);
		sd_notify(0, "READY=1\nSTATUS=configuration has errors, old one kept");
		return -1;
	}
	if (strcmp(cfg->state_dir, old->state_dir) != 0 ||
	    strcmp(cfg->control_socket, old->control_socket) != 0)
		log_warnx("state_dir and control_socket take effect at the next start");
	ikd->cfg = cfg;
	/* Rules and holidays may have changed: the deadlines they reach follow. */
	if (ikond_catch_up(ikd, &cause) == -1) {
		ikd->cfg = old;
		config_free(cfg);
		xasprintf(errors, "reload failed while recomputing deadlines: %s", cause);
		free(cause);
		log_warnx("%s", *errors);
		sd_notify(0, "READY=1");
		return -1;
	}
	config_free(old);
	ikd->config_version++;
	ikond_data_changed(ikd);
	log_info("configuration reloaded");
	sd_notify(0, "READY=1\nSTATUS=running");
	return 0;
}

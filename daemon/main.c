/*
 * ikond: the daemon.  It owns the database, answers ikond-ctl on the
 * control socket, and drives the periodic work (feeds, reminders) from one
 * poll loop.  Signals arrive through a signalfd, so handlers never run in
 * signal context; systemd hears READY, RELOADING, STOPPING, STATUS and the
 * watchdog through sd_notify (which does nothing without NOTIFY_SOCKET).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "config.h"
#include "control.h"
#include "dispatch.h"
#include "entity.h"
#include "feed.h"
#include "http.h"
#include "i18n.h"
#include "ikond.h"
#include "log.h"
#include "monotonic.h"
#include "oparl_fetch.h"
#include "oparl_sync.h"
#include "outbox.h"
#include "procdef.h"
#include "process.h"
#include "reminder.h"
#include "reminders.h"
#include "store.h"
#include "xmalloc.h"

#define POLL_MAX	4200
#define FD_RESERVE	64	/* descriptors besides connections: database, epoll, log */

/* The daemon reads smtp.password_file whenever the configuration changes. */
static int
check_readable(const char *path, char **cause)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return set_cause(cause, "cannot read %s: %s", path, strerror(errno));
	close(fd);
	return 0;
}

/* What config_load() cannot check without the daemon's code (config.h). */
static const struct config_checks daemon_checks = {
	outbox_sender_check,
	check_readable,
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ikond [-nv] [-f FILE] [--instance NAME]\n"
	    "\n"
	    "Tracks committee sessions, Vorlagen deadlines, feedback windows and\n"
	    "evaluation dates of an Integrationskonzept; serves iCalendar feeds and\n"
	    "mails reminders.  Runs in the foreground; ikond-ctl controls it.\n"
	    "\n"
	    "  -f FILE   configuration file (default %s if it exists,\n"
	    "            else the embedded defaults)\n"
	    "  --instance NAME\n"
	    "            one of several daemons on this machine (also IKOND_INSTANCE):\n"
	    "            configuration /etc/ikond/NAME.conf, state and control socket\n"
	    "            of its own; -f and the file's settings still win\n"
	    "  -n        check the configuration and the process files, print\n"
	    "            \"configuration OK\" or every problem as FILE:LINE: message,\n"
	    "            and exit\n"
	    "  -v        more log output (repeat for debug)\n"
	    "  -h        this help\n"
	    "  -V        print the version\n", config_default_path());
}

static int
make_dirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, mode) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* One daemon per state directory: an flock that dies with the process. */
static int
take_lock(const char *dir)
{
	char *path, pid[32];
	ssize_t n;
	int fd;

	xasprintf(&path, "%s/ikond.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1)
		fatal("open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fatalx("another ikond (pid %s) is running on state directory %s",
		    pid[0] ? pid : "?", dir);
	}
	if (ftruncate(fd, 0) == 0) {
		snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (pwrite(fd, pid, strlen(pid), 0) == -1)
			log_warn("writing %s", path);
	}
	free(path);
	return fd;
}

/*
 * Every connection is a descriptor: raises the soft RLIMIT_NOFILE to what
 * http.max_connections and control.max_clients need (up to the hard
 * limit, which systemd's LimitNOFILE= sets) and returns how many feed
 * connections fit.
 */
static size_t
http_capacity(const struct config *cfg)
{
	struct rlimit rl;
	rlim_t other = (rlim_t)cfg->control_max_clients + FD_RESERVE;
	rlim_t need = (rlim_t)cfg->http_max_connections + other;
	size_t fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit");
	if (rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need :
		    rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE");
		if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
			fatal("getrlimit");
	}
	if (rl.rlim_cur >= need)
		return (size_t)cfg->http_max_connections;
	fit = rl.rlim_cur > other + 16 ? (size_t)(rl.rlim_cur - other) : 16;
	log_warnx("RLIMIT_NOFILE is %llu: serving at most %zu feed connections, not "
	    "http.max_connections = %d (raise LimitNOFILE= of the unit, or ulimit -n)",
	    (unsigned long long)rl.rlim_cur, fit, cfg->http_max_connections);
	return fit;
}

static int
signals_fd(void)
{
	sigset_t mask;
	int fd;

	/* A peer that hangs up is an EPIPE, a file over RLIMIT_FSIZE an EFBIG:
	 * errors to report, not reasons to die. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		fatal("sigprocmask");
	if ((fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	return fd;
}

static void
read_signals(int fd, struct ikond *ikd)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			ikd->reload = true;
		else
			ikd->quit = true;
	}
}

static void
run(struct ikond *ikd, struct control *ctl, int sigfd)
{
	static struct pollfd pfd[POLL_MAX];
	uint64_t watchdog_usec = 0, last_watchdog = 0, mono;
	time_t now;
	char *errors = NULL;
	size_t n, nrem, nop;

	if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
		watchdog_usec = 0;
	while (!ikd->quit) {
		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		nrem = reminders_pollfds(ikd->reminders, pfd + 1, POLL_MAX - 1);
		nop = oparl_sync_pollfds(ikd->oparl, pfd + 1 + nrem, POLL_MAX - 1 - nrem);
		n = 1 + nrem + nop + control_pollfds(ctl, pfd + 1 + nrem + nop,
		    POLL_MAX - 1 - nrem - nop);
		if (poll(pfd, n, 1000) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[0].revents & POLLIN)
			read_signals(sigfd, ikd);
		reminders_handle(ikd->reminders, ikd, pfd + 1, nrem);
		oparl_sync_handle(ikd->oparl, ikd, pfd + 1 + nrem, nop);
		control_handle(ctl, ikd, pfd + 1 + nrem + nop, n - 1 - nrem - nop);
		now = time(NULL);
		control_expire(ctl);
		feeds_tick(ikd);
		oparl_sync_tick(ikd->oparl, ikd, now);
		if (ikd->reload) {
			ikd->reload = false;
			ikond_reload(ikd, &errors);
			free(errors);
			errors = NULL;
			reminders_replan(ikd->reminders);
		}
		reminders_tick(ikd->reminders, ikd, now);
		store_checkpoint_behind(ikd->store);
		mono = monotonic_ms();
		if (watchdog_usec != 0 && (mono - last_watchdog) * 2000 >= watchdog_usec) {
			sd_notify(0, "WATCHDOG=1");
			last_watchdog = mono;
		}
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "instance", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL, *name;
	struct ikond ikd;
	struct control *ctl;
	char *errors = NULL, *cause = NULL, *damage = NULL, *dbpath;
	int ch, rc, verbose = 0, check_only = 0, sigfd, lockfd;

	if ((name = getenv("IKOND_INSTANCE")) != NULL && *name != '\0' &&
	    config_set_instance(name, &cause) == -1) {
		fprintf(stderr, "ikond: IKOND_INSTANCE: %s\n", cause);
		free(cause);
		return 2;
	}
	while ((ch = getopt_long(argc, argv, "f:nvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (config_set_instance(optarg, &cause) == -1) {
				fprintf(stderr, "ikond: %s\n", cause);
				free(cause);
				return 2;
			}
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ikond %s\n", IKOND_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init(verbose, !check_only);
	/* Replies are translated per request (dispatch.c); the global locale,
	 * and with it the log, stays C. */
	i18n_init();
	oparl_fetch_init();
	if (path == NULL && access(config_default_path(), F_OK) == 0)
		path = config_default_path();

	memset(&ikd, 0, sizeof(ikd));
	ikd.config_path = path;
	config_set_checks(&daemon_checks);
	if ((ikd.cfg = config_load(path, &errors)) == NULL) {
		fprintf(stderr, "%s\n", errors);
		free(errors);
		return 1;
	}
	if (procdef_check_all(ikd.cfg->template_dir, &errors) == -1) {
		if (check_only) {
			fprintf(stderr, "%s\n", errors);
			free(errors);
			config_free(ikd.cfg);
			return 1;
		}
		log_warnx("process files with errors cannot be planned with:\n%s", errors);
		free(errors);
	}
	if (check_only) {
		printf("configuration OK\n");
		config_free(ikd.cfg);
		return 0;
	}

	if (make_dirs(ikd.cfg->state_dir, 0750) == -1)
		fatal("cannot create state directory %s", ikd.cfg->state_dir);
	lockfd = take_lock(ikd.cfg->state_dir);
	xasprintf(&dbpath, "%s/ikond.db", ikd.cfg->state_dir);
	if ((ikd.store = store_open(dbpath, &cause)) == NULL)
		fatalx("%s", cause);
	rc = entity_installation_load(&ikd, &cause);
	if (rc == 0)
		rc = ikond_catch_up(&ikd, &cause);
	/* The integrity check ran beside them: damage it found explains
	 * their failure too, and the file is closed as it was found. */
	if (store_checked(ikd.store, &damage) == -1) {
		store_close(ikd.store);
		fatalx("%s", damage);
	}
	if (rc == -1)
		fatalx("%s", cause);
	ikond_counts_take(&ikd);
	free(dbpath);
	dispatch_check_table();
	sigfd = signals_fd();
	if ((ctl = control_new(ikd.cfg->control_socket, ikd.cfg->control_max_clients,
	    ikd.cfg->control_group_set ? &ikd.cfg->control_group : NULL, &cause)) == NULL)
		fatalx("%s", cause);
	feeds_start(&ikd);
	if ((ikd.http = http_start(ikd.cfg, http_capacity(ikd.cfg), &cause)) == NULL &&
	    cause != NULL)
		fatalx("%s", cause);
	if ((ikd.reminders = reminders_start(&ikd, &cause)) == NULL)
		fatalx("%s", cause);
	ikd.oparl = oparl_sync_new();
	ikd.started_ms = monotonic_ms();
	log_info("ikond %s started: state in %s, control socket %s, %s", IKOND_VERSION,
	    ikd.cfg->state_dir, ikd.cfg->control_socket,
	    path ? path : "embedded defaults");
	sd_notify(0, "READY=1\nSTATUS=running");

	run(&ikd, ctl, sigfd);

	sd_notify(0, "STOPPING=1");
	log_info("stopping");
	http_stop(ikd.http);
	feeds_stop();
	control_free(ctl);
	oparl_sync_free(ikd.oparl);
	reminders_stop(ikd.reminders);
	ikond_counts_leave(&ikd);
	store_close(ikd.store);
	config_free(ikd.cfg);
	close(sigfd);
	close(lockfd);
	return 0;
}

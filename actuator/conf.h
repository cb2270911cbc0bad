/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.h: the actuator's configuration.
 *
 * One table of options serves both the JSON configuration file (strict:
 * unknown keys, duplicate keys and wrong types are errors) and the
 * command-line flags that override it (--socket PATH sets "socket").  The
 * result is a plain struct that is not changed after start-up, except by a
 * reload, which builds a new one and swaps it in.
 */
#ifndef MOM_CONF_H
#define MOM_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The default policy_dir: where `make install` puts the shipped policies,
 * $(DATADIR)/mom/policies.  The Makefile defines it for conf.c from
 * DATADIR; this fallback matches its default PREFIX.
 */
#ifndef MOM_POLICY_DIR
#define MOM_POLICY_DIR "/usr/local/share/mom/policies"
#endif

struct conf {
	char *socket;		  /* unix socket of the API and ingest */
	int socket_mode;	  /* e.g. 0660 */
	char *socket_group;	  /* group owning the socket, "" = unchanged */
	char *listen;		  /* optional TCP "host:port", "" = none */
	char *read_socket;	  /* read-and-ingest unix socket, "" = none */
	char *token_file;	  /* admin bearer token on TCP */
	char *read_token_file;	  /* read-and-ingest bearer token on TCP */
	char *tls_cert, *tls_key; /* PEM files: TLS on TCP when both set */
	char *policy_dir;	  /* the shipped or site policies */
	char *state_dir;      /* policies and parameters set through the API */
	char *libvirt_uri;    /* where balloons are set */
	char *ksm_dir;	      /* the KSM sysfs directory */
	char *ksm_backend;    /* "sysfs" or "libvirt" (run stays in sysfs) */
	char *hostname;	      /* accept samples of this host only, "" = any */
	char *accept_plugins; /* comma-separated plugins ingest accepts */
	int interval_ms;      /* policy evaluation interval */
	bool cycle_follows_samples; /* cycle just after each host sample */
	int history;		    /* samples kept per entity */
	int expiry_ms;		    /* drop a guest that stops reporting */
	int settle_ms;	      /* a partial newest sample waits this long */
	int samples_stale_ms; /* older samples: hold (0: from the intervals) */
	size_t max_body;      /* bytes in one request body */
	int max_records;      /* records in one ingest body */
	int max_guests;	      /* guests the sample store holds at most */
	bool dry_run;	      /* decide and record, change nothing */
	char *log_level;
	/* Balloon safety rails (see README "Controllers"). */
	int rail_max_shrink_pct;  /* shrink at most this % of max per cycle */
	int rail_max_grow_pct;	  /* grow at most this % of max per cycle */
	int rail_used_margin_pct; /* floor: what the guest uses + this % */
	int rail_stale_ms;	  /* statistics older than this: hands off */
	int rail_stuck_cycles;	  /* target ignored this many cycles: stuck */
	int rail_min_size_mib;	  /* no guest below this, even in emergency */
	int rail_oom_cooldown_ms; /* OOM rail cool-down (0: rail off) */
	int action_log_size;	  /* recent actions kept for the API */
	int eval_budget_ms;	  /* time one evaluation may take */
};

/* Fill *c with the built-in defaults.  Returns 0 or -ENOMEM. */
int conf_init_defaults(struct conf *c);

/*
 * Merge a JSON configuration file into *c.  Returns 0, or -1 with a
 * message naming the file, line and key in err.
 */
int conf_load_file(struct conf *c, const char *path, char *err, size_t len);
/* The same from a text in memory (len bytes); name stands for the file in
   messages.  Used by the configuration fuzz target. */
int conf_load_text(struct conf *c, const char *name, const char *text,
		   size_t text_len, char *err, size_t len);

/*
 * Apply one "--name value" (or "--flag") override.  *consumed is set to the
 * number of argv entries used (1 or 2).  Returns 0, 1 when arg is not a
 * configuration option, or -1 with err filled.
 */
int conf_apply_arg(struct conf *c, int argc, char **argv, int *consumed,
		   char *err, size_t len);

/* Check cross-option constraints.  Returns 0 or -1 with err filled. */
int conf_validate(const struct conf *c, char *err, size_t len);

/*
 * The names of the options whose values differ between a and b, in table
 * order, at most max of them into names (static strings).  Returns how
 * many were stored.  For the reload (SIGHUP).
 */
size_t conf_changes(const struct conf *a, const struct conf *b,
		    const char **names, size_t max);

void conf_release(struct conf *c);

/* Print every option with its type and default (for --help). */
void conf_print_options(void);

#endif /* MOM_CONF_H */

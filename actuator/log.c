/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c: level-filtered one-line logging to standard error.
 *
 * The level is the one piece of process-wide mutable state besides signal
 * flags: it is an atomic so that the API thread can change it while others
 * log.
 */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Atomic int current_level = LOG_LVL_INFO;

static const char *const level_names[] = {
    [LOG_LVL_ERR] = "error",
    [LOG_LVL_WARN] = "warning",
    [LOG_LVL_INFO] = "info",
    [LOG_LVL_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

const char *log_level_name(enum log_level level)
{
	return level <= LOG_LVL_DEBUG ? level_names[level] : "?";
}

int log_level_parse(const char *s, enum log_level *out)
{
	/* MOM's numeric levels: 1 critical .. 5 debug (Python's order). */
	static const enum log_level numeric[] = {LOG_LVL_ERR, LOG_LVL_ERR,
						 LOG_LVL_WARN, LOG_LVL_INFO,
						 LOG_LVL_DEBUG};

	for (int i = 0; i <= LOG_LVL_DEBUG; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	if (strcmp(s, "warn") == 0) {
		*out = LOG_LVL_WARN;
		return 0;
	}
	if (s[0] >= '1' && s[0] <= '5' && s[1] == '\0') {
		*out = numeric[s[0] - '1'];
		return 0;
	}
	return -1;
}

/*
 * Copy msg into out (len bytes), control bytes escaped ("\n", "\r", "\t",
 * "\xNN"): messages quote names that come from samples and requests, and a
 * raw newline in one would forge a log line.  Returns the length.
 */
static size_t escape_controls(char *out, size_t len, const char *msg)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		unsigned char ch = *p;

		if (ch >= 0x20 && ch != 0x7f) {
			if (n + 1 >= len)
				break;
			out[n++] = (char)ch;
			continue;
		}
		if (n + 4 >= len)
			break;
		out[n++] = '\\';
		if (ch == '\n' || ch == '\r' || ch == '\t') {
			out[n++] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
		} else {
			out[n++] = 'x';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
	return n;
}

static void log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char msg[2048], line[2048];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = snprintf(line, sizeof(line), "momd[%s]: ", level_names[level]);
	n += (int)escape_controls(line + n, sizeof(line) - (size_t)n - 1, msg);
	line[n++] = '\n';
	/* One write per line keeps lines whole between threads. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if ((int)level > current_level)
		return;
	va_start(ap, fmt);
	log_vwrite(level, fmt, ap);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}

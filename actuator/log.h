/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h: the actuator's logging API.
 *
 * One line per event on standard error (systemd's journal picks it up),
 * prefixed with the level; the level can change at run time (the REST API's
 * setVerbosity).  log_fatal() is for start-up only and never returns.
 *
 * Thread-safe: each line is written with a single write(2).
 */
#ifndef MOM_LOG_H
#define MOM_LOG_H

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warning", "info", "debug", or "1".."5" as MOM took them. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

__attribute__((format(printf, 2, 3))) void log_msg(enum log_level level,
						   const char *fmt, ...);
#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

__attribute__((format(printf, 1, 2), noreturn)) void log_fatal(const char *fmt,
							       ...);

#endif /* MOM_LOG_H */

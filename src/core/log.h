/* log: the server's diagnostic and access log lines, written to stderr.
 * Only front doors (http, cli serve) log; domain modules return statuses instead. */
#ifndef IKIIKI_LOG_H
#define IKIIKI_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

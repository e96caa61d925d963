/* SPDX-License-Identifier: MIT */
/* Server log: one line per event on stderr, "guanxi: level: message". */
#ifndef GX_LOG_H
#define GX_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

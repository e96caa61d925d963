/* SPDX-License-Identifier: MIT */
#include <stdatomic.h>
#include <string.h>
#include "http/http.h"
#include "http/metrics.h"
#include "store/store.h"
#include "util/buf.h"


static const int statuses[] = {
	200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 500, 503
};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)	/* + other */
static const double buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct route_stats {
	_Atomic uint64_t by_status[NSTATUS];
	_Atomic uint64_t le[NBUCKETS];	/* cumulative buckets */
	_Atomic uint64_t count, sum_ns;
};

static struct route_stats stats[MAX_ROUTES + 1];	/* last = unmatched */

void
metrics_init(void)
{
	memset(stats, 0, sizeof(stats));
}

static size_t
status_slot(int status)
{
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void
metrics_observe(int route, int status, int64_t ns)
{
	struct route_stats *s = &stats[route >= 0 && route < MAX_ROUTES ? route : MAX_ROUTES];
	double secs = (double)ns / 1e9;

	atomic_fetch_add_explicit(&s->by_status[status_slot(status)], 1, memory_order_relaxed);
	for (size_t i = 0; i < NBUCKETS; i++)
		if (secs <= buckets[i])
			atomic_fetch_add_explicit(&s->le[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_ns, (uint64_t)(ns > 0 ? ns : 0), memory_order_relaxed);
}

static const char *
route_label(size_t i)
{
	return i < route_count && i < MAX_ROUTES ? routes[i].path : "unmatched";
}

static const char *
route_method(size_t i)
{
	return i < route_count && i < MAX_ROUTES ? routes[i].method : "";
}

char *
metrics_render(size_t *len)
{
	struct buf b;
	size_t n = route_count < MAX_ROUTES ? route_count : MAX_ROUTES;

	buf_init(&b, 1 << 22);
	buf_adds(&b, "# HELP guanxi_http_requests_total HTTP requests by route and status.\n"
		     "# TYPE guanxi_http_requests_total counter\n");
	for (size_t r = 0; r <= MAX_ROUTES; r++) {
		if (r >= n && r != MAX_ROUTES)
			continue;
		for (size_t k = 0; k < NSTATUS; k++) {
			uint64_t v = atomic_load(&stats[r].by_status[k]);
			if (!v)
				continue;
			char code[8];
			if (k < NSTATUS - 1)
				snprintf(code, sizeof(code), "%d", statuses[k]);
			else
				snprintf(code, sizeof(code), "other");
			buf_printf(&b, "guanxi_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
				   route_method(r), route_label(r), code, (unsigned long long)v);
		}
	}
	buf_adds(&b, "# HELP guanxi_http_request_duration_seconds Time to answer, by route.\n"
		     "# TYPE guanxi_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= MAX_ROUTES; r++) {
		if ((r >= n && r != MAX_ROUTES) || !atomic_load(&stats[r].count))
			continue;
		const char *m = route_method(r), *p = route_label(r);
		for (size_t k = 0; k < NBUCKETS; k++)
			buf_printf(&b, "guanxi_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
				   m, p, buckets[k], (unsigned long long)atomic_load(&stats[r].le[k]));
		uint64_t count = atomic_load(&stats[r].count);
		buf_printf(&b, "guanxi_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n",
			   m, p, (unsigned long long)count);
		buf_printf(&b, "guanxi_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
			   m, p, (double)atomic_load(&stats[r].sum_ns) / 1e9);
		buf_printf(&b, "guanxi_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
			   m, p, (unsigned long long)count);
	}
	buf_printf(&b, "# HELP guanxi_db_seconds_total Time statements ran, from the first step to the last row (reading the rows included).\n"
		       "# TYPE guanxi_db_seconds_total counter\n"
		       "guanxi_db_seconds_total %.6f\n", (double)store_db_nanos() / 1e9);
	return buf_detach(&b, len);
}

/* SPDX-License-Identifier: MIT */
/* Login throttling: failed logins are counted per account and per client
 * address in a fixed window; past the limit the key is locked for a while
 * and further attempts are refused (429) before any password is hashed.
 * Unknown names are counted like real ones, so a lock-out tells nothing
 * about who exists. Kept in memory: a restart forgets it. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "auth/auth.h"

#define SLOTS 4096

static const struct limit {
	char prefix;
	int failures;		/* in WINDOW_MS */
} limits[] = {
	{ 'u', THROTTLE_ACCOUNT_FAILURES },
	{ 'a', THROTTLE_ADDRESS_FAILURES },
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot {
	unsigned char key[16];	/* hash of prefix + name or address */
	int failures;
	int64_t window_start, locked_until;
} slots[SLOTS];

static void
key_of(char prefix, const char *what, unsigned char key[16])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const unsigned char *)&prefix, 1);
	crypto_generichash_update(&st, (const unsigned char *)what, strlen(what));
	crypto_generichash_final(&st, key, 16);
}

/* The slot for key: its own, or one to take over (free or expired). */
static struct slot *
slot_for(const unsigned char key[16], int64_t now, bool create)
{
	size_t h;
	memcpy(&h, key, sizeof(h));
	for (size_t probe = 0; probe < 8; probe++) {
		struct slot *s = &slots[(h + probe) % SLOTS];
		if (memcmp(s->key, key, 16) == 0)
			return s;
	}
	if (!create)
		return NULL;
	struct slot *victim = &slots[h % SLOTS];
	for (size_t probe = 0; probe < 8; probe++) {
		struct slot *s = &slots[(h + probe) % SLOTS];
		if (s->locked_until < now && now - s->window_start > THROTTLE_WINDOW_MS) {
			victim = s;
			break;
		}
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, 16);
	victim->window_start = now;
	return victim;
}

int64_t
throttle_locked_ms(const char *name, const char *address, int64_t now)
{
	const char *what[] = { name, address };
	int64_t wait = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < 2; i++) {
		unsigned char key[16];
		key_of(limits[i].prefix, what[i], key);
		struct slot *s = slot_for(key, now, false);
		if (s && s->locked_until > now && s->locked_until - now > wait)
			wait = s->locked_until - now;
	}
	pthread_mutex_unlock(&lock);
	return wait;
}

bool
throttle_failed(const char *name, const char *address, int64_t now)
{
	const char *what[] = { name, address };
	bool locked = false;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < 2; i++) {
		unsigned char key[16];
		key_of(limits[i].prefix, what[i], key);
		struct slot *s = slot_for(key, now, true);
		if (now - s->window_start > THROTTLE_WINDOW_MS) {
			s->window_start = now;
			s->failures = 0;
		}
		if (++s->failures >= limits[i].failures && s->locked_until <= now) {
			s->locked_until = now + THROTTLE_LOCK_MS;
			locked = true;
		}
	}
	pthread_mutex_unlock(&lock);
	return locked;
}

void
throttle_succeeded(const char *name, int64_t now)
{
	unsigned char key[16];

	(void)now;
	key_of('u', name, key);
	pthread_mutex_lock(&lock);
	struct slot *s = slot_for(key, now, false);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&lock);
}

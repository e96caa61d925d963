/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <sodium.h>
#include "auth/auth.h"
#include "util/utf8.h"

#define PARALLEL_HASHES 2

static sem_t hash_slots;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

void
password_init(void)
{
	sem_init(&hash_slots, 0, PARALLEL_HASHES);
}

static void
make_dummy(void)
{
	unsigned char rnd[16];
	char pw[33];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = '\0';
}

enum err_code
password_check_policy(const char *pw, struct err *e)
{
	size_t n = strlen(pw);

	if (n > PASSWORD_MAX || !utf8_valid(pw, n))
		return err_set(e, ERR_INVALID, "the password must be valid UTF-8 of at most %d bytes", PASSWORD_MAX);
	if (utf8_count(pw, n) < PASSWORD_MIN)
		return err_set(e, ERR_INVALID, "the password must have at least %d characters", PASSWORD_MIN);
	return ERR_OK;
}

enum err_code
password_hash(const char *pw, char *out, size_t outlen, struct err *e)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return err_set(e, ERR_INTERNAL, "hash buffer too small");
	sem_wait(&hash_slots);
	int rc = crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE);
	sem_post(&hash_slots);
	if (rc != 0)
		return err_set(e, ERR_INTERNAL, "out of memory hashing the password");
	return ERR_OK;
}

bool
password_verify(const char *hash, const char *pw)
{
	sem_wait(&hash_slots);
	bool ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	sem_post(&hash_slots);
	return ok;
}

void
password_burn(const char *pw)
{
	pthread_once(&dummy_once, make_dummy);
	if (dummy_hash[0])
		(void)password_verify(dummy_hash, pw);
}

/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <strings.h>
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

/* The most used passwords (public breach corpora), refused whatever their
 * case: a long list belongs in a file; these are the ones tried first. */
static const char *const common[] = {
	"password", "password1", "password123", "12345678", "123456789", "1234567890",
	"qwertyuiop", "11111111", "00000000", "iloveyou", "sunshine", "princess",
	"football", "baseball", "welcome1", "abc12345", "abcd1234", "qwerty123",
	"1q2w3e4r", "passw0rd", "letmein1", "admin123", "administrator", "changeme",
	"88888888", "66666666", "woaini1314", "a123456789", "qwer1234", "trustno1",
	NULL
};

enum err_code
password_check_policy(const char *pw, const char *user, struct err *e)
{
	size_t n = strlen(pw);

	if (n > PASSWORD_MAX || !utf8_valid(pw, n))
		return err_set(e, ERR_INVALID, "the password must be valid UTF-8 of at most %d bytes", PASSWORD_MAX);
	if (utf8_count(pw, n) < PASSWORD_MIN)
		return err_set(e, ERR_INVALID, "the password must have at least %d characters", PASSWORD_MIN);
	unsigned first, cp;
	size_t step = utf8_decode(pw, &first);
	bool same = true;
	for (size_t i = step; i < n && same; i += step) {
		step = utf8_decode(pw + i, &cp);
		same = cp == first;
	}
	if (same)
		return err_set(e, ERR_INVALID, "the password must not be one character repeated");
	if (user && strcasecmp(pw, user) == 0)
		return err_set(e, ERR_INVALID, "the password must not be the user name");
	for (const char *const *c = common; *c; c++)
		if (strcasecmp(pw, *c) == 0)
			return err_set(e, ERR_INVALID, "this password is among the most used ones: choose another");
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

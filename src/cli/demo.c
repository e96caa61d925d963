/* SPDX-License-Identifier: MIT */
/* guanxi demo: realistic customers in 繁體, 简体 and English, with their
 * identifiers, contacts and interactions, written through the engine (so
 * validated, hooked and audited like any API write), in batches. The data
 * is deterministic for a given N. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/record.h"
#include "schema/schema.h"
#include "util/mem.h"
#include "util/timeutil.h"

#define BATCH 5000

struct rng {
	uint64_t s;
};

static uint64_t
rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

#define PICK(r, a) ((a)[rnd(r) % (sizeof(a) / sizeof((a)[0]))])

/* One locale: how its people are named, where they live, how they dial. */
struct locale {
	const char *country, *language;
	const char *const *families, *const *given;
	size_t nfamilies, ngiven;
	const char *const *cities;
	size_t ncities;
	const char *phone_prefix;	/* "+886 9" */
	const char *company_suffix;
};

static const char *const hant_families[] = { "陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊", "許", "鄭", "謝", "郭", "洪" };
static const char *const hant_given[] = { "大文", "志明", "淑芬", "美玲", "家豪", "怡君", "俊傑", "雅婷", "建宏", "佳穎", "冠宇", "詩涵" };
static const char *const tw_cities[] = { "台北市", "新北市", "台中市", "高雄市", "台南市", "桃園市", "新竹市" };
static const char *const hk_cities[] = { "香港", "九龍", "新界", "沙田", "荃灣" };
static const char *const hans_families[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡" };
static const char *const hans_given[] = { "小明", "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳" };
static const char *const cn_cities[] = { "上海市", "北京市", "深圳市", "广州市", "杭州市", "成都市", "南京市", "武汉市" };
static const char *const sg_cities[] = { "Singapore", "新加坡" };
static const char *const en_families[] = { "Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Wilson", "Clarke", "Chan", "Wong", "Lee", "Tan" };
static const char *const en_given[] = { "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Emma", "Oliver", "Grace" };
static const char *const gb_cities[] = { "London", "Manchester", "Edinburgh", "Bristol" };
static const char *const us_cities[] = { "New York", "San Francisco", "Seattle", "Chicago", "Boston" };

static const struct locale locales[] = {
	{ "TW", "zh-Hant", hant_families, hant_given, 15, 12, tw_cities, 7, "+886 9", "股份有限公司" },
	{ "HK", "zh-Hant", hant_families, hant_given, 15, 12, hk_cities, 5, "+852 9", "有限公司" },
	{ "CN", "zh-Hans", hans_families, hans_given, 15, 14, cn_cities, 8, "+86 13", "有限公司" },
	{ "SG", "zh-Hans", hans_families, hans_given, 15, 14, sg_cities, 2, "+65 8", "Pte Ltd" },
	{ "GB", "en", en_families, en_given, 12, 12, gb_cities, 4, "+44 7", "Ltd" },
	{ "US", "en", en_families, en_given, 12, 12, us_cities, 5, "+1 415", "Inc." },
};

static const char *const relationship[] = { "basic", "passive", "responsible", "proactive", "partner" };
static const char *const classes[] = { "individual", "individual", "individual", "intermediary", "manufacturer" };
static const char *const sources[] = { "web", "store", "referral", "campaign", "event", "phone" };
static const char *const channels[] = { "phone", "email", "sms", "web", "face_to_face", "chat", "social", "kiosk" };
static const char *const subjects[] = {
	"詢問會員積分", "退货申请", "Follow-up call", "產品保固查詢", "投诉：送货延迟", "Renewal reminder",
	"生日禮券", "预约维修", "Newsletter sign-up", "查詢訂單狀態", "VIP 升级咨询", "Quote request",
};
static const char *const outcomes[] = { "resolved", "follow-up needed", "已處理", "已回访", "no answer" };
static const char *const company_words[] = { "精密工業", "华东贸易", "宏達科技", "星辰电子", "Pacific Trading", "Golden Harbour", "長榮物流", "金城食品" };
static const char *const tags[] = { "vip", "newsletter", "會員", "会员", "b2b", "prospect" };
static const char *const roles[] = { "採購經理", "采购经理", "Purchasing Manager", "CEO", "財務", "IT 主管" };

struct demo {
	struct rng rng;
	long next, total;	/* customers made, wanted */
	int64_t *owners;
	size_t nowners;
	long customers, identifiers, contacts, interactions;
};

static const char *
ascii_of(const struct locale *l, const char *family)
{
	(void)family;
	return l->language[0] == 'e' ? NULL : "user";
}

static json_t *
person(struct demo *d, const struct locale *l, long i)
{
	struct rng *r = &d->rng;
	const char *fam = l->families[rnd(r) % l->nfamilies], *giv = l->given[rnd(r) % l->ngiven];
	bool latin = l->language[0] == 'e';
	char name[128], email[128], phone[64];

	if (latin)
		snprintf(name, sizeof(name), "%s %s", giv, fam);
	else
		snprintf(name, sizeof(name), "%s%s", fam, giv);
	const char *ascii = ascii_of(l, fam);
	snprintf(email, sizeof(email), "%s.%s%ld@example.%s", latin ? giv : ascii, latin ? fam : "c",
		 i, l->country[0] == 'T' ? "tw" : l->country[0] == 'C' ? "cn" : "com");
	for (char *p = email; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	snprintf(phone, sizeof(phone), "%s%03ld %04ld", l->phone_prefix, (i / 10000) % 1000, i % 10000);
	json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kind", "person", "name", name,
			      "family_name", fam, "given_name", giv, "email", email, "mobile", phone);
	if (!latin)
		json_object_set_new(c, "local_name", json_string(name));
	int year = 1950 + (int)(rnd(r) % 55), month = 1 + (int)(rnd(r) % 12), day = 1 + (int)(rnd(r) % 28);
	char birth[16];
	snprintf(birth, sizeof(birth), "%04d-%02d-%02d", year, month, day);
	json_object_set_new(c, "birth_date", json_string(birth));
	json_object_set_new(c, "gender", json_string(rnd(r) % 2 ? "female" : "male"));
	return c;
}

static json_t *
company(struct demo *d, const struct locale *l, long i)
{
	struct rng *r = &d->rng;
	char name[160], email[96], phone[64];

	snprintf(name, sizeof(name), "%s%s%s %ld", PICK(r, company_words),
		 l->language[0] == 'e' ? " " : "", l->company_suffix, i);
	snprintf(email, sizeof(email), "info%ld@company.example.com", i);
	snprintf(phone, sizeof(phone), "%s%03ld %04ld", l->phone_prefix, 500 + (i / 10000) % 500, i % 10000);
	return json_pack("{s:s,s:s,s:s,s:s}", "kind", "company", "name", name, "email", email,
			 "phone", phone);
}

static enum err_code
insert(struct wtx *w, const char *entity, json_t *body, int64_t *id, struct err *e)
{
	json_t *out = NULL;
	enum err_code rc = record_insert(w, registry_find(entity), body, &out, e);

	if (rc == ERR_OK && id)
		*id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	json_decref(body);
	return rc;
}

static enum err_code
one_customer(struct demo *d, struct wtx *w, long i, struct err *e)
{
	struct rng *r = &d->rng;
	const struct locale *l = &locales[rnd(r) % (sizeof(locales) / sizeof(locales[0]))];
	bool is_company = rnd(r) % 100 < 15;
	json_t *c = is_company ? company(d, l, i) : person(d, l, i);
	int64_t id, contact = 0;

	json_object_set_new(c, "city", json_string(l->cities[rnd(r) % l->ncities]));
	json_object_set_new(c, "country", json_string(l->country));
	json_object_set_new(c, "language", json_string(l->language));
	json_object_set_new(c, "relationship_type", json_string(PICK(r, relationship)));
	json_object_set_new(c, "customer_class", json_string(is_company ? "intermediary" : PICK(r, classes)));
	json_object_set_new(c, "source", json_string(PICK(r, sources)));
	json_object_set_new(c, "preferred_channel", json_string(PICK(r, channels)));
	json_object_set_new(c, "tags", json_pack("[s]", PICK(r, tags)));
	if (d->nowners)
		json_object_set_new(c, "owner_id", json_integer(d->owners[i % d->nowners]));
	if (insert(w, "customers", c, &id, e) != ERR_OK)
		return e->code;
	d->customers++;
	d->identifiers += is_company ? 2 : 2;
	if (rnd(r) % 100 < 40) {
		char card[32];
		snprintf(card, sizeof(card), "M%08ld", i);
		if (insert(w, "customer_identifiers", json_pack("{s:I,s:s,s:s}", "customer_id", (json_int_t)id,
				"kind", "member_card", "value", card), NULL, e) != ERR_OK)
			return e->code;
		d->identifiers++;
	}
	if (is_company) {
		json_t *p = person(d, l, i + 50000000);
		json_object_del(p, "kind");
		json_object_del(p, "birth_date");
		json_object_del(p, "gender");
		json_object_set_new(p, "customer_id", json_integer(id));
		json_object_set_new(p, "role", json_string(PICK(r, roles)));
		if (insert(w, "contacts", p, &contact, e) != ERR_OK)
			return e->code;
		d->contacts++;
	}
	int n = 1 + (int)(rnd(r) % 3);
	for (int k = 0; k < n; k++) {
		char at[TIME_STR_LEN];
		time_format(time_now_ms() - (int64_t)(rnd(r) % (730LL * 86400000)), at);
		json_t *it = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "customer_id", (json_int_t)id,
			"channel", PICK(r, channels), "direction", rnd(r) % 3 ? "inbound" : "outbound",
			"subject", PICK(r, subjects), "outcome", PICK(r, outcomes), "occurred_at", at);
		if (contact)
			json_object_set_new(it, "contact_id", json_integer(contact));
		if (insert(w, "interactions", it, NULL, e) != ERR_OK)
			return e->code;
		d->interactions++;
	}
	return ERR_OK;
}

static enum err_code
batch_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct demo *d = ctx;
	struct actor system = { .user_id = 0, .name = "demo", .role = "admin" };
	struct wtx w;

	wtx_init(&w, c, &system, NULL);
	for (int k = 0; k < BATCH && d->next < d->total; k++, d->next++)
		if (one_customer(d, &w, d->next, e) != ERR_OK)
			return e->code;
	return ERR_OK;
}

/* The tables the demo fills. When it adds at least as many customers as
 * there are, their plain indexes are built once at the end instead of
 * row by row (engine_bulk_begin): a third of the time saved. */
static const char *const filled[] = { "customers", "contacts", "customer_identifiers", "interactions" };

static enum err_code
defer_indexes(struct store_conn *c, void *ctx, struct err *e)
{
	(void)ctx;
	return engine_bulk_begin(c, filled, sizeof(filled) / sizeof(filled[0]), e);
}

static enum err_code
restore_indexes(struct store_conn *c, void *ctx, struct err *e)
{
	(void)ctx;
	return engine_bulk_end(c, e);
}

/* Customers already there, so a second demo run adds new ones. */
static long
existing_customers(struct store *s, struct demo *d, struct err *e)
{
	struct store_conn *c = store_reader(s, e);
	struct stmt *st = c ? store_prepare(c, "SELECT coalesce(max(id), 0) FROM customers", e) : NULL;
	long n = -1;

	if (st && stmt_step(st, e) == 1)
		n = (long)stmt_int(st, 0);
	stmt_finish(st);
	st = c ? store_prepare(c, "SELECT id FROM users WHERE deleted_at IS NULL ORDER BY id", e) : NULL;
	while (st && stmt_step(st, e) == 1) {
		d->owners = xrealloc(d->owners, (d->nowners + 1) * sizeof(int64_t));
		d->owners[d->nowners++] = stmt_int(st, 0);
	}
	stmt_finish(st);
	return n;
}

int
cmd_demo(int argc, char **argv)
{
	const char *data = NULL, *count = "1000", *pos[1];
	struct opt opts[] = { { "data", &data }, { "customers", &count }, { 0 } };
	struct err e = { 0 };
	struct demo d = { .rng = { 0x9E3779B97F4A7C15ULL } };
	int npos;
	char *end;

	if (cli_parse(argc, argv, opts, pos, 0, &npos) < 0)
		return 1;
	long n = strtol(count, &end, 10);
	if (*end || n < 1 || n > 10000000)
		return cli_fail("--customers must be a whole number from 1 to 10000000");
	/* demo data can be made again: a bulk load */
	struct store *s = cli_open(cli_data_dir(data), CLI_BULK);
	if (!s)
		return 1;
	int64_t t0 = time_mono_ns();
	long base = existing_customers(s, &d, &e);
	if (base < 0) {
		cli_fail("%s", e.msg);
		cli_close(s);
		return 1;
	}
	d.next = base + 1;
	d.total = base + 1 + n;
	d.rng.s += (uint64_t)base;
	bool tty = isatty(STDERR_FILENO), deferred = n >= base;
	const char *dir = cli_data_dir(data);
	if (deferred && cli_server_running(dir)) {
		/* its reads would go without their indexes until the end */
		fprintf(stderr, "guanxi: a server is serving %s: the demo keeps its indexes up to "
			"date row by row (slower)\n", dir);
		deferred = false;
	}
	int rc = 0;
	if (deferred && store_write(s, defer_indexes, NULL, &e) != ERR_OK) {
		rc = cli_fail("demo failed: %s", e.msg);
		deferred = false;	/* nothing was deferred: the write rolled back */
	}
	while (!rc && d.next < d.total) {
		if (store_write(s, batch_run, &d, &e) != ERR_OK) {
			rc = cli_fail("demo failed at customer %ld: %s", d.next, e.msg);
			err_clear(&e);	/* the indexes are still built below */
			break;
		}
		if (tty)
			fprintf(stderr, "\r%ld / %ld customers", d.next - base - 1, n);
	}
	if (tty)
		fputc('\n', stderr);
	int64_t t_indexes = time_mono_ns();
	if (deferred && store_write(s, restore_indexes, NULL, &e) != ERR_OK && !rc)
		rc = cli_fail("demo failed building its indexes: %s", e.msg);
	t_indexes = time_mono_ns() - t_indexes;
	if (!rc) {
		printf("demo data: %ld customers, %ld identifiers, %ld contacts, %ld interactions in %.1f s",
		       d.customers, d.identifiers, d.contacts, d.interactions,
		       (double)(time_mono_ns() - t0) / 1e9);
		if (deferred)
			printf(" (indexes built at the end: %.1f s)", (double)t_indexes / 1e9);
		putchar('\n');
	}
	free(d.owners);
	err_clear(&e);
	cli_close(s);
	return rc;
}

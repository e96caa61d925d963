/* SPDX-License-Identifier: MIT */
/* What imported files call our fields: the other names a column header
 * may have, in English, 繁體 and 简体, per field name (or identifier kind).
 * Data only: import_columns() matches a header against the field names,
 * their labels and these, case-insensitively. Names separated by '|'. */
#include <string.h>
#include "schema/schema.h"

static const struct {
	const char *target;
	const char *names;
} column_names[] = {
	{ "name", "姓名|名稱|名称|客戶名稱|客户名称|客戶|客户|聯絡人|联系人|full name|display name" },
	{ "family_name", "姓|姓氏|last name|surname" },
	{ "given_name", "名|名字|first name|forename" },
	{ "local_name", "中文名|中文姓名|中文名稱|中文名称|chinese name" },
	{ "kind", "類型|类型|客戶類型|客户类型|type" },
	{ "email", "電郵|电邮|郵箱|邮箱|電子郵件|电子邮件|電子信箱|电子信箱|e-mail|email address|mail" },
	{ "phone", "電話|电话|聯絡電話|联系电话|市話|座机|tel|telephone|phone number" },
	{ "mobile", "手機|手机|行動電話|移动电话|手機號碼|手机号码|手机号|cell|cellphone|mobile phone" },
	{ "address", "地址|住址|通訊地址|通讯地址|street" },
	{ "city", "城市|市|town" },
	{ "region", "地區|地区|省|省份|州|state|province" },
	{ "country", "國家|国家|國家/地區|国家/地区" },
	{ "birth_date", "生日|出生日期|出生年月日|birthday|date of birth|dob" },
	{ "gender", "性別|性别|sex" },
	{ "language", "語言|语言|偏好語言|偏好语言" },
	{ "preferred_channel", "聯絡管道|联系渠道|偏好管道|偏好渠道" },
	{ "relationship_type", "關係類型|关系类型" },
	{ "customer_class", "客戶類別|客户类别" },
	{ "source", "來源|来源" },
	{ "tags", "標籤|标签|tag" },
	{ "notes", "備註|备注|附註|附注|note|remarks|comment" },
	{ "role", "職位|职位|職稱|职称|title|job title" },
	{ "customer_id", "客戶編號|客户编号|客戶id|客户id" },
	{ "member_card", "會員卡號|会员卡号|會員卡|会员卡|會員編號|会员编号|membership card" },
	{ "external_id", "外部編號|外部编号|外部id|external id" },
	{ "policy_no", "保單號碼|保单号码|保單號|保单号|policy number" },
	{ "plate", "車牌|车牌|車牌號碼|车牌号码|licence plate|license plate" },
	{ "national_id", "身分證字號|身份证号|身份證號|身份证号码|national id" },
	{ "id", "編號|编号|系統編號|系统编号" },
};

const char *
column_name_target(const char *header)
{
	size_t n = strlen(header);

	for (size_t i = 0; i < COUNT_OF(column_names); i++) {
		for (const char *p = column_names[i].names; *p;) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			if (len == n && strncmp(p, header, n) == 0)
				return column_names[i].target;
			p += bar ? len + 1 : len;
		}
	}
	return NULL;
}

/* SPDX-License-Identifier: MIT */
/* The OpenAPI 3.1 document, generated from the registry (custom fields
 * included) and the route table's conventions. */
#ifndef GX_OPENAPI_H
#define GX_OPENAPI_H

#include <jansson.h>

json_t *openapi_document(void);	/* a new reference */

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Type-checked accessors for cJSON trees. Each returns the default (or NULL)
 * when the key is absent or holds another type.
 */
#ifndef MP_JS_H
#define MP_JS_H

#include <stdbool.h>

struct cJSON;

const struct cJSON *js_get(const struct cJSON *o, const char *key);
const char *js_str(const struct cJSON *o, const char *key, const char *dflt);
double js_num(const struct cJSON *o, const char *key, double dflt);
bool js_true(const struct cJSON *o, const char *key);
const struct cJSON *js_obj(const struct cJSON *o, const char *key);
const struct cJSON *js_arr(const struct cJSON *o, const char *key);

#endif

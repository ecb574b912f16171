/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Type-checked accessors for cJSON trees (js.h): a missing key or a value of
 * the wrong type reads as the default, never as a crash. Used by every layer
 * that reads JSON it did not build itself.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>

#include "js.h"

const cJSON *js_get(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *js_str(const cJSON *o, const char *key, const char *dflt)
{
	const cJSON *v = js_get(o, key);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : dflt;
}

double js_num(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = js_get(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

bool js_true(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(js_get(o, key));
}

const cJSON *js_obj(const cJSON *o, const char *key)
{
	const cJSON *v = js_get(o, key);
	return cJSON_IsObject(v) ? v : NULL;
}

const cJSON *js_arr(const cJSON *o, const char *key)
{
	const cJSON *v = js_get(o, key);
	return cJSON_IsArray(v) ? v : NULL;
}

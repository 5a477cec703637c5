/* SPDX-License-Identifier: MIT
**
** ddb_attr.h -- the AttributeValue model: the ten DynamoDB types, semantic
** validation and canonicalisation of values and items (numbers normalised,
** sets checked for emptiness and duplicates), item size by DynamoDB's formula,
** equality and ordering of scalars, and the order-preserving, self-delimiting
** binary encoding of key values used in storage keys.
**
** Values are jansson objects in DynamoDB's JSON form ({"S":"x"}, {"N":"1"},
** {"M":{...}}). JSON-level type errors (a number where a string belongs, bad
** base64) are caught earlier by the request type check; these functions
** assume the JSON types are right.
*/
#ifndef DDB_ATTR_H
#define DDB_ATTR_H

#include "ddb_error.h"
#include "ddb_number.h"
#include "ddb_util.h"

#include <jansson.h>
#include <stddef.h>

typedef enum ddb_type {
    DDB_T_NONE = 0, DDB_T_S, DDB_T_N, DDB_T_B, DDB_T_BOOL, DDB_T_NULL, DDB_T_M, DDB_T_L,
    DDB_T_SS, DDB_T_NS, DDB_T_BS
} ddb_type;

/* Maximum item size (names included): 400 KB. */
#define DDB_MAX_ITEM_SIZE 409600
/* Maximum partition / sort key value size in bytes. */
#define DDB_MAX_HASH_KEY 2048
#define DDB_MAX_RANGE_KEY 1024
/* Maximum nesting of maps and lists. */
#define DDB_MAX_DEPTH 32

/* "S", "N", ... ; "" for DDB_T_NONE. */
const char *ddb_type_name(ddb_type t);
/* The type named by the 'n' bytes at 's', or DDB_T_NONE. */
ddb_type ddb_type_from_name(const char *s, size_t n);

/* The type of a validated AttributeValue (its single member), or DDB_T_NONE. */
ddb_type ddb_attr_type(const json_t *av);
/* The member value of a validated AttributeValue (borrowed). */
json_t *ddb_attr_payload(const json_t *av);

/* Validate one AttributeValue and canonicalise it in place (numbers
** rewritten in canonical form, {"NULL": false} stored as true, members that
** are JSON null or not a type name dropped). Records DynamoDB's bare
** ValidationException text on failure (validation-facts.md §6.1, CURRENT
** wording); callers add any "1 validation error detected: " envelope. */
int ddb_attr_check(json_t *av, ddb_error *err);
/* Validate every value of an attribute map (Item, Key, ...). */
int ddb_attrs_check(json_t *map, ddb_error *err);

/* DynamoDB checks attribute values in one of two "layers" with slightly
** different texts (validation-facts.md §1.3): the current one (PutItem,
** UpdateItem, DeleteItem, GetItem, BatchGetItem, Query) and the older one
** (BatchWriteItem, Scan, transactions), which rejects {"NULL": false}, prints
** duplicate sets as sent ("[a, a]"), and words the empty-number and NS
** duplicate errors without the newer suffixes. ddb_attr_check and
** ddb_attrs_check use the current layer. */
typedef enum ddb_av_layer { DDB_AV_CURRENT, DDB_AV_LEGACY } ddb_av_layer;
int ddb_attr_check_layer(json_t *av, ddb_av_layer layer, ddb_error *err);
int ddb_attrs_check_layer(json_t *map, ddb_av_layer layer, ddb_error *err);

/* Size by DynamoDB's formula (capacity-and-throttling.md §2.1). */
size_t ddb_attr_size(const json_t *av);
/* Sum over attributes of UTF-8 name length + value size. */
size_t ddb_item_size(const json_t *item);
/* Size of a scalar key value: string bytes, binary bytes, number size. */
size_t ddb_key_value_size(const json_t *av);

/* Deep equality of two validated values (sets compare as sets). */
int ddb_attr_equal(const json_t *a, const json_t *b);
/* Order of two scalars of the same type (S: UTF-8 bytes, N: numeric,
** B: unsigned bytes); <0, 0, >0. */
int ddb_attr_compare(const json_t *a, const json_t *b);

/* Append the order-preserving, self-delimiting encoding of a scalar key value
** (S, N or B) to 'out': memcmp order of encodings is DynamoDB's key order, and
** no encoding is a prefix of another, so encodings concatenate. S and B bytes
** are written with 0x00 escaped as 0x00 0xFF, then the terminator 0x00 0x01;
** N uses ddb_number_encode_key. Stored on disk: never change it. */
int ddb_attr_encode_key(const json_t *av, ddb_buf *out);
/* The decoded bytes of a B value (new, caller frees); NULL if malformed. */
unsigned char *ddb_attr_binary(const json_t *av, size_t *out_len);

#endif

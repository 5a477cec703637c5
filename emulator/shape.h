/* SPDX-License-Identifier: MIT
**
** shape.h -- the DynamoDB API model as C tables (shapes.gen.c, generated) and
** the checker that walks a request against it (shape.c).
*/
#ifndef DDB_SHAPE_H
#define DDB_SHAPE_H

#include "ddb_error.h"
#include <jansson.h>
#include <stddef.h>

enum {
    SH_STRUCT, SH_LIST, SH_MAP, SH_STRING, SH_INTEGER, SH_LONG, SH_DOUBLE, SH_BOOLEAN,
    SH_BLOB, SH_TIMESTAMP
};

typedef struct sh_member {
    const char *name;
    int shape;     /* index into sh_shapes */
    int required;
} sh_member;

typedef struct sh_shape {
    const char *name;
    int type;              /* SH_* */
    const char *java;      /* the Java type DynamoDB's deserializer names in errors */
    int elem;              /* list member / map value shape, or -1 */
    int key;               /* map key shape, or -1 */
    int n_members;
    const sh_member *members;
    int reserved;
    int has_min, has_max;
    long long min, max;    /* length (string, list, map) or value (numbers) limits */
    const char *const *enums;
    int n_enums;
    const char *pattern;
} sh_shape;

typedef struct sh_operation {
    const char *name;
    int input;             /* input shape, or -1 */
} sh_operation;

extern const sh_shape sh_shapes[];
extern const int sh_count;
extern const sh_operation sh_operations[];
extern const int sh_operation_count;

/* The input shape of operation 'name', or -1. */
int ddb_shape_input(const char *name);
/* Shape index by name, or -1. */
int ddb_shape_find(const char *name);

#endif

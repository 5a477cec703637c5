/* SPDX-License-Identifier: MIT
**
** ddb.h -- umbrella header of the shared library (libddbcore.a) linked by
** both ddbd and the ddb client: version, errors, utilities, numbers,
** attribute values and SigV4.
*/
#ifndef DDB_H
#define DDB_H

#ifndef DDB_VERSION
#define DDB_VERSION "0.0.0"
#endif

#include "ddb_error.h"
#include "ddb_util.h"
#include "ddb_number.h"
#include "ddb_attr.h"
#include "ddb_sigv4.h"

#endif

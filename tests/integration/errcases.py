"""errcases.py -- running tables of malformed requests (not a test module:
the runner only collects test_*.py). A case is a tuple

    (operation, body, expected __type suffix, expected message[, status])

status defaulting to 400. run_cases() sends every case, collects every
mismatch and fails once with all of them, so one run shows the whole
picture. run_pending() runs cases whose fix belongs in a file this suite's
owner may not change: while they still fail it skips with the reason; once
they pass it passes (and the case should move into the main table).
"""
import json

import harness
from harness import TestFailure, expect_error


def _describe(case):
    op, body = case[0], case[1]
    text = json.dumps(body)
    if len(text) > 160:
        text = text[:157] + "..."
    return "%s %s" % (op, text)


def run_cases(ctx, cases, server=None):
    """Send every case; fail with all the mismatches at once."""
    failures = []
    kw = {"server": server} if server is not None else {}
    for case in cases:
        op, body, type_, message = case[:4]
        status = case[4] if len(case) > 4 else 400
        try:
            expect_error(ctx, op, body, status, type_, message, **kw)
        except TestFailure as e:
            failures.append("- %s\n  %s" % (_describe(case), str(e).replace("\n", "\n  ")))
    if failures:
        raise TestFailure("%d of %d cases failed:\n%s" % (len(failures), len(cases),
                                                         "\n".join(failures)))


def run_pending(ctx, reason, cases, server=None):
    """Cases waiting for a fix elsewhere: skip (with 'reason') while any fails."""
    try:
        run_cases(ctx, cases, server=server)
    except TestFailure as e:
        lines = str(e).split("\n")
        raise harness.Skip("%s\n%s" % (reason, "\n".join(lines[:9] + (["  ..."] if len(lines) > 9
                                                                      else []))))



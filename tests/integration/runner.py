#!/usr/bin/env python3
"""runner.py -- discovers tests/integration/test_*.py, starts one ddbd per
module (a module may set SERVER_ARGS; the default, DEFAULT_SERVER_ARGS, turns
throttling off so that functional tests do not depend on how fast the machine
writes -- the throughput tests opt in with their own arguments and the manual
clock), runs each test_* function with the
module's Context and prints one line per test, then "N passed, N failed,
N skipped". A test skips by raising Skip. ddbd's exit status and sanitizer
output count as a failure of the module's last line ("<module>: server").
"""
import argparse
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


DEFAULT_SERVER_ARGS = ("--throttling", "off")


class Skip(Exception):
    pass


harness.Skip = Skip


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ddbd", required=True)
    ap.add_argument("-k", default="")
    args = ap.parse_args()
    binary = os.path.abspath(args.ddbd)
    passed = failed = skipped = 0
    modules = sorted(f for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    for fname in modules:
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(HERE, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        tests = [(n, getattr(mod, n)) for n in dir(mod)
                 if n.startswith("test_") and callable(getattr(mod, n))]
        tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
        tests = [t for t in tests if args.k in fname + "::" + t[0]]
        if not tests:
            continue
        try:
            ctx = harness.Context(binary, getattr(mod, "SERVER_ARGS", DEFAULT_SERVER_ARGS))
        except Exception as e:  # noqa: BLE001
            print("FAIL %s: server did not start: %s" % (fname, e))
            failed += 1
            continue
        for name, fn in tests:
            t0 = time.monotonic()
            try:
                fn(ctx)
                passed += 1
                print("ok   %s::%s (%.2fs)" % (fname, name, time.monotonic() - t0))
            except Skip as e:
                skipped += 1
                print("skip %s::%s: %s" % (fname, name, e))
            except Exception as e:  # noqa: BLE001
                failed += 1
                detail = str(e) if isinstance(e, harness.TestFailure) else traceback.format_exc()
                print("FAIL %s::%s: %s" % (fname, name, detail))
            sys.stdout.flush()
        problems = ctx.close()
        if problems:
            failed += 1
            print("FAIL %s: server: %s" % (fname, "\n".join(problems)))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""profile.py -- where ddbd's time goes per request, for GetItem and PutItem
(and any other matrix workload), on the same data and requests as bench.py.

  python3 tests/bench/profile.py --ddbd build/ddbd --out DIR [--tool callgrind|perf]
                                 [--workloads GetItem,PutItem] [--seconds N] [--principals]

--principals runs ddbd with --principals policies/principals.json and signs
GetItem/PutItem with tenant workshop_001's key on its table ws-att-001 (the
bench's --principals row), to see what verification and IAM evaluation cost.

callgrind (default; needs valgrind): ddbd runs under valgrind --tool=callgrind
with collection off; table set-up and loading are not measured; each workload
is then replayed by wrk on one connection with instrumentation on, and dumped to
its own file (DIR/callgrind.<workload>), annotated into DIR/<workload>.incl.txt
(inclusive) and DIR/<workload>.self.txt (exclusive). Instruction counts per
request = total Ir / requests answered (printed, and in DIR/summary.json).

perf: ddbd runs natively; `perf record -e cpu-clock -g` samples it (user and
kernel time, all threads) while wrk replays each workload at 16 connections;
DIR/<workload>.perf.txt is `perf report --no-children`. Use when the machine
has no hardware counters (perf's cpu-clock is a software timer).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class ProfiledDdbd(bench.Ddbd):
    def __init__(self, workdir, db, prefix, args=()):
        super().__init__(workdir, db, args)
        self.prefix = prefix

    def start(self):
        self.port = bench.free_port()
        cmd = self.prefix + [bench.DDBD, "--host", "127.0.0.1", "--port", str(self.port),
                             "--db", self.db, "--throttling", "off", "--log-level", "warn"
                             ] + self.args
        t0 = self._spawn(cmd)
        try:
            self.started_in = self.wait_ready(t0, timeout=120)
        except BaseException:
            self.stop()
            raise
        return self


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ddbd", default=bench.DDBD)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tool", choices=("callgrind", "perf"), default="callgrind")
    ap.add_argument("--workloads", default="GetItem,PutItem")
    ap.add_argument("--principals", action="store_true")
    ap.add_argument("--seconds", type=int, default=0,
                    help="wrk seconds per workload (default 20 callgrind, 10 perf)")
    args = ap.parse_args()
    bench.DDBD = os.path.abspath(args.ddbd)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    secs = args.seconds or (20 if args.tool == "callgrind" else 10)
    work = tempfile.mkdtemp(prefix="ddbd-profile-")
    db = os.path.join(work, "profile.sqlite3")
    if args.tool == "callgrind":
        prefix = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                  "--callgrind-out-file=%s/callgrind.%%p" % work]
    else:
        prefix = []
    extra = (["--principals", os.path.join(bench.ROOT, "policies", "principals.json")]
             if args.principals else [])
    s = ProfiledDdbd(work, db, prefix, extra).start()
    summary = {"tool": args.tool, "seconds": secs, "workloads": {}}
    perf = None
    try:
        if args.principals:
            c = bench.client(s, bench.TENANT_KEY)
            bench.create_table(c, bench.TENANT_TABLE, [("pk", "HASH")], [("pk", "S")])
            bench.batch_put(c, bench.TENANT_TABLE,
                            [bench.kv_item(i) for i in range(bench.KV_ITEMS)])
        else:
            bench.setup_matrix_tables(s)
        for wi, name in enumerate(w.strip() for w in args.workloads.split(",")):
            if args.principals:
                rnd = random.Random(1000 + wi)
                reqs = (bench.pool_get(s, bench.TENANT_KEY, rnd, table=bench.TENANT_TABLE)
                        if name == "GetItem" else
                        bench.pool_put(s, bench.TENANT_KEY, "prof", table=bench.TENANT_TABLE))
            else:
                reqs, _ = bench.build_pool(name, s, bench.OPEN_KEY, "prof", 1000 + wi)
            pool = bench.write_pool(os.path.join(work, "pool-%d" % wi), reqs)
            conns = 1 if args.tool == "callgrind" else 16
            if args.tool == "callgrind":
                run(["callgrind_control", "-z", str(s.proc.pid)])
                run(["callgrind_control", "-i", "on", str(s.proc.pid)])
            else:
                bench.run_wrk(s, pool, 16, 1, retry=False)         # warm-up
                data = os.path.join(out, "%s.perf.data" % name)
                perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "2000",
                                         "-g", "-p", str(s.proc.pid), "-o", data],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.5)
            r = bench.run_wrk_once(s, pool, conns, secs, 0, "replay.lua")
            dump = None
            if args.tool == "callgrind":
                run(["callgrind_control", "-i", "off", str(s.proc.pid)])
                before = set(os.listdir(work))
                run(["callgrind_control", "-d", name, str(s.proc.pid)])
                new_files = [f for f in set(os.listdir(work)) - before
                             if f.startswith("callgrind.")]
                if len(new_files) != 1:
                    raise RuntimeError("callgrind dump for %s: %r" % (name, new_files))
                dump = os.path.join(work, new_files[0])
            else:
                perf.send_signal(signal.SIGINT)
                perf.wait(timeout=60)
                perf = None
            summary["workloads"][name] = {"requests": r["requests"], "errors": r["errors"],
                                          "ops": r["ops"], "cpu_us": r["cpu_us"]}
            if dump:
                summary["workloads"][name]["dump"] = dump
            bench.log("%s: %d requests, %d errors, server cpu %.1f us/req" % (
                name, r["requests"], r["errors"], r["cpu_us"]))
            os.unlink(pool)
    finally:
        if perf is not None:
            perf.kill()
            perf.wait()
        s.stop()
    if args.tool == "callgrind":
        for name, w in summary["workloads"].items():
            dest = os.path.join(out, "callgrind.%s" % name)
            os.replace(w.pop("dump"), dest)
            total = 0
            with open(dest, errors="replace") as fh:
                for line in fh:
                    if line.startswith(("summary:", "totals:")):
                        total = int(line.split()[1])
            w["instructions"] = total
            w["instructions_per_request"] = total / max(w["requests"], 1)
            for mode, flag in (("incl", "--inclusive=yes"), ("self", "--inclusive=no")):
                txt = run(["callgrind_annotate", flag, "--threshold=99", dest]).stdout
                with open(os.path.join(out, "%s.%s.txt" % (name, mode)), "w") as fh:
                    fh.write(txt)
            bench.log("%s: %.0f instructions per request" % (name, w["instructions_per_request"]))
    else:
        for name in summary["workloads"]:
            data = os.path.join(out, "%s.perf.data" % name)
            txt = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                  "--sort", "dso,sym", "-g", "none", "--percent-limit", "0.3"],
                                 capture_output=True, text=True).stdout
            with open(os.path.join(out, "%s.perf.txt" % name), "w") as fh:
                fh.write(txt)
            txt = subprocess.run(["perf", "report", "-i", data, "--stdio", "--children",
                                  "--sort", "sym", "-g", "none", "--percent-limit", "1"],
                                 capture_output=True, text=True).stdout
            with open(os.path.join(out, "%s.perf-children.txt" % name), "w") as fh:
                fh.write(txt)
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)
    subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    random.seed(1)
    sys.exit(main())

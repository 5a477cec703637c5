"""harness.py -- what every integration test needs: a ddbd process on an
ephemeral loopback port (started and stopped by PID, sanitizer output
checked), boto3 clients and the AWS CLI pointed at it, and raw HTTP requests
(signed with botocore's own SigV4 signer, or deliberately not) for wire-level
assertions.

Tests are plain functions named test_* taking one argument, the Context.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import http.client

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

REGION = "ap-southeast-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 20.0


class TestFailure(AssertionError):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise TestFailure(msg)


def eq(got, want, what="value"):
    if got != want:
        raise TestFailure("%s:\n   got: %r\n  want: %r" % (what, got, want))


class Server:
    """One ddbd process. Use start() / stop(); stop() reports sanitizer output."""

    def __init__(self, binary, workdir, db=None, args=()):
        self.binary = binary
        self.workdir = workdir
        self.db = db or os.path.join(workdir, "ddbd.sqlite3")
        self.args = list(args)
        self.proc = None
        self.port = None
        self.log_path = None

    def start(self):
        port_file = os.path.join(self.workdir, "port.%d" % time.monotonic_ns())
        self.log_path = os.path.join(self.workdir, "ddbd.%d.log" % time.monotonic_ns())
        log = open(self.log_path, "wb")
        cmd = [self.binary, "--port", "0", "--port-file", port_file, "--db", self.db] + self.args
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TestFailure("ddbd exited at start-up:\n" + self.log())
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self
            except FileNotFoundError:
                pass
            time.sleep(0.01)
        self.kill()
        raise TestFailure("ddbd did not start within %.0fs" % START_TIMEOUT)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def stop(self):
        """SIGTERM, wait, and return problems found (exit status, sanitizer reports)."""
        if self.proc is None:
            return []
        problems = []
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            problems.append("ddbd did not stop within %.0fs of SIGTERM" % STOP_TIMEOUT)
            rc = None
        self.proc = None
        text = self.log()
        if rc not in (0, None):
            problems.append("ddbd exited with status %s" % rc)
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                       "ddbd error:"):
            if marker in text:
                problems.append("ddbd log has %r" % marker)
        if problems:
            problems.append("--- ddbd log ---\n" + text[-6000:])
        return problems

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
            self.proc = None


class Context:
    """Per-module state handed to each test: the server and client helpers."""

    def __init__(self, binary, server_args=()):
        self.binary = binary
        self.workdir = tempfile.mkdtemp(prefix="ddbd-it-")
        self.server = Server(binary, self.workdir, args=server_args).start()
        self.extra_servers = []
        self._counter = 0

    # -- names ---------------------------------------------------------------
    def unique(self, prefix="t"):
        self._counter += 1
        return "%s-%d-%d" % (prefix, os.getpid() % 10000, self._counter)

    # -- clients -------------------------------------------------------------
    def env(self, server=None):
        server = server or self.server
        e = dict(os.environ)
        e.update({
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": server.endpoint,
            "AWS_CONFIG_FILE": os.path.join(self.workdir, "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.workdir, "no-credentials"),
            "AWS_PAGER": "",
            "AWS_RETRY_MODE": "standard",
            "AWS_MAX_ATTEMPTS": "1",
        })
        e.pop("AWS_PROFILE", None)
        e.pop("AWS_SESSION_TOKEN", None)
        return e

    def client(self, server=None, region=REGION):
        server = server or self.server
        return boto3.client(
            "dynamodb", region_name=region, endpoint_url=server.endpoint,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))

    def resource(self, server=None):
        server = server or self.server
        return boto3.resource(
            "dynamodb", region_name=REGION, endpoint_url=server.endpoint,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))

    def aws(self, *args, server=None, check_rc=True, timeout=120, extra_env=None):
        """Run the AWS CLI; returns (rc, stdout, stderr). Parses JSON stdout when asked."""
        env = self.env(server)
        if extra_env:
            env.update(extra_env)
        p = subprocess.run(["aws"] + list(args), env=env, capture_output=True, text=True,
                           timeout=timeout)
        if check_rc and p.returncode != 0:
            raise TestFailure("aws %s failed (%d):\n%s" % (" ".join(args), p.returncode, p.stderr))
        return p.returncode, p.stdout, p.stderr

    def aws_json(self, *args, **kw):
        rc, out, err = self.aws(*args, **kw)
        return json.loads(out) if out.strip() else {}

    # -- raw HTTP ------------------------------------------------------------
    def raw(self, method="POST", path="/", body=b"", headers=None, server=None, timeout=30):
        """Send exactly this request; returns (status, headers dict lower-case, body bytes)."""
        server = server or self.server
        if isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True, skip_host=True)
            hdrs = {"Host": "127.0.0.1:%d" % server.port}
            hdrs.update(headers or {})
            for k, v in hdrs.items():
                if v is not None:
                    conn.putheader(k, v)
            if body or method == "POST":
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def signed(self, target, body, server=None, content_type="application/x-amz-json-1.0",
               extra_headers=None, service="dynamodb", region=REGION):
        """POST a SigV4-signed request (botocore's signer) with X-Amz-Target 'target'."""
        server = server or self.server
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        headers = {"Content-Type": content_type}
        if target is not None:
            headers["X-Amz-Target"] = target if "." in target else "DynamoDB_20120810." + target
        headers.update(extra_headers or {})
        req = botocore.awsrequest.AWSRequest(method="POST", url=server.endpoint + "/",
                                             data=body, headers=headers)
        creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
        botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
        return self.raw("POST", "/", body, dict(req.headers.items()), server=server)

    def call(self, target, body, **kw):
        """Signed request; returns (status, parsed JSON body or None, headers)."""
        status, headers, data = self.signed(target, body, **kw)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return status, parsed, headers

    # -- servers -------------------------------------------------------------
    def new_server(self, args=(), db=None):
        """Another ddbd; throttling is off unless 'args' says otherwise."""
        if "--throttling" not in args:
            args = tuple(args) + ("--throttling", "off")
        s = Server(self.binary, self.workdir, db=db, args=args).start()
        self.extra_servers.append(s)
        return s

    def close(self):
        problems = []
        for s in self.extra_servers:
            problems += s.stop()
        problems += self.server.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return problems


def expect_error(ctx, target, body, status, type_, message=None, **kw):
    """Signed request that must fail with exactly this status, __type suffix and message."""
    st, parsed, _ = ctx.call(target, body, **kw)
    eq(st, status, "HTTP status for %s %s" % (target, json.dumps(body)[:200]))
    check(parsed is not None, "error body is not JSON")
    t = parsed.get("__type", "")
    check(t.endswith("#" + type_) or t == type_, "__type %r, want %r" % (t, type_))
    if message is not None:
        got = parsed.get("message", parsed.get("Message"))
        eq(got, message, "message")
    return parsed


def wait_for(fn, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(interval)
    raise TestFailure("timed out waiting for %s" % what)

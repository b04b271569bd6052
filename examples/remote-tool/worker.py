#!/usr/bin/env python3
"""A bindrail remote tool in plain Python (standard library only).

Registers the tool `pyhash` (operation `digest_text`, capability `text.digest`) with
PUT /v1/tools/pyhash, then works its queue over HTTP: claim (long-poll), heartbeat while
working, complete with the output — or fail when something goes wrong.

    python3 worker.py --url http://127.0.0.1:8080 --api-key br_...

See README.md in this folder.
"""

import argparse
import hashlib
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

TOOL = "pyhash"
OPERATION = "digest_text"


def manifest(heartbeat_timeout_ms):
    """What PUT /v1/tools/pyhash sends: the operation, its schemas and its evidence checklist."""
    return {
        "version": "1.0.0",
        "description": "SHA-256 of a text, computed by a Python worker outside the rail.",
        "runtime": "remote",
        "operations": {
            OPERATION: {
                "capability": "text.digest",
                "description": "Digests a UTF-8 text; compares it with an expected digest when one is given.",
                "input_schema": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string", "maxLength": 1000000},
                        "expected_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "sleep_ms": {"type": "integer", "minimum": 0, "maximum": 600000},
                    },
                    "required": ["text"],
                    "additionalProperties": False,
                },
                "output_schema": {
                    "type": "object",
                    "properties": {
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "length": {"type": "integer", "minimum": 0},
                    },
                    "required": ["sha256", "length"],
                    "additionalProperties": False,
                },
                "evidence_checklist": [
                    {
                        "item": "expected_sha256",
                        "description": "The digest the requester expects, to check the text against.",
                        "required": False,
                    }
                ],
                "max_attempts": 3,
                "heartbeat_timeout_ms": heartbeat_timeout_ms,
                "non_retryable": ["bad_input"],
            }
        },
    }


class Refused(Exception):
    """The rail answered with a problem (RFC 9457)."""

    def __init__(self, status, problem):
        super().__init__(f"{status} {problem.get('code', '')}: {problem.get('detail', '')}")
        self.status = status
        self.code = problem.get("code")
        self.problem = problem


class Rail:
    """The few HTTP calls a remote worker makes."""

    def __init__(self, url, api_key):
        self.url = url.rstrip("/")
        self.api_key = api_key

    def call(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("authorization", "Bearer " + self.api_key)
        if data is not None:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                text = res.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8")
            try:
                problem = json.loads(text)
            except ValueError:
                problem = {"detail": text}
            raise Refused(err.code, problem) from None

    def register(self, heartbeat_timeout_ms):
        return self.call("PUT", "/v1/tools/" + TOOL, manifest(heartbeat_timeout_ms))

    def claim(self, wait_ms):
        body = {"tools": [TOOL], "max": 1, "wait_ms": wait_ms}
        # The long-poll holds the request open for up to wait_ms: give the socket longer than that.
        return self.call("POST", "/v1/tool-tasks/claim", body, timeout=wait_ms / 1000 + 30)["tasks"]

    def heartbeat(self, token, percent=None, message=None):
        progress = {k: v for k, v in (("percent", percent), ("message", message)) if v is not None}
        return self.call("POST", f"/v1/tool-tasks/{token}/heartbeat", {"progress": progress} if progress else {})

    def complete(self, token, result):
        return self.call("POST", f"/v1/tool-tasks/{token}/complete", result)

    def fail(self, token, code, message, retryable=True, run_ms=None):
        body = {"code": code, "message": message[:2000], "retryable": retryable}
        if run_ms is not None:
            body["run_ms"] = run_ms
        return self.call("POST", f"/v1/tool-tasks/{token}/fail", body)


class ToolError(Exception):
    """A failure on purpose; retryable=False fails the binding at once."""

    def __init__(self, code, message, retryable=True):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


def log(*parts):
    print(f"{TOOL}:", *parts, flush=True)


def digest_text(task, heartbeat):
    """The tool itself: pure, deterministic, and it heartbeats while it (pretends to) work."""
    inputs = task["inputs"]
    text = inputs.get("text")
    if not isinstance(text, str):
        raise ToolError("bad_input", "inputs.text must be a string", retryable=False)
    sleep_ms = inputs.get("sleep_ms", 0)
    # Heartbeat three times per timeout: one late heartbeat does not cost the lease.
    interval = task["heartbeat_timeout_ms"] / 3000
    deadline = time.monotonic() + sleep_ms / 1000
    while time.monotonic() < deadline:
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        left = max(0.0, deadline - time.monotonic())
        heartbeat(percent=round(100 * (1 - left * 1000 / sleep_ms), 1), message="digesting")

    data = text.encode("utf-8")
    sha = hashlib.sha256(data).hexdigest()
    expected = inputs.get("expected_sha256")
    exceptions = []
    missing = []
    if expected is None:
        missing.append("expected_sha256")
    elif expected != sha:
        exceptions.append({"code": "digest_mismatch", "message": f"expected {expected}, got {sha}", "item": "expected_sha256"})
    status = "sufficient" if not missing and not exceptions else "partial"
    summary = f"SHA-256 of {len(data)} byte(s) of text: {sha}."
    if expected is not None:
        summary += " It matches the expected digest." if expected == sha else " It does NOT match the expected digest."
    return {
        "output": {"sha256": sha, "length": len(data)},
        "summary": summary,
        "evidence": {"status": status, "missing": missing, "exceptions": exceptions},
        "receipts": [{"kind": "text_digest", "body": {"algorithm": "sha256", "digest": "sha256:" + sha, "bytes": len(data)}}],
    }


class Stop(Exception):
    """SIGTERM/SIGINT while waiting for work."""


def run_task(rail, task):
    token = task["task_token"]
    log("claimed", task["binding_id"], "attempt", task["attempt"])
    started = time.monotonic()

    def heartbeat(percent=None, message=None):
        # A 409 means another attempt owns the work now, or it was cancelled: stop working.
        rail.heartbeat(token, percent, message)

    try:
        result = digest_text(task, heartbeat)
    except Refused as err:
        if err.code == "binding_cancelled":
            log("cancelled", task["binding_id"])
            rail.fail(token, "cancelled", "stopped: the binding was cancelled", retryable=False)
        else:
            log("lost the task:", err)
        return
    except ToolError as err:
        rail.fail(token, err.code, str(err), retryable=err.retryable, run_ms=elapsed_ms(started))
        log("failed", task["binding_id"], err.code)
        return
    except Exception as err:  # noqa: BLE001 - any other bug in the tool: report it, let the rail retry
        rail.fail(token, "python_exception", f"{type(err).__name__}: {err}", run_ms=elapsed_ms(started))
        log("failed", task["binding_id"], type(err).__name__)
        return
    result["run_ms"] = elapsed_ms(started)
    try:
        binding = rail.complete(token, result)
        log("completed", task["binding_id"], binding["state"])
    except Refused as err:
        log("complete refused:", err)


def elapsed_ms(started):
    return int((time.monotonic() - started) * 1000)


def stale_demo(rail, wait_ms):
    """Fencing, shown: hold a task without heartbeats until the lease expires, then try to complete it."""
    tasks = []
    while not tasks:
        tasks = rail.claim(wait_ms)
    task = tasks[0]
    log("claimed", task["binding_id"], "attempt", task["attempt"], "- holding it without heartbeats")
    time.sleep(task["heartbeat_timeout_ms"] / 1000 + 2)
    try:
        rail.complete(task["task_token"], digest_text(dict(task, inputs=dict(task["inputs"], sleep_ms=0)), lambda **_: None))
        print(json.dumps({"stale_demo": {"status": 200, "code": None}}), flush=True)
        return 1
    except Refused as err:
        print(json.dumps({"stale_demo": {"status": err.status, "code": err.code}}), flush=True)
        return 0 if err.status == 409 else 1


def main(argv):
    parser = argparse.ArgumentParser(description="bindrail remote tool worker: pyhash")
    parser.add_argument("--url", default=os.environ.get("BINDRAIL_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--api-key", default=os.environ.get("BINDRAIL_API_KEY"))
    parser.add_argument("--register-key", default=os.environ.get("BINDRAIL_ADMIN_KEY"), help="admin key for PUT /v1/tools/pyhash (default: --api-key)")
    parser.add_argument("--no-register", action="store_true", help="do not register the tool (someone else did)")
    parser.add_argument("--once", action="store_true", help="work one task, then exit")
    parser.add_argument("--wait-ms", type=int, default=20000, help="long-poll time of each claim")
    parser.add_argument("--heartbeat-timeout-ms", type=int, default=10000, help="lease length registered for the operation")
    parser.add_argument("--stale-demo", action="store_true", help="claim one task, let its lease expire, show that its token is refused")
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("--api-key (or BINDRAIL_API_KEY) is required")

    rail = Rail(args.url, args.api_key)
    if not args.no_register:
        Rail(args.url, args.register_key or args.api_key).register(args.heartbeat_timeout_ms)
        log("registered", TOOL + "." + OPERATION, "at", args.url)
    if args.stale_demo:
        return stale_demo(rail, args.wait_ms)

    state = {"busy": False, "stop": False}

    def on_signal(signum, _frame):
        # Idle (waiting in a claim): leave now. Busy: finish the task first, then leave.
        state["stop"] = True
        if not state["busy"]:
            raise Stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        while not state["stop"]:
            try:
                tasks = rail.claim(args.wait_ms)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
                log("rail unreachable, retrying in 1 s:", err)
                time.sleep(1)
                continue
            for task in tasks:
                state["busy"] = True
                try:
                    run_task(rail, task)
                finally:
                    state["busy"] = False
            if args.once and tasks:
                break
    except Stop:
        log("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

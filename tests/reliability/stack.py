"""The real HTTP stack for the reliability checks: gunicorn on loopback, clerks with
sessions, and a tiny HTTP client (the standard library's, no extra dependency)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn servicedesk.wsgi`` on 127.0.0.1 against ``database`` (a name on the
    embedded server, or a full ``database_url``)."""

    def __init__(self, *, database: str | None = None, database_url: str | None = None,
                 workers: int = 3, timeout: int = 30):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items()
               if k not in ("TEST_DATABASE_NAME", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
        # The test process's SECRET_KEY: the sessions it made must be valid here too.
        env.update(DEBUG="true", SECRET_KEY=settings.SECRET_KEY, CONN_MAX_AGE="0",
                   LOG_LEVEL="WARNING")
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env["DEV_DATABASE_NAME"] = database
        self.log = open(BASE_DIR / "test-artifacts" / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "servicedesk.wsgi", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", str(timeout),
             "--graceful-timeout", "5"],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self, seconds: float = 60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited {self.process.returncode}; see {self.log.name}")
            try:
                if self.request("GET", "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def request(self, method, path, *, data=None, cookies=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Host": "127.0.0.1"}
        body = None
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
            set_cookies = response.headers.get_all("Set-Cookie") or []
            return response.status, response.getheader("Location", ""), content, set_cookies
        finally:
            conn.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Session:
    """A signed-in user's cookies, made in-process (no password hashing over HTTP)."""

    def __init__(self, stack: Gunicorn, user):
        client = Client()
        client.force_login(user)
        self.stack = stack
        name = settings.SESSION_COOKIE_NAME
        self.cookies = {name: client.cookies[name].value}

    def get_form(self, path) -> dict:
        """GET a form page; return its hidden inputs (csrf token, idempotency key…)."""
        status, _, html, set_cookies = self.stack.request("GET", path, cookies=self.cookies)
        assert status == 200, (path, status)
        for header in set_cookies:
            name, _, rest = header.partition("=")
            if name == settings.CSRF_COOKIE_NAME:
                self.cookies[name] = rest.split(";")[0]
        hidden = {}
        for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                hidden[name[1]] = value[1] if value else ""
        return hidden

    def post(self, path, data, timeout=60):
        return self.stack.request("POST", path, data=data, cookies=self.cookies, timeout=timeout)

"""Production configuration as an operator meets it: `check --deploy` is clean with the
documented settings, and a missing secret or an unreachable database says so in one
paragraph instead of a traceback."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "servicedesk.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://servicedesk.example.com",
}


def manage(*args, **env):
    """Run manage.py in a subprocess with the given environment on top of ours.

    An empty value still overrides the repo's .env (read with overwrite=False)."""
    # Not inherited: the database choice, and what a test run sets for itself
    # (the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE would fail `check --deploy`).
    unset = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ,
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                    reason="checks the embedded-database configuration")
def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNINGS" not in output and "security.W" not in output, output


def test_check_deploy_flags_a_weak_secret_key():
    """The check above can fail: a short key is reported."""
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    SECRET_KEY="too-short", **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_missing_secret_key_in_production_is_explained():
    result = manage("check", SECRET_KEY="", **PRODUCTION_ENV)
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_gives_one_paragraph_not_a_traceback():
    result = manage("migrate", "--noinput", DEBUG="true", SECRET_KEY="x" * 50,
                    DATABASE_URL="postgres://u:s3cret-pw@127.0.0.1:1/x")
    assert result.returncode == 1
    message = result.stderr.strip()
    assert "Traceback" not in message
    assert "\n" not in message, message
    assert "127.0.0.1:1" in message and "Connection refused" in message
    assert "DATABASE_URL" in message
    assert "s3cret-pw" not in message


def test_embedded_server_failure_is_explained(monkeypatch, capsys):
    import importlib.util

    import django.core.management

    from servicedesk.devdb import EmbeddedDatabaseError

    spec = importlib.util.spec_from_file_location("manage_script", ROOT / "manage.py")
    manage_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(manage_script)

    def fail(argv):
        raise EmbeddedDatabaseError("Could not start the embedded PostgreSQL in .pgdata")

    monkeypatch.setattr(django.core.management, "execute_from_command_line", fail)
    monkeypatch.setattr(sys, "argv", ["manage.py", "migrate"])
    with pytest.raises(SystemExit) as exit_info:
        manage_script.main()
    assert exit_info.value.code == 1
    assert "Could not start the embedded PostgreSQL" in capsys.readouterr().err

"""Production settings behind TLS: one variable switches on HTTPS redirects, secure cookies, the
proxy's protocol header and HSTS, and ``jishiban check --deploy`` is then clean."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

ROOT = str(settings.BASE_DIR)


def _run(args, tmp_path, **environ):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "PYTHONPATH": ROOT,
           "DJANGO_SETTINGS_MODULE": "jishiban.settings", "SECRET_KEY": secrets.token_urlsafe(50),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "JISHIBAN_VAR_DIR": str(tmp_path),
           "ALLOWED_HOSTS": "12345.example.cn", **environ}
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_behind_tls(tmp_path):
    check = ["-m", "jishiban.cli", "check", "--deploy", "--fail-level", "WARNING"]
    result = _run(check, tmp_path, JISHIBAN_BEHIND_TLS="1")
    assert result.returncode != 0 and "jishiban.W011" in result.stderr  # static files not collected yet
    collected = _run(["-m", "jishiban.cli", "collectstatic", "--noinput", "-v0"], tmp_path)
    assert collected.returncode == 0, collected.stderr
    result = _run(check, tmp_path, JISHIBAN_BEHIND_TLS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_the_variable_check_deploy_names_what_is_missing(tmp_path):
    result = _run(["-m", "jishiban.cli", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


SHOWN = ["SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
         "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "JISHIBAN_PROXY_HOPS",
         "PASSWORD_HASHERS", "SESSION_COOKIE_AGE"]


def _production_settings(tmp_path, **environ) -> dict:
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{k: getattr(settings, k) for k in {SHOWN!r}}}))")
    result = _run(["-c", code], tmp_path, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_tls_switches_every_protection_on(tmp_path):
    values = _production_settings(tmp_path, JISHIBAN_BEHIND_TLS="1", JISHIBAN_HSTS_SECONDS="600")
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["JISHIBAN_PROXY_HOPS"] == 1


def test_production_hashes_passwords_with_argon2_and_sessions_time_out(tmp_path):
    values = _production_settings(tmp_path, JISHIBAN_SESSION_IDLE_MINUTES="20")
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert values["SESSION_COOKIE_AGE"] == 20 * 60
    assert values["SECURE_SSL_REDIRECT"] is False and values["JISHIBAN_PROXY_HOPS"] == 0


def test_the_test_settings_keep_the_fast_hasher():
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path):
    result = _run(["-c", "import django; django.setup()"], tmp_path, JISHIBAN_BEHIND_TLS="perhaps")
    assert result.returncode != 0 and "JISHIBAN_BEHIND_TLS" in result.stderr


TLS = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"), "SECURE_SSL_REDIRECT": True,
       "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_HSTS_SECONDS": 3600}


@pytest.mark.django_db
@override_settings(**TLS)
def test_plain_http_is_redirected_and_https_through_the_proxy_gets_hsts(client):
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=3600")
    assert "secure" in str(secure.cookies["csrftoken"]).lower()

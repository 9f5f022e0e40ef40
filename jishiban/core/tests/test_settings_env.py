"""Settings from the environment fail loudly on bad values, naming the variable."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from jishiban import env


@pytest.mark.parametrize(("func", "args", "value"), [
    (env.env_bool, ("X_FLAG",), "maybe"),
    (env.env_int, ("X_NUM", 1), "ten"),
    (env.env_timezone, ("X_TZ", "Asia/Shanghai"), "Mars/Olympus"),
    (env.env_database, ("X_DB", "sqlite:///x"), "mysql://root@localhost/x"),
    (env.env_database, ("X_DB", "sqlite:///x"), "not a url"),
])
def test_bad_values_name_the_variable(monkeypatch, func, args, value):
    monkeypatch.setenv(args[0], value)
    with pytest.raises(ImproperlyConfigured) as err:
        func(*args)
    assert args[0] in str(err.value)


def test_good_values_parse(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    monkeypatch.setenv("X_NUM", "7")
    monkeypatch.setenv("X_DB", "postgres://postgres@127.0.0.1:5432/jsb")
    assert env.env_bool("X_FLAG") is True and env.env_int("X_NUM", 1) == 7
    assert env.env_database("X_DB", "")["ENGINE"] == "django.db.backends.postgresql"


def test_sqlite_gets_wal_and_immediate_transactions(tmp_path):
    config = env.env_database("UNSET_DB_VAR", f"sqlite:///{tmp_path / 'a' / 'db.sqlite3'}")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert (tmp_path / "a").is_dir()


def _settings_in_subprocess(**environ):
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jishiban.settings'; django.setup()"
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run([sys.executable, "-c", code], env={**base, **environ}, capture_output=True, text=True,
                          timeout=60)


def test_without_a_secret_key_settings_load_but_the_web_application_refuses(tmp_path):
    assert _settings_in_subprocess(JISHIBAN_VAR_DIR=str(tmp_path)).returncode == 0
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE']='jishiban.settings'; import jishiban.wsgi"
    result = subprocess.run([sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin", "HOME": "/tmp",
                            "JISHIBAN_VAR_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_demo_generates_and_keeps_its_own_secret(tmp_path):
    assert _settings_in_subprocess(JISHIBAN_DEMO="1", JISHIBAN_VAR_DIR=str(tmp_path)).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _settings_in_subprocess(JISHIBAN_DEMO="1", JISHIBAN_VAR_DIR=str(tmp_path)).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_bad_language_code_refuses_to_start(tmp_path):
    result = _settings_in_subprocess(SECRET_KEY="k" * 40, LANGUAGE_CODE="fr", JISHIBAN_VAR_DIR=str(tmp_path))
    assert result.returncode != 0 and "LANGUAGE_CODE" in result.stderr

"""One settings layer: the environment wins over .env, .env is parsed like python-dotenv, one clear error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dotenv import dotenv_values

from jujube.config import ConfigError, Settings, _dotenv, load_settings

ROOT = Path(__file__).resolve().parents[2]

ENV_TEXT = """# Jujube settings
export RASA_PORT=6005
JUJUBE_MAX_QUESTIONS=2   # fewer questions
DATABASE_URL="postgresql+psycopg2://u:p#w@db/jujube"
JUJUBE_DASHBOARD_PASSWORD='two words # not a comment'
TELEGRAM_WEBHOOK_URL=
"""


def test_dotenv_file_with_export_quotes_and_comments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text(ENV_TEXT, encoding="utf-8")
    for name in ("RASA_PORT", "JUJUBE_MAX_QUESTIONS", "DATABASE_URL", "JUJUBE_DASHBOARD_PASSWORD", "RASA_URL"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(_env_file=env)
    assert (s.rasa_port, s.max_questions, s.rasa_url) == (6005, 2, "http://localhost:6005")
    assert s.database_url == "postgresql+psycopg2://u:p#w@db/jujube"
    assert s.dashboard_password == "two words # not a comment"
    assert s.telegram_webhook_url == ""
    # the reader used inside the Rasa server agrees with python-dotenv
    assert {k: v for k, v in _dotenv(env).items()} == {k: v or "" for k, v in dotenv_values(env).items()}
    monkeypatch.setenv("RASA_PORT", "7005")  # the environment wins
    assert Settings(_env_file=env).rasa_port == 7005


@pytest.mark.parametrize("name,value,says", [
    ("RASA_PORT", "abc", "RASA_PORT must be a port number"),
    ("DASHBOARD_PORT", "70000", "DASHBOARD_PORT must be a port number"),
    ("JUJUBE_MAX_QUESTIONS", "0", "JUJUBE_MAX_QUESTIONS must be a whole number greater than 0"),
    ("JUJUBE_DASHBOARD_SESSION_MINUTES", "1.5", "JUJUBE_DASHBOARD_SESSION_MINUTES must be a whole number"),
    ("TELEGRAM_RASA_TIMEOUT", "soon", "TELEGRAM_RASA_TIMEOUT must be seconds"),
    ("JUJUBE_DASHBOARD_SECURE_COOKIE", "maybe", "JUJUBE_DASHBOARD_SECURE_COOKIE must be true or false"),
])
def test_a_bad_value_is_one_clear_error(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({name: value})
    assert str(err.value).startswith(says) and repr(value) in str(err.value)


@pytest.mark.parametrize("command", [
    [str(ROOT / ".venv/bin/jujube"), "needs", "outbox"],
    [sys.executable, "-m", "jujube.dashboard"],
    [sys.executable, "-m", "bot"],
])
def test_every_entry_point_reports_a_bad_value_the_same_way(command: list[str], tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "RASA_PORT": "five", "HOME": str(tmp_path)}
    out = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "RASA_PORT must be a port number (1-65535), got 'five'" in out.stderr
    assert "Traceback" not in out.stderr

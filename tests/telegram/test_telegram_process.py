"""`python -m bot` as a process: missing or wrong token, and a clean stop on SIGTERM or Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fake_bot_api import FakeTelegram
from fake_rasa import FakeRasa

ROOT = Path(__file__).resolve().parents[2]
BOT_ENV_KEYS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_BASE_URL",
                "RASA_URL", "TELEGRAM_RASA_TIMEOUT", "TELEGRAM_WEBHOOK_LISTEN", "TELEGRAM_WEBHOOK_PORT")


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite needs log for the bot process (never the developer's own)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'jujube.db'}"
    jujube = Path(sys.executable).parent / "jujube"
    subprocess.run([str(jujube), "db", "upgrade"], env={**os.environ, "DATABASE_URL": url}, check=True,
                   capture_output=True, timeout=60)
    return url


def bot_env(**values: str) -> dict[str, str]:
    """The environment with every bot setting set explicitly (so a developer's .env cannot interfere)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({key: "" for key in BOT_ENV_KEYS})
    env.update(values)
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_bot(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_without_a_token_it_says_how_to_get_one_and_exits_2() -> None:
    result = run_bot(bot_env())
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]


def test_a_token_telegram_refuses_exits_2(fake_tg: FakeTelegram) -> None:
    result = run_bot(bot_env(TELEGRAM_BOT_TOKEN="1:not-the-token", TELEGRAM_API_BASE_URL=fake_tg.url))
    assert result.returncode == 2
    assert "refused TELEGRAM_BOT_TOKEN" in result.stderr
    assert "1:not-the-token" not in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_polls_answers_and_stops_cleanly_on_a_signal(
    fake_tg: FakeTelegram, fake_rasa: FakeRasa, database_url: str, signum: Any
) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN=fake_tg.token, TELEGRAM_API_BASE_URL=fake_tg.url, RASA_URL=fake_rasa.url,
                  TELEGRAM_POLL_TIMEOUT="1", DATABASE_URL=database_url)
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        fake_tg.wait("getUpdates", timeout=60)
        assert {c["command"] for c in fake_tg.commands} >= {"start", "help", "restart", "forget"}
        since = fake_tg.mark()
        fake_tg.send_text(99, "Do you have dates?")
        fake_tg.wait("sendMessage", since=since, timeout=30)
        assert fake_tg.texts(99, since) == ["You said: Do you have dates?"]
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "shutting down" in err and "Traceback" not in err
    assert fake_tg.token not in err  # request URLs (with the token) are not logged

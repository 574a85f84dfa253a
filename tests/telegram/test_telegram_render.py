"""Rendering Rasa replies (splitting, escaping, buttons) and reading the settings."""
from __future__ import annotations

import pytest

from bot.config import MISSING_TOKEN, load_settings
from bot.errors import ConfigError
from bot.render import ButtonStore, keyboard, render, split_text, to_html, utf16_len
from telegram_rules import check_html


def test_split_keeps_every_part_under_the_limit_counting_utf16() -> None:
    text = "🥝" * 5000  # 10000 UTF-16 units, 5000 code points
    parts = split_text(text)
    assert [utf16_len(p) for p in parts] == [4096, 4096, 1808]
    assert "".join(parts) == text


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    para = "word " * 300
    text = f"{para.strip()}\n\n{para.strip()}"
    assert split_text(text, 2000) == [para.strip(), para.strip()]
    lines = "\n".join(f"line {i} of the list" for i in range(200))
    parts = split_text(lines, 1000)
    assert all(p.startswith("line ") and p.endswith("of the list") for p in parts)
    assert "\n".join(parts) == lines
    assert all(utf16_len(p) <= 1000 for p in parts)


def test_split_of_short_and_empty_text() -> None:
    assert split_text("  hello  ") == ["hello"]
    assert split_text("") == [] and split_text("   ") == []
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904]


def test_html_escapes_everything_and_keeps_bold() -> None:
    text = "**Sour jujubes** <b>not bold</b> & **x** 2 < 3 **"
    rendered = to_html(text)
    assert rendered == "<b>Sour jujubes</b> &lt;b&gt;not bold&lt;/b&gt; &amp; <b>x</b> 2 &lt; 3 **"
    assert check_html(rendered) == "Sour jujubes <b>not bold</b> & x 2 < 3 **"


def test_button_store_fits_callback_data_in_64_bytes_and_decodes_it() -> None:
    store = ButtonStore(capacity=2)
    short, long_ = "/affirm", '/inform{"recipient": "daughter-in-law", "situation": "pregnant"}' + "é" * 10
    assert store.encode(short) == "p:/affirm" and store.decode("p:/affirm") == short
    data = store.encode(long_)
    assert data.startswith("h:") and len(data.encode()) <= 64
    assert store.decode(data) == long_
    assert store.encode(long_) == data  # stable
    assert store.decode("h:unknown") is None
    store.encode(long_ + "1")
    store.encode(long_ + "2")
    assert store.decode(data) is None  # the oldest was evicted


def test_keyboard_layout_and_render_order() -> None:
    store = ButtonStore()
    short = keyboard([{"title": t, "payload": f"/{t}"} for t in ("yes", "no", "maybe", "later")], store)
    assert [[b.text for b in row] for row in short.inline_keyboard] == [["yes", "no", "maybe"], ["later"]]
    wide = keyboard([{"title": "Something sour for my daughter-in-law", "payload": "/a"}, {"title": "b", "payload": "/b"}], store)
    assert [len(row) for row in wide.inline_keyboard] == [1, 1]
    assert keyboard([{"nothing": 1}], store) is None
    out = render([{"text": "Look:", "image": "https://x/kiwi.jpg"}, {"buttons": [{"title": "Yes", "payload": "/affirm"}]},
                  {"custom": {"kind": "ignored"}}], store, "Please choose:")
    assert [(o.photo, o.text, bool(o.keyboard)) for o in out] == [
        ("https://x/kiwi.jpg", "", False), (None, "Look:", False), (None, "Please choose:", True)]


def test_settings_need_a_token_and_explain_how_to_get_one() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({})
    assert "@BotFather" in str(err.value) and "\n" not in str(err.value)
    assert str(err.value) == MISSING_TOKEN


def test_settings_defaults_and_overrides() -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": "1:a"})
    assert (s.rasa_url, s.rasa_timeout, s.webhook_url, s.webhook_listen, s.webhook_port) == (
        "http://localhost:5005", 10.0, None, "127.0.0.1", 8443)
    assert s.bot_base_url == "https://api.telegram.org/bot"
    s = load_settings({"TELEGRAM_BOT_TOKEN": "1:a", "RASA_URL": "http://rasa:5005/", "TELEGRAM_RASA_TIMEOUT": "2.5",
                       "TELEGRAM_WEBHOOK_URL": "https://shop.example/tg/hook", "TELEGRAM_WEBHOOK_PORT": "9000",
                       "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081"})
    assert (s.rasa_url, s.rasa_timeout, s.webhook_path, s.webhook_port) == ("http://rasa:5005", 2.5, "/tg/hook", 9000)
    assert (s.bot_base_url, s.file_base_url) == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")


@pytest.mark.parametrize("env", [
    {"TELEGRAM_WEBHOOK_SECRET": "has spaces"},
    {"TELEGRAM_WEBHOOK_SECRET": "x" * 257},
    {"TELEGRAM_RASA_TIMEOUT": "soon"},
    {"TELEGRAM_WEBHOOK_PORT": "-1"},
    {"TELEGRAM_WEBHOOK_URL": "shop.example/hook"},
])
def test_bad_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:a", **env})

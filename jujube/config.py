"""Every setting of Jujube, in one place: environment variables, then the project's `.env` file.

One table (`FIELDS`) names each setting, its environment variable, its type and its
default; `.env.example` documents them. In the light environment the settings are a
pydantic-settings model (python-dotenv parses `.env`: quotes, `export`, inline comments);
inside the Rasa server, whose pinned pydantic is older, the same table is read with the
same `.env` rules. A bad value stops the program with one clear `ConfigError` naming the
variable, whichever part reads it.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

from jujube import JujubeError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = PROJECT_ROOT / ".env"


class ConfigError(JujubeError):
    """A setting is missing or has a value Jujube cannot use."""


def default_database_url() -> str:
    """SQLite file under var/ in the project."""
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'jujube.db'}"


# field name: (environment variable, type, default, what a good value looks like)
FIELDS: dict[str, tuple[str, str, Any, str]] = {
    # needs log and conversations
    "database_url": ("DATABASE_URL", "str", None, "an SQLAlchemy URL"),
    "outbox_path": ("JUJUBE_OUTBOX", "path", PROJECT_ROOT / "var" / "outbox.jsonl", "a file path"),
    "db_timeout": ("JUJUBE_DB_TIMEOUT", "pos_float", 1.0, "seconds, a number greater than 0"),
    # assistant
    "rasa_port": ("RASA_PORT", "port", 5005, "a port number (1-65535)"),
    "actions_port": ("ACTIONS_PORT", "port", 5055, "a port number (1-65535)"),
    "rasa_url": ("RASA_URL", "str", None, "a URL such as http://localhost:5005"),
    "knowledge_dir": ("JUJUBE_KNOWLEDGE_DIR", "path", PROJECT_ROOT / "knowledge", "a folder path"),
    "max_questions": ("JUJUBE_MAX_QUESTIONS", "pos_int", 4, "a whole number greater than 0"),
    "log_level": ("LOG_LEVEL", "str", "INFO", "DEBUG, INFO, WARNING or ERROR"),
    # Telegram
    "telegram_bot_token": ("TELEGRAM_BOT_TOKEN", "str", "", "the token from @BotFather"),
    "telegram_webhook_url": ("TELEGRAM_WEBHOOK_URL", "str", "", "an https:// URL"),
    "telegram_webhook_listen": ("TELEGRAM_WEBHOOK_LISTEN", "str", "127.0.0.1", "an address to listen on"),
    "telegram_webhook_port": ("TELEGRAM_WEBHOOK_PORT", "port", 8443, "a port number (1-65535)"),
    "telegram_webhook_secret": ("TELEGRAM_WEBHOOK_SECRET", "str", "", "1-256 characters A-Z, a-z, 0-9, _ and -"),
    "telegram_api_base_url": ("TELEGRAM_API_BASE_URL", "str", "", "a URL"),
    "telegram_rasa_timeout": ("TELEGRAM_RASA_TIMEOUT", "pos_float", 10.0, "seconds, a number greater than 0"),
    "telegram_poll_timeout": ("TELEGRAM_POLL_TIMEOUT", "pos_float", 10.0, "seconds, a number greater than 0"),
    # managers' dashboard
    "dashboard_password": ("JUJUBE_DASHBOARD_PASSWORD", "str", "", "a password"),
    "dashboard_token": ("JUJUBE_DASHBOARD_TOKEN", "str", "", "a token"),
    "dashboard_secret": ("JUJUBE_DASHBOARD_SECRET", "str", "", "a long random string"),
    "dashboard_session_minutes": ("JUJUBE_DASHBOARD_SESSION_MINUTES", "pos_int", 480, "a whole number greater than 0"),
    "dashboard_secure_cookie": ("JUJUBE_DASHBOARD_SECURE_COOKIE", "bool", False, "true or false"),
    "dashboard_host": ("DASHBOARD_HOST", "str", "127.0.0.1", "an address to listen on"),
    "dashboard_port": ("DASHBOARD_PORT", "port", 8050, "a port number (1-65535)"),
}

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _convert(kind: str, raw: Any) -> Any:
    """`raw` (text from the environment, or a value) as `kind`; ValueError when it cannot be."""
    if kind == "str":
        return str(raw).strip()
    if kind == "path":
        return Path(str(raw).strip()).expanduser()
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(raw)
    if kind in ("pos_int", "port"):
        if isinstance(raw, bool) or not re.fullmatch(r"\s*\+?\d+\s*", str(raw)):
            raise ValueError(raw)
        number = int(str(raw))
        if number < 1 or (kind == "port" and number > 65535):
            raise ValueError(raw)
        return number
    if kind == "pos_float":
        number = float(str(raw))
        if not number > 0 or number == float("inf"):
            raise ValueError(raw)
        return number
    raise AssertionError(kind)


def _bad(field: str, raw: Any) -> ConfigError:
    env, _kind, _default, good = FIELDS[field]
    return ConfigError(f"{env} must be {good}, got {str(raw)!r}")


class _Derived:
    """Values computed from other settings."""

    rasa_port: int
    knowledge_dir: Path

    @property
    def catalog_path(self) -> Path:
        """Where the shop's catalog lives."""
        return self.knowledge_dir / "catalog.yml"

    @property
    def lexicon_path(self) -> Path:
        """Where the needs lexicon lives."""
        return self.knowledge_dir / "lexicon.yml"


def _finish(values: dict[str, Any]) -> dict[str, Any]:
    values["database_url"] = values.get("database_url") or default_database_url()
    values["rasa_url"] = (values.get("rasa_url") or f"http://localhost:{values['rasa_port']}").rstrip("/")
    return values


def _dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file: `export`, quotes and inline ` #` comments as python-dotenv reads them."""
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("export "):
            line = line[7:].lstrip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if value[:1] in ("'", '"') and value[1:].find(value[0]) >= 0:
            value = value[1:1 + value[1:].find(value[0])]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        out[key.strip()] = value
    return out


try:  # the light environment: pydantic 2 with pydantic-settings
    from pydantic import Field, ValidationError, field_validator
    from pydantic_settings import BaseSettings, SettingsConfigDict

    _KINDS = {"str": str, "path": Path, "bool": bool, "pos_int": int, "port": int, "pos_float": float}

    class _Model(_Derived, BaseSettings):  # type: ignore[misc]
        model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", env_ignore_empty=True,
                                          extra="ignore", frozen=True, populate_by_name=True)

        @field_validator("*", mode="before")
        @classmethod
        def _typed(cls, value: Any, info: Any) -> Any:
            field = info.field_name
            if value is None or value == "":
                default = FIELDS[field][2]
                return default
            try:
                return _convert(FIELDS[field][1], value)
            except (ValueError, TypeError):
                raise _bad(field, value) from None

        def model_post_init(self, __context: Any) -> None:
            """Fill the values that default to other settings."""
            for key, value in _finish({"database_url": self.database_url, "rasa_url": self.rasa_url,
                                       "rasa_port": self.rasa_port}).items():
                object.__setattr__(self, key, value)

    _annotations = {name: Optional[_KINDS[kind]] for name, (_env, kind, _d, _g) in FIELDS.items()}
    Settings = type("Settings", (_Model,), {
        "__annotations__": _annotations,
        "__doc__": "Every setting Jujube reads; see `.env.example`.",
        "__module__": __name__,
        **{name: Field(default=default, validation_alias=env) for name, (env, _k, default, _g) in FIELDS.items()},
    })

    def _build(env: Optional[Mapping[str, str]]) -> Any:
        try:
            if env is None:
                return Settings()
            return Settings.model_validate({k: v for k, v in env.items() if k in _ENV_NAMES and str(v).strip()})
        except ValidationError as exc:
            cause = exc.errors()[0]
            ctx = (cause.get("ctx") or {}).get("error")
            if isinstance(ctx, ConfigError):
                raise ctx from None
            raise ConfigError(f"{cause.get('loc')}: {cause.get('msg')}") from None

except ImportError:  # inside the Rasa server (pydantic 1): the same table, the same .env rules
    from types import SimpleNamespace

    class Settings(_Derived, SimpleNamespace):  # type: ignore[no-redef]
        """Every setting Jujube reads; see `.env.example`."""

    def _build(env: Optional[Mapping[str, str]]) -> Any:
        source = env if env is not None else {**_dotenv(ENV_FILE), **os.environ}
        values: dict[str, Any] = {}
        for field, (name, kind, default, _good) in FIELDS.items():
            raw = str(source.get(name, "") or "").strip()
            try:
                values[field] = _convert(kind, raw) if raw else default
            except (ValueError, TypeError):
                raise _bad(field, raw) from None
        return Settings(**_finish(values))


_ENV_NAMES = {env for env, *_ in FIELDS.values()}


def load_settings(env: Optional[Mapping[str, str]] = None) -> Any:
    """Settings from `env` (a mapping of environment variables), or from the environment and `.env`."""
    return _build(env)


@lru_cache(maxsize=1)
def get_settings() -> Any:
    """The process's settings, read once."""
    return _build(None)

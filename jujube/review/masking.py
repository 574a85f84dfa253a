"""Masking of phone numbers and e-mail addresses that shoppers typed."""
from __future__ import annotations

import logging
import re
from typing import Any, Iterator

logger = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"(?<![\w.+-])([\w.+-]{1,64})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# A phone number: 7 to 15 digits, optionally led by + and split by spaces, dots, dashes or brackets
# (full-width ones too). Only Latin letters and digits count as "inside a word": Chinese text
# runs straight into numbers ("手机13800138000"), so a CJK neighbour must not hide one.
_SEP = r"[\s.\-()\uff08\uff09\uff0d\u2010-\u2015]"
PHONE_RE = re.compile(
    rf"(?<![A-Za-z0-9_.+])(\+?[(\uff08]?\d(?:{_SEP}{{0,2}}\d){{6,14}})(?![A-Za-z_.]*\d)(?![A-Za-z])"
)

# Cheap first test: anything that could be an e-mail address or a phone number.
MAYBE_CONTACT = re.compile(rf"@|\d(?:{_SEP}{{0,2}}\d){{6}}")

# Free-text fields of a need record that may hold what a shopper typed.
TEXT_FIELDS = ("stated_request", "underlying_need", "recipient", "situation", "occasion")


def _mask_email(match: re.Match[str]) -> str:
    local, domain = match.group(1), match.group(2)
    tld = domain.rsplit(".", 1)[-1]
    return f"{local[0]}***@***.{tld}"


DATE_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def _mask_phone(match: re.Match[str]) -> str:
    if DATE_RE.fullmatch(match.group(1)):
        return match.group(1)
    digits = re.sub(r"\D", "", match.group(1))
    lead = "+" if match.group(1).startswith("+") else ""
    return f"{lead}***{digits[-2:]}"


def mask_text(text: str | None) -> str | None:
    """`text` with e-mail addresses and phone numbers replaced by a masked form."""
    if not text:
        return text
    masked = EMAIL_RE.sub(_mask_email, text)
    return PHONE_RE.sub(_mask_phone, masked)


def has_contact(text: str | None) -> bool:
    """True when `text` holds something that looks like a phone number or an e-mail address."""
    return bool(text) and mask_text(text) != text


def mask_value(value: Any) -> Any:
    """Strings inside `value` (nested lists and dicts too) masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def mask_record(record: dict[str, Any]) -> dict[str, Any]:
    """An export record with contact details masked in its free-text parts (ids stay as they are).

    The record itself is returned when there is nothing to mask; otherwise a masked copy.
    """
    texts = [record.get(k) or "" for k in TEXT_FIELDS] + list(_strings(record.get("needs")))
    if not MAYBE_CONTACT.search("\n".join(t for t in texts if isinstance(t, str))):
        return record
    out = dict(record)
    for key in TEXT_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = mask_text(out[key])
    if "needs" in out:
        out["needs"] = mask_value(out["needs"])
    return out

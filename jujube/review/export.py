"""Writing need records as JSON Lines (the contract's format) and as CSV."""
from __future__ import annotations

import csv
import json
import logging
from typing import Any, Iterable, Iterator, TextIO

logger = logging.getLogger(__name__)

CSV_COLUMNS = (
    "id", "conversation_id", "discovery_id", "discovery_no", "channel", "language", "captured_at", "updated_at",
    "stated_request", "underlying_need", "recipient", "situation", "occasion",
    "functional", "formal", "emotional", "price_max", "price_currency", "price_sensitivity", "price_note",
    "recommendations", "chosen_sku", "outcome", "unmet",
)
LIST_SEP = "; "
# Spreadsheets run cells that start with these as formulas.
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def jsonl_line(record: dict[str, Any]) -> str:
    """One record as one line of JSON Lines."""
    return json.dumps(record, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEAD) else text


def _items(value: Any) -> str:
    if isinstance(value, list):
        return LIST_SEP.join(str(v) for v in value)
    return "" if value is None else str(value)


def _recommendation(rec: dict[str, Any]) -> str:
    price = rec.get("price")
    name = rec.get("name") or rec.get("sku") or "?"
    return f"{name} ({rec.get('sku', '')}, {price})" if price is not None else f"{name} ({rec.get('sku', '')})"


def csv_row(record: dict[str, Any]) -> list[str]:
    """The CSV cells of one export record (lists joined with '; ', formula-like text guarded)."""
    needs = record.get("needs") or {}
    price = needs.get("price") or {}
    flat = {
        **{k: record.get(k) for k in CSV_COLUMNS if k in record},
        "functional": _items(needs.get("functional")),
        "formal": _items(needs.get("formal")),
        "emotional": _items(needs.get("emotional")),
        "price_max": price.get("max"),
        "price_currency": price.get("currency"),
        "price_sensitivity": price.get("sensitivity"),
        "price_note": price.get("note"),
        "recommendations": LIST_SEP.join(_recommendation(r) for r in record.get("recommendations") or []),
    }
    return [_cell(flat.get(col)) for col in CSV_COLUMNS]


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write records as JSON Lines; returns how many."""
    n = 0
    for record in records:
        out.write(jsonl_line(record))
        n += 1
    return n


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write records as CSV with a header row; returns how many."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for record in records:
        writer.writerow(csv_row(record))
        n += 1
    return n


class _Line:
    """A file-like object that keeps the last write (for streaming CSV row by row)."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, text: str) -> int:
        self.value = text
        return len(text)


def iter_csv(records: Iterable[dict[str, Any]], rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks of rows (header first), for streaming responses."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    chunk = [line.value]
    for record in records:
        writer.writerow(csv_row(record))
        chunk.append(line.value)
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)

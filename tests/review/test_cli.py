"""`jujube needs ...` on a seeded needs log."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jujube.cli.main import main
from jujube.db.needs import iter_needs
from jujube.db.session import get_sessionmaker

from .data import CONTACT_ID, JUJUBE_ID, SEEDED

ROOT = Path(__file__).resolve().parents[2]
TOTAL = SEEDED + 4


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in this process; returns (exit code, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_is_a_readable_table(capsys, seeded_url) -> None:
    code, out, err = run(capsys, "needs", "list", "--url", seeded_url, "--unmet", "--per-page", "5")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["ID", "CAPTURED", "CHANNEL", "LANG", "ASKED"]
    assert len(lines) == 2 + 5 + 1
    assert all(line.rstrip().endswith("yes") for line in lines[2:7])
    assert "of" in lines[-1] and "next: --page 2" in lines[-1]


def test_list_filters_and_empty_result(capsys, seeded_url) -> None:
    code, out, _ = run(capsys, "needs", "list", "--url", seeded_url, "--conversation", JUJUBE_ID)
    assert code == 0 and "dates" in out and "1-1 of 1 needs" in out
    code, out, _ = run(capsys, "needs", "list", "--url", seeded_url, "-k", "nothing like this")
    assert code == 0 and out.strip() == "No needs match."


@pytest.mark.parametrize("argv,message", [
    (["list", "--outcome", "sold"], "unknown outcome 'sold'"),
    (["list", "--since", "last week"], "since wants a date"),
    (["list", "--sort", "price"], "cannot sort by 'price'"),
    (["list", "--page", "0"], "page numbers start at 1"),
    (["stats", "--dimension", "taste"], "unknown dimension 'taste'"),
    (["stats", "--top", "0"], "--top must be between 1 and 100"),
    (["export", "--until", "2026-99-01"], "until wants a date"),
    (["show", "424242"], "no need with id 424242"),
])
def test_bad_input_gives_a_clear_error(capsys, seeded_url, argv, message) -> None:
    code, out, err = run(capsys, "needs", *argv, "--url", seeded_url)
    assert code == 2 and out == ""
    assert err.startswith("jujube: ") and message in err


def test_show_rejects_a_non_numeric_id(capsys, seeded_url) -> None:
    code, out, err = run(capsys, "needs", "show", "tg:1001", "--url", seeded_url)
    assert code == 2 and "a need id is a number" in err


def test_missing_schema_is_explained(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "needs", "list", "--url", f"sqlite:///{tmp_path / 'blank.db'}")
    assert code == 2 and "jujube db upgrade" in err


def _need_id(seeded_url: str, conversation: str) -> int:
    return next(r["id"] for r in iter_needs(get_sessionmaker(seeded_url), conversation_id=conversation))


def test_show_prints_card_and_transcript(capsys, seeded_url) -> None:
    code, out, _ = run(capsys, "needs", "show", str(_need_id(seeded_url, JUJUBE_ID)), "--url", seeded_url)
    assert code == 0
    assert "Asked for   dates" in out
    assert "Needed      something sour for a pregnant daughter-in-law's cravings" in out
    assert "Functional  sour taste; safe during pregnancy" in out
    assert "Price       up to 50 CNY (medium sensitivity; around 50)" in out
    assert "Green kiwi fruit (FR-KIWI-GRN) 28.00: tangy, rich in folate  [chosen]" in out
    assert "shopper: My daughter-in-law is pregnant and craves something sour." in out


def test_show_masks_contacts_unless_revealed(capsys, seeded_url) -> None:
    need_id = str(_need_id(seeded_url, CONTACT_ID))
    _, out, _ = run(capsys, "needs", "show", need_id, "--url", seeded_url)
    assert "138 0013 8000" not in out and "li.wei@example.com" not in out
    assert "add --reveal" in out
    _, out, _ = run(capsys, "needs", "show", need_id, "--url", seeded_url, "--reveal")
    assert "+86 138 0013 8000" in out and "li.wei@example.com" in out


def test_stats_text_and_json(capsys, seeded_url) -> None:
    code, out, _ = run(capsys, "needs", "stats", "--url", seeded_url, "--top", "3")
    assert code == 0
    assert f"Needs: {TOTAL}" in out
    assert "dates -> something sour for a pregnant daughter-in-law's cravings" in out
    assert "Top unmet requests (what to stock next)" in out
    code, out, _ = run(capsys, "needs", "stats", "--url", seeded_url, "--json", "--unmet")
    data = json.loads(out)
    assert data["total"] == data["unmet"] > 0
    assert data["top_unmet"][0]["count"] >= data["top_unmet"][-1]["count"]
    assert set(data["dimension_shares"]) == {"functional", "formal", "emotional", "price"}


def test_export_jsonl_and_csv(capsys, seeded_url, tmp_path) -> None:
    code, out, err = run(capsys, "needs", "export", "--url", seeded_url, "--unmet", "--no-progress")
    assert code == 0 and err == ""
    records = [json.loads(line) for line in out.splitlines()]
    assert records and all(r["unmet"] for r in records)
    target = tmp_path / "needs.csv"
    code, out, err = run(capsys, "needs", "export", "--url", seeded_url, "--format", "csv", "-o", str(target),
                         "--progress")
    assert code == 0 and out == ""
    assert "need" in err  # the progress bar, on stderr only
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == TOTAL


def test_export_command_prints_only_json_lines(seeded_url) -> None:
    """The contract's command, as outside scripts run it: stdout is JSON Lines and nothing else."""
    env = {**os.environ, "DATABASE_URL": seeded_url}
    proc = subprocess.run(
        [sys.executable, "-m", "jujube.cli.main", "needs", "export", "--format", "jsonl", "--conversation", JUJUBE_ID,
         "--since", "2026-11-19T00:00:00Z"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["conversation_id"] == JUJUBE_ID and record["stated_request"] == "dates"
    assert record["needs"]["price"] == {"max": 50, "currency": "CNY", "sensitivity": "medium", "note": "around 50"}
    assert lines[0] == json.dumps(next(iter_needs(get_sessionmaker(seeded_url), conversation_id=JUJUBE_ID)),
                                  ensure_ascii=False)


def test_seed_command(capsys, empty_url) -> None:
    code, out, err = run(capsys, "needs", "seed", "--url", empty_url, "--count", "40", "--no-progress")
    assert code == 0 and out == "" and "added 40 synthetic needs" in err
    code, out, _ = run(capsys, "needs", "stats", "--url", empty_url, "--json")
    assert json.loads(out)["total"] == 40

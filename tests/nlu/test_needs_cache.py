"""`make train` writes a need classifier the Rasa server can read (no retraining at every start)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from jujube.nlu.needs import NeedClassifier

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [("my mum can't sleep at night", ["situation:sleepless"]),
            ("she lies awake for hours", ["situation:sleepless"]),
            ("he has diabetes", ["situation:diabetic"]),
            ("my dad watches his blood sugar", ["situation:diabetic"]),
            ("just some fruit", []), ("do you have dates", [])]


def test_the_trained_classifier_is_read_back_in_another_process(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge, ignore=shutil.ignore_patterns("needs_training.yml"))
    (knowledge / "needs_training.yml").write_text(yaml.safe_dump(
        {"examples": [{"text": t, "needs": n} for t, n in EXAMPLES]}), encoding="utf-8")
    env = {**os.environ, "JUJUBE_KNOWLEDGE_DIR": str(knowledge), "JUJUBE_NEEDS_CACHE": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-m", "jujube.nlu.needs"], cwd=ROOT, env=env, check=True, timeout=300,
                   capture_output=True)
    [cached] = (tmp_path / "cache").glob("needs-*.pkl")
    classifier = NeedClassifier.load(cached)  # in this process, as the Rasa server does
    assert "situation:sleepless" in classifier.predict("my mum can't sleep at night")

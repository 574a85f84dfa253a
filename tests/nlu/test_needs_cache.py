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


def test_the_fast_transform_gives_scikit_learns_figures() -> None:
    """Counting each message's terms against the vocabularies gives what the TF-IDF vectorizers give."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    from jujube.nlu.needs import _fast_transform

    texts = ["my mum can't sleep at night", "HE has Diabetes!!", "", "😀😀", "老板，有枣吗？给我婆婆买的", "kiwis pls",
             "sleep sleep sleep at night night", "just some fruit, do you have dates, dates and more dates"]
    unions = [NeedClassifier.train(EXAMPLES * 3, chars=chars).vectorizer for chars in ((2, 5), (1, 4))]
    plain = make_union(TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)),
                       TfidfVectorizer(norm=None, sublinear_tf=True))
    unions.append(plain.fit([t for t, _ in EXAMPLES] + texts[:2]))
    for union in unions:
        fast = _fast_transform(union)
        assert fast != union.transform  # the fast path is the one tested
        got, expected = fast(texts).toarray(), union.transform(texts).toarray()
        assert got.shape == expected.shape and np.allclose(got, expected, rtol=0, atol=1e-12)

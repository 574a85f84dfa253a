"""A character n-gram softmax model of trainee messages: robust to typos ("budjet", "whos it for")."""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

CHAR_SIZES = (2, 3, 4, 5)
STEPS = 250
RATE = 0.05
L2 = 1e-4
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")


def features(text: str) -> set[str]:
    """Word unigrams and bigrams, and character n-grams of each word with its boundaries."""
    toks = _TOKEN.findall(text.lower().replace("’", "'"))
    out = {f"w:{t}" for t in toks}
    out |= {f"b:{a} {b}" for a, b in zip(["^", *toks], [*toks, "$"])}
    for t in toks:
        padded = f"<{t.replace(chr(39), '')}>"
        for n in CHAR_SIZES:
            out |= {f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)}
    return out


class NgramModel:
    """Multinomial logistic regression over binary, length-normalised n-gram features."""

    def __init__(self, labels: list[str], index: dict[str, int], weights: np.ndarray, bias: np.ndarray) -> None:
        self.labels = labels
        self.index = index
        self.weights = weights
        self.bias = bias

    def _row(self, text: str) -> tuple[np.ndarray, float]:
        cols = np.fromiter((self.index[f] for f in features(text) if f in self.index), dtype=np.int64)
        return cols, (1.0 / np.sqrt(len(cols)) if len(cols) else 0.0)

    @classmethod
    def train(cls, examples: list[tuple[str, str]], seed: int = 7) -> "NgramModel":
        """Fit on (text, label) pairs with full-batch Adam."""
        labels = sorted({lab for _, lab in examples})
        feats = [features(t) for t, _ in examples]
        index = {f: i for i, f in enumerate(sorted({f for fs in feats for f in fs}))}
        x = np.zeros((len(examples), len(index)), dtype=np.float32)
        for r, fs in enumerate(feats):
            cols = [index[f] for f in fs]
            x[r, cols] = 1.0 / np.sqrt(len(cols)) if cols else 0.0
        y = np.zeros((len(examples), len(labels)), dtype=np.float32)
        y[np.arange(len(examples)), [labels.index(lab) for _, lab in examples]] = 1.0
        rng = np.random.default_rng(seed)
        w = (rng.standard_normal((len(index), len(labels))) * 0.01).astype(np.float32)
        b = np.zeros(len(labels), dtype=np.float32)
        moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
        for step in range(1, STEPS + 1):
            p = _softmax(x @ w + b)
            grad = (p - y) / len(examples)
            gw, gb = x.T @ grad + L2 * w, grad.sum(axis=0)
            for param, g, m, v in ((w, gw, moments[0], moments[1]), (b, gb, moments[2], moments[3])):
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                param -= RATE * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        return cls(labels, index, w, b)

    def scores(self, text: str) -> dict[str, float]:
        """Probability of each label."""
        cols, norm = self._row(text)
        logits = self.bias + (self.weights[cols].sum(axis=0) * norm if len(cols) else 0.0)
        return {lab: float(p) for lab, p in zip(self.labels, _softmax(logits[None, :])[0])}

    def save(self, folder: Path) -> None:
        """Write weights and feature index into a folder."""
        np.savez_compressed(folder / "ngrams.npz", weights=self.weights, bias=self.bias)
        (folder / "ngrams.json").write_text(json.dumps({"labels": self.labels, "features": sorted(
            self.index, key=self.index.__getitem__)}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "NgramModel":
        """Read a model written by `save`."""
        meta = json.loads((folder / "ngrams.json").read_text(encoding="utf-8"))
        arrays = np.load(folder / "ngrams.npz")
        return cls(meta["labels"], {f: i for i, f in enumerate(meta["features"])}, arrays["weights"],
                   arrays["bias"])


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)

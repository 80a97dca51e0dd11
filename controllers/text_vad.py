"""A small text -> valence/arousal/dominance regressor trained on EmoBank.

EmoBank: S. Buechel and U. Hahn, "EmoBank: Studying the Impact of Annotation Perspective and
Representation Format on Dimensional Emotion Analysis", EACL 2017 (CC BY-SA 4.0). 10k English
sentences rated 1..5 for valence, arousal and dominance.

The model is TF-IDF over word unigrams, bigrams and character n-grams followed by a ridge regression, trained by
``python -m controllers.train_text_model`` (``make train-text``). The weights ship as a plain
``.npz`` (vocabulary, idf, coefficients; no pickled objects) under ``assets/text_vad/`` and are
read lazily, once. Inference is numpy only.

Two uses: words of a description that the lexicon lacks, and the "auto" mode that infers the
emotion of a script line from its own words. EmoBank ratings cluster tightly around the scale's
middle (standard deviation about 0.2-0.35 on 1..5), so predictions are standardised with the
training ratings' mean and spread and scaled by :data:`Z_TO_VAD`: a sentence two standard
deviations above the mean lands at +0.7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from controllers.assets import asset_path

#: Weights file under ``assets/``.
MODEL_FILE = ("text_vad", "emobank_ridge.npz")

#: [-1, 1] units per standard deviation of the EmoBank ratings.
Z_TO_VAD = 0.35

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept inside words)."""
    return _TOKEN.findall(text.lower())


def ngrams(text: str) -> list[str]:
    """The model's features: word unigrams and bigrams (bigrams joined by a space), and the
    character 3-, 4- and 5-grams of each word with ``<`` ``>`` marking its ends, prefixed ``#``
    (they let an unseen inflection such as "ruined" borrow from "ruin")."""
    tokens = tokenize(text)
    grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    for token in tokens:
        w = f"<{token}>"
        grams += ["#" + w[i:i + n] for n in (3, 4, 5) for i in range(len(w) - n + 1)]
    return grams


@dataclass(frozen=True)
class TextVADPrediction:
    """A prediction for one text."""

    vad: tuple[float, float, float]
    """(valence, arousal, dominance), each in [-1, 1] after standardising (see module doc)."""
    z: tuple[float, float, float]
    """The same in standard deviations of the EmoBank ratings from their mean."""
    known_words: tuple[str, ...]
    """Tokens of the text that are in the model's vocabulary (evidence; empty for gibberish)."""
    strongest: tuple[str, ...]
    """Up to three features that moved the prediction most (for explanations)."""


class TextVADModel:
    """TF-IDF + ridge regressor; ``TextVADModel.load()`` reads the shipped weights once."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, label_mean: np.ndarray, label_std: np.ndarray) -> None:
        """``idf``: (n_features,); ``coef``: (3, n_features); others (3,) on EmoBank's 1..5 scale."""
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.label_mean = label_mean.astype(np.float32)
        self.label_std = label_std.astype(np.float32)

    @classmethod
    def load(cls, path: Path | None = None) -> TextVADModel:
        """The ridge model from ``path`` (default: the shipped ``assets/text_vad`` weights)."""
        path = Path(path) if path is not None else asset_path(*MODEL_FILE)
        if not path.is_file():
            raise FileNotFoundError(
                f"text VAD weights {path} are missing; run `make train-text` to build them")
        with np.load(path, allow_pickle=False) as z:
            return cls([str(t) for t in z["vocabulary"]], z["idf"], z["coef"], z["intercept"],
                       z["label_mean"], z["label_std"])

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse TF-IDF row: (indices, l2-normalised values), sublinear term frequency."""
        counts: dict[int, int] = {}
        for gram in ngrams(text):
            i = self.index.get(gram)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        idx = np.fromiter(counts, np.int64, len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), np.float32, len(counts)))
        val = tf * self.idf[idx]
        return idx, val / np.linalg.norm(val)

    def predict_raw(self, text: str) -> np.ndarray:
        """(3,) V, A, D on EmoBank's 1..5 scale."""
        idx, val = self.features(text)
        return self.intercept + self.coef[:, idx] @ val

    def predict(self, text: str) -> TextVADPrediction:
        """V, A, D in [-1, 1] of ``text``, with the z-scores and the n-grams that weigh most."""
        idx, val = self.features(text)
        contrib = self.coef[:, idx] * val  # (3, k)
        raw = self.intercept + contrib.sum(axis=1)
        z = (raw - self.label_mean) / self.label_std
        vad = np.clip(z * Z_TO_VAD, -1.0, 1.0)
        order = np.argsort(-np.abs(contrib).sum(axis=0))[:3]
        known = tuple(t for t in tokenize(text) if t in self.index)
        return TextVADPrediction(tuple(float(x) for x in vad), tuple(float(x) for x in z), known,
                                 tuple(self.vocabulary[idx[i]] for i in order))


@lru_cache(maxsize=1)
def load_text_vad() -> TextVADModel:
    """The shipped model, loaded once per process."""
    return TextVADModel.load()


def predict_vad(text: str) -> TextVADPrediction:
    """Valence, arousal, dominance of an English text with the shipped EmoBank model."""
    return load_text_vad().predict(text)

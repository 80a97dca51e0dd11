"""Train the text -> VAD model on EmoBank and write ``assets/text_vad/emobank_ridge.npz``.

Run: ``python -m controllers.train_text_model [--emobank PATH] [--alpha A]`` (``make train-text``).

Data: EmoBank (S. Buechel and U. Hahn, EACL 2017; CC BY-SA 4.0), its official train/dev/test
split. The ridge penalty is chosen on dev; the final model is refit on train+dev and the test
Pearson r is reported (and stored in the weights file's metadata) per dimension.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from controllers.assets import asset_path
from controllers.text_vad import MODEL_FILE, ngrams

DEFAULT_EMOBANK = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "emobank" / "emobank.csv"
DIMENSIONS = ("V", "A", "D")


def read_emobank(path: Path) -> dict[str, tuple[list[str], np.ndarray]]:
    """split name -> (texts, ratings (n, 3) on 1..5)."""
    if not path.is_file():
        raise SystemExit(f"EmoBank not found at {path}; pass --emobank PATH")
    out: dict[str, tuple[list[str], list[list[float]]]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            texts, ys = out.setdefault(row["split"], ([], []))
            texts.append(row["text"])
            ys.append([float(row[d]) for d in DIMENSIONS])
    return {k: (t, np.asarray(y, np.float64)) for k, (t, y) in out.items()}


def pearson(a: np.ndarray, b: np.ndarray) -> list[float]:
    return [float(np.corrcoef(a[:, i], b[:, i])[0, 1]) for i in range(a.shape[1])]


def fit(texts: list[str], y: np.ndarray, alpha: float, min_df: int):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge

    vec = TfidfVectorizer(analyzer=ngrams, min_df=min_df, sublinear_tf=True, norm="l2")
    x = vec.fit_transform(texts)
    reg = Ridge(alpha=alpha).fit(x, y)
    return vec, reg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--emobank", type=Path, default=DEFAULT_EMOBANK)
    ap.add_argument("--alpha", type=float, default=None, help="ridge penalty (default: tuned on dev)")
    ap.add_argument("--min-df", type=int, default=2, help="minimum document frequency of a feature")
    ap.add_argument("--out", type=Path, default=asset_path(*MODEL_FILE))
    ap.add_argument("--limit", type=int, default=None,
                    help="train on the first N training sentences only (quick checks)")
    args = ap.parse_args(argv)

    data = read_emobank(args.emobank)
    (tr_x, tr_y), (dev_x, dev_y), (te_x, te_y) = data["train"], data["dev"], data["test"]
    if args.limit:
        tr_x, tr_y = tr_x[: args.limit], tr_y[: args.limit]
    alphas = [args.alpha] if args.alpha else [1.0, 2.0, 4.0]
    best = None
    for alpha in alphas:
        vec, reg = fit(tr_x, tr_y, alpha, args.min_df)
        r = pearson(reg.predict(vec.transform(dev_x)), dev_y)
        print(f"alpha {alpha:<4} dev r  V {r[0]:.3f}  A {r[1]:.3f}  D {r[2]:.3f}")
        if best is None or np.mean(r) > np.mean(best[1]):
            best = (alpha, r)
    alpha, dev_r = best
    vec, reg = fit(tr_x + dev_x, np.vstack([tr_y, dev_y]), alpha, args.min_df)
    test_r = pearson(reg.predict(vec.transform(te_x)), te_y)
    print(f"final alpha {alpha}: dev r {np.round(dev_r, 3).tolist()}  "
          f"test r  V {test_r[0]:.3f}  A {test_r[1]:.3f}  D {test_r[2]:.3f}")

    vocab = vec.get_feature_names_out()
    y_all = np.vstack([tr_y, dev_y])
    meta = {"source": "EmoBank (Buechel & Hahn 2017), CC BY-SA 4.0", "alpha": alpha,
            "min_df": args.min_df, "dev_pearson": dev_r, "test_pearson": test_r,
            "features": len(vocab)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".npz", dir=args.out.parent)
    os.close(fd)
    try:
        np.savez_compressed(
            tmp, vocabulary=np.asarray(vocab, dtype=str), idf=vec.idf_.astype(np.float32),
            coef=reg.coef_.astype(np.float32), intercept=reg.intercept_.astype(np.float32),
            label_mean=y_all.mean(0).astype(np.float32), label_std=y_all.std(0).astype(np.float32),
            meta=np.asarray(json.dumps(meta)))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the weights are a shipped asset
        os.replace(tmp, args.out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(vocab)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Train the diffusion prosody model on EmoDB (``make train-prosody``).

    python -m synth.prosody.train [--epochs N] [--holdout 3 16] [--no-validate] [--out DIR]

1. Reads the syllable offset table (``assets/prosody/emodb_offsets.npz``; rebuilt from
   ``../shared/data/emodb`` when missing, see :mod:`synth.prosody.emodb`).
2. Validates: trains with the held-out speakers removed, then samples their utterances and compares
   predicted with measured mean offsets per emotion (and per-syllable F0 level correlation).
3. Trains on all speakers and writes ``assets/prosody/`` (config.json, denoiser/ with the ONNX
   export ``model.onnx`` that sampling runs, scheduler/; :func:`synth.diffusion.files.save_model`).

EmoDB emotions map onto the studio's categories one to one, except boredom, which is taught as
``calm``: the studio has no boredom, calm is its only low-arousal category, and both are read with
the low-activation profile (lower, flatter F0, slower, softer, steeper spectral tilt); valence is
weakly coded in prosody. Boredom rows are therefore conditioned on calm's VAD point, so calm at
inference asks for exactly what was learned. Surprise has no data; a share of training rows hides
the category ("unknown"), so the model also learns to read the VAD point alone, which is how
surprise (and any dimensional target) is sampled.

Single-threaded on the CPU (``torch.set_num_threads(1)``); a full run takes a few minutes.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from controllers.target import CATEGORY_VAD, EmotionTarget
from synth.diffusion.training import (
    fit_denoiser,
    masked_mse,
    noised,
    robust_scale,
    train_arguments,
    training_scheduler,
)
from synth.prosody.base import PROSODY_FEATURES
from synth.prosody.diffusion import (
    MODEL_CONTEXT,
    UNKNOWN_CATEGORY,
    DiffusionProsody,
    DiffusionProsodyConfig,
)
from synth.prosody.features import CONTEXT_FEATURES

#: EmoDB emotion -> studio category it is taught as.
CATEGORY_MAP: dict[str, str] = {
    "neutral": "neutral", "happiness": "happiness", "sadness": "sadness", "anger": "anger",
    "fear": "fear", "disgust": "disgust", "boredom": "calm",
}


@dataclass
class TrainConfig:
    """Hyperparameters of one training run."""

    epochs: int = 250
    """Passes over the utterances."""
    batch_size: int = 32
    """Utterances per step."""
    learning_rate: float = 2e-3
    """AdamW peak learning rate (one-cycle schedule, see
    :func:`~synth.diffusion.training.fit_denoiser`)."""
    width: int = 64
    """Transformer width."""
    layers: int = 3
    """Transformer layers."""
    heads: int = 4
    """Attention heads."""
    dropout: float = 0.1
    """Dropout inside the transformer."""
    category_dropout: float = 0.25
    """Share of rows whose category is hidden ("unknown"), teaching VAD-only conditioning."""
    vad_jitter: float = 0.05
    """Standard deviation of noise added to the VAD condition, smoothing the VAD map."""
    num_train_timesteps: int = 1000
    """Diffusion steps of the DDPM training scheduler."""
    clip_sigma: float = 4.0
    """Normalised offsets are clipped to +- this many scale units (measurement outliers)."""
    seed: int = 0
    """Seeds parameter init and batching."""


def utterances(table: dict[str, np.ndarray]) -> list[dict]:
    """Rows of the offset table grouped into one dict per emotional (or neutral) recording.

    ``context`` holds all :data:`CONTEXT_FEATURES` columns; the model reads :data:`MODEL_CONTEXT`.
    """
    from synth.prosody.emodb import EMODB_EMOTIONS

    names = [str(n) for n in table["context_features"]]
    columns = [names.index(n) for n in CONTEXT_FEATURES]
    out = []
    for u in np.unique(table["utterance"]):
        rows = np.flatnonzero(table["utterance"] == u)
        rows = rows[np.argsort(table["position"][rows])]
        emotion = EMODB_EMOTIONS[int(table["emotion"][rows[0]])]
        out.append(dict(context=table["context"][rows][:, columns], offsets=table["offsets"][rows],
                        emotion=emotion, category=CATEGORY_MAP[emotion],
                        speaker=int(table["speaker"][rows[0]]),
                        recognition=float(table["recognition"][rows[0]])))
    return out


def normalisation(utts: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(context mean, context std, offset scale) from the training utterances; the context
    statistics cover the :data:`MODEL_CONTEXT` columns."""
    context = np.concatenate([u["context"] for u in utts])[:, _model_columns()]
    emotional = np.concatenate([u["offsets"] for u in utts if u["category"] != "neutral"])
    mean = context.mean(axis=0)
    std = np.maximum(context.std(axis=0), 1e-3)
    scale = np.array([robust_scale(emotional[:, k], floor=1e-3)
                      for k in range(emotional.shape[1])])
    return mean.astype(np.float32), std.astype(np.float32), scale.astype(np.float32)


def _model_columns() -> list[int]:
    return [CONTEXT_FEATURES.index(name) for name in MODEL_CONTEXT]


def fit(utts: list[dict], cfg: TrainConfig, progress: bool = True) -> DiffusionProsody:
    """Train a denoiser on ``utts``; returns the model wrapped for sampling."""
    import pytorch_lightning as pl
    import torch

    from synth.prosody.denoiser import ProsodyDenoiser

    torch.set_num_threads(1)
    pl.seed_everything(cfg.seed, verbose=False)
    context_mean, context_std, scale = normalisation(utts)
    categories = DiffusionProsodyConfig(context_mean=[], context_std=[], offset_scale=[]).categories
    trained = sorted({u["category"] for u in utts})

    items = []
    for u in utts:
        x0 = u["offsets"] / scale
        mask = np.isfinite(x0)
        x0 = np.clip(np.nan_to_num(x0), -cfg.clip_sigma, cfg.clip_sigma)
        neutral = u["category"] == "neutral"
        items.append(dict(
            x0=torch.tensor(x0, dtype=torch.float32),
            mask=torch.tensor(mask, dtype=torch.float32),
            context=torch.tensor((u["context"][:, _model_columns()] - context_mean) / context_std,
                                 dtype=torch.float32),
            vad=torch.tensor(CATEGORY_VAD[u["category"]], dtype=torch.float32),
            category=categories.index(u["category"]),
            intensity=0.0 if neutral else u["recognition"],
            weight=1.0 if neutral else u["recognition"]))

    def collate(batch: list[dict]) -> dict:
        n = max(len(b["x0"]) for b in batch)
        out = {k: torch.zeros(len(batch), n, batch[0][k].shape[1])
               for k in ("x0", "mask", "context")}
        padding = torch.ones(len(batch), n, dtype=torch.bool)
        for i, b in enumerate(batch):
            m = len(b["x0"])
            for k in ("x0", "mask", "context"):
                out[k][i, :m] = b[k]
            padding[i, :m] = False
        out["padding"] = padding
        out["vad"] = torch.stack([b["vad"] for b in batch])
        out["category"] = torch.tensor([b["category"] for b in batch])
        out["intensity"] = torch.tensor([b["intensity"] for b in batch], dtype=torch.float32)
        out["weight"] = torch.tensor([b["weight"] for b in batch], dtype=torch.float32)
        return out

    denoiser = ProsodyDenoiser(n_features=len(PROSODY_FEATURES), n_context=context_mean.shape[0],
                               n_categories=len(categories), width=cfg.width, layers=cfg.layers,
                               heads=cfg.heads, dropout=cfg.dropout)
    scheduler = training_scheduler(cfg.num_train_timesteps)
    unknown = categories.index(UNKNOWN_CATEGORY)

    def loss(denoiser: ProsodyDenoiser, batch: dict) -> tuple[torch.Tensor, int]:
        """Batch (:func:`collate`): x0, mask (b, n, 8), context (b, n, c), padding (b, n),
        vad (b, 3), category, intensity, weight (b,)."""
        b, n, _ = batch["x0"].shape
        noisy, t, category, vad = noised(scheduler, batch["x0"], batch["vad"], batch["category"],
                                         unknown, cfg.category_dropout, cfg.vad_jitter)
        predicted = denoiser(noisy, t, batch["context"], vad[:, None].expand(-1, n, -1),
                             category[:, None].expand(-1, n),
                             batch["intensity"][:, None].expand(-1, n), padding=batch["padding"])
        weight = batch["mask"] * batch["weight"][:, None, None]
        return masked_mse(predicted, batch["x0"], weight), b

    fit_denoiser(denoiser, loss, items, cfg.epochs, cfg.batch_size, cfg.learning_rate,
                 collate_fn=collate, progress=progress)
    config = DiffusionProsodyConfig(
        context_mean=context_mean.tolist(), context_std=context_std.tolist(),
        offset_scale=scale.tolist(), context_features=list(MODEL_CONTEXT),
        categories=categories, trained_categories=trained,
        category_map=dict(CATEGORY_MAP))
    return DiffusionProsody.from_parts(denoiser.eval(), scheduler, config)


def measured_and_predicted(model: DiffusionProsody, utts: list[dict], seed: int = 0,
                           guidance: float = 1.0) -> tuple[list[str], np.ndarray, np.ndarray,
                                                          list[tuple[np.ndarray, np.ndarray]]]:
    """Per emotion, the recognition-weighted mean of measured and of sampled offsets.

    Returns (emotions, measured (e, 8), predicted (e, 8), per-utterance (measured, predicted)
    pairs); each utterance is sampled once with ``seed + index``.
    """
    emotions = [e for e in CATEGORY_MAP if e != "neutral"]
    sums = {e: [np.zeros(8), np.zeros(8), np.zeros(8), np.zeros(8)] for e in emotions}
    pairs = []
    for i, u in enumerate(utts):
        if u["emotion"] == "neutral":
            continue
        target = EmotionTarget.from_category(u["category"], 1.0)
        predicted = model.sample(u["context"], [target] * len(u["context"]), seed=seed + i,
                                 guidance=guidance)
        measured = u["offsets"]
        valid = np.isfinite(measured)
        w = u["recognition"]
        s = sums[u["emotion"]]
        s[0] += w * np.nansum(np.where(valid, measured, 0), axis=0)
        s[1] += w * valid.sum(axis=0)
        s[2] += w * np.where(valid, predicted, 0).sum(axis=0)
        s[3] += w * valid.sum(axis=0)
        pairs.append((measured, predicted))
    measured = np.array([sums[e][0] / np.maximum(sums[e][1], 1e-9) for e in emotions])
    predicted = np.array([sums[e][2] / np.maximum(sums[e][3], 1e-9) for e in emotions])
    return emotions, measured, predicted, pairs


def validation_report(model: DiffusionProsody, utts: list[dict]) -> dict:
    """Held-out metrics: correlation of per-emotion mean offsets, sign agreement, and the
    per-syllable correlation of F0 level."""
    emotions, measured, predicted, pairs = measured_and_predicted(model, utts)
    scale = np.asarray(model.config.offset_scale)
    m, p = (measured / scale).ravel(), (predicted / scale).ravel()
    keep = np.isfinite(m) & np.isfinite(p)
    mean_r = float(np.corrcoef(m[keep], p[keep])[0, 1])
    big = np.abs(measured / scale) > 0.2
    sign = float(np.mean(np.sign(measured[big]) == np.sign(predicted[big])))
    level = PROSODY_FEATURES.index("f0_level_st")
    ms = np.concatenate([a[:, level] for a, _ in pairs])
    ps = np.concatenate([b[:, level] for _, b in pairs])
    ok = np.isfinite(ms)
    syllable_r = float(np.corrcoef(ms[ok], ps[ok])[0, 1])
    return {
        "emotions": emotions,
        "features": list(PROSODY_FEATURES),
        "measured_mean": np.round(measured, 3).tolist(),
        "predicted_mean": np.round(predicted, 3).tolist(),
        "mean_offset_correlation": round(mean_r, 3),
        "sign_agreement": round(sign, 3),
        "syllable_f0_level_correlation": round(syllable_r, 3),
        "utterances": len(pairs),
    }


def print_report(report: dict) -> None:
    features = report["features"]
    print(f"{'emotion':10s} " + " ".join(f"{f[:12]:>13s}" for f in features))
    for e, m, p in zip(report["emotions"], report["measured_mean"], report["predicted_mean"]):
        print(f"{e:10s} " + " ".join(f"{a:+6.2f}/{b:+6.2f}" for a, b in zip(m, p)))
    print(f"(measured/predicted) over {report['utterances']} held-out utterances; "
          f"mean-offset r = {report['mean_offset_correlation']}, sign agreement = "
          f"{report['sign_agreement']}, per-syllable F0-level r = "
          f"{report['syllable_f0_level_correlation']}")


def main(argv: list[str] | None = None) -> int:
    args = train_arguments(argv, "python -m synth.prosody.train", __doc__, TrainConfig.epochs,
                           "prosody")

    from synth.prosody import emodb

    try:
        table = emodb.load_table()
    except FileNotFoundError:
        table = emodb.build_table()
        emodb.save_table(table)
    utts = utterances(table)
    cfg = TrainConfig(epochs=args.epochs)
    report: dict = {}
    started = time.perf_counter()
    if not args.no_validate and args.holdout:
        train = [u for u in utts if u["speaker"] not in args.holdout]
        held = [u for u in utts if u["speaker"] in args.holdout]
        model = fit(train, cfg)
        report = validation_report(model, held)
        report["holdout_speakers"] = list(args.holdout)
        print_report(report)
    model = fit(utts, cfg)
    model.config.validation = {**report, "train_config": asdict(cfg)}
    model.save(args.out)
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

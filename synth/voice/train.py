"""Train the voice-quality model on EmoDB (``make train-voice``).

    python -m synth.voice.train [--epochs N] [--holdout 3 16] [--no-validate] [--out DIR]

1. Reads the delta table (``assets/voice/emodb_voice.npz``; rebuilt from ``../shared/data/emodb``
   when missing, see :mod:`synth.voice.emodb`).
2. Validates: trains with the held-out actors removed, samples one delta per held-out recording
   and compares the per-emotion means of sampled and measured deltas (correlation over all
   entries, and over the vowels' band gains in dB; sign agreement of the larger entries).
3. Trains on all actors and writes ``assets/voice/`` (config.json, denoiser/ with the ONNX export
   ``model.onnx`` that sampling runs, scheduler/; :func:`synth.diffusion.files.save_model`).

Emotions map onto categories as for the prosody (:data:`synth.prosody.train.CATEGORY_MAP`:
boredom is taught as calm); a share of rows hides the category ("unknown") so that the VAD point
alone is also learned (surprise, dimensional targets). Rows are weighted by the listeners'
recognition rate. Single-threaded on the CPU; a full run takes about a minute.
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
from synth.prosody.emodb import EMODB_EMOTIONS
from synth.prosody.train import CATEGORY_MAP
from synth.voice.bands import PHONE_CLASSES, delta_size, from_cepstrum, split_delta
from synth.voice.model import UNKNOWN_CATEGORY, VoiceModelConfig, VoiceQualityModel


@dataclass
class TrainConfig:
    """Hyperparameters of one training run."""

    epochs: int = 400
    """Passes over the recordings."""
    batch_size: int = 64
    """Recordings per step."""
    learning_rate: float = 2e-3
    """AdamW peak learning rate (one-cycle schedule, see
    :func:`~synth.diffusion.training.fit_denoiser`)."""
    width: int = 128
    """MLP width."""
    layers: int = 3
    """Residual blocks."""
    dropout: float = 0.1
    """Dropout inside the blocks."""
    category_dropout: float = 0.25
    """Share of rows whose category is hidden ("unknown"), teaching VAD-only conditioning."""
    vad_jitter: float = 0.05
    """Standard deviation of noise added to the VAD condition."""
    num_train_timesteps: int = 1000
    """Diffusion steps of the DDPM training scheduler."""
    clip_sigma: float = 4.0
    """Normalised deltas are clipped to +- this many scale units (measurement outliers)."""
    seed: int = 0
    """Seeds parameter init and batching."""


def recordings(table: dict[str, np.ndarray]) -> list[dict]:
    """One dict per row of the delta table (delta, emotion, category, speaker, recognition)."""
    out = []
    for k in range(len(table["emotion"])):
        emotion = EMODB_EMOTIONS[int(table["emotion"][k])]
        out.append(dict(delta=table["delta"][k], emotion=emotion, category=CATEGORY_MAP[emotion],
                        speaker=int(table["speaker"][k]),
                        recognition=float(table["recognition"][k])))
    return out


def fit(rows: list[dict], cfg: TrainConfig, progress: bool = True) -> VoiceQualityModel:
    """Train a denoiser on ``rows``; returns the model wrapped for sampling."""
    import pytorch_lightning as pl
    import torch
    from torch.utils.data import TensorDataset

    from synth.voice.denoiser import VoiceDenoiser

    torch.set_num_threads(1)
    pl.seed_everything(cfg.seed, verbose=False)
    emotional = np.stack([r["delta"] for r in rows if r["category"] != "neutral"])
    scale = np.array([robust_scale(emotional[:, k], floor=1e-2) for k in range(delta_size())],
                     np.float32)
    categories = VoiceModelConfig(delta_scale=[]).categories
    trained = sorted({r["category"] for r in rows})
    unknown = categories.index(UNKNOWN_CATEGORY)

    x0 = np.stack([r["delta"] for r in rows]) / scale
    mask = np.isfinite(x0)
    x0 = np.clip(np.nan_to_num(x0), -cfg.clip_sigma, cfg.clip_sigma)
    neutral = np.array([r["category"] == "neutral" for r in rows])
    recognition = np.array([r["recognition"] for r in rows], np.float32)
    data = TensorDataset(
        torch.tensor(x0, dtype=torch.float32), torch.tensor(mask, dtype=torch.float32),
        torch.tensor(np.stack([CATEGORY_VAD[r["category"]] for r in rows]), dtype=torch.float32),
        torch.tensor([categories.index(r["category"]) for r in rows]),
        torch.tensor(np.where(neutral, 0.0, recognition), dtype=torch.float32),
        torch.tensor(np.where(neutral, 1.0, recognition), dtype=torch.float32))

    denoiser = VoiceDenoiser(n_features=delta_size(), n_categories=len(categories),
                             width=cfg.width, layers=cfg.layers, dropout=cfg.dropout)
    scheduler = training_scheduler(cfg.num_train_timesteps)

    def loss(denoiser: VoiceDenoiser, batch: list[torch.Tensor]) -> tuple[torch.Tensor, int]:
        """Batch: x0 (b, D), mask (b, D), vad (b, 3), category (b,), intensity (b,), weight (b,)."""
        x, m, vad, category, intensity, weight = batch
        noisy, t, category, vad = noised(scheduler, x, vad, category, unknown,
                                         cfg.category_dropout, cfg.vad_jitter)
        predicted = denoiser(noisy, t, vad, category, intensity)
        return masked_mse(predicted, x, m * weight[:, None]), x.shape[0]

    fit_denoiser(denoiser, loss, data, cfg.epochs, cfg.batch_size, cfg.learning_rate,
                 progress=progress)
    config = VoiceModelConfig(delta_scale=scale.tolist(), categories=categories,
                              trained_categories=trained, category_map=dict(CATEGORY_MAP))
    return VoiceQualityModel.from_parts(denoiser.eval(), scheduler, config)


def weighted_means(rows: list[dict], emotions: list[str]) -> np.ndarray:
    """(e, D) recognition-weighted mean measured delta per emotion (NaN entries skipped)."""
    out = []
    for e in emotions:
        d = np.stack([r["delta"] for r in rows if r["emotion"] == e])
        w = np.array([r["recognition"] for r in rows if r["emotion"] == e])
        valid = np.isfinite(d)
        out.append((np.where(valid, d, 0) * w[:, None]).sum(0)
                   / np.maximum((valid * w[:, None]).sum(0), 1e-9))
    return np.array(out)


def measured_and_sampled(model: VoiceQualityModel, rows: list[dict], seed: int = 0
                         ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Per emotion, the recognition-weighted means of measured and of sampled deltas (one
    sample per recording, seed ``seed + index``) and the sampled deltas' standard deviation.

    Returns (emotions, measured (e, D), sampled (e, D), sampled spread (e, D)).
    """
    emotions = [e for e in CATEGORY_MAP if e != "neutral"]
    sampled, spread = [], []
    for e in emotions:
        group = [(i, r) for i, r in enumerate(rows) if r["emotion"] == e]
        w = np.array([r["recognition"] for _, r in group])
        target = EmotionTarget.from_category(CATEGORY_MAP[e], 1.0)
        s = np.stack([model.sample([target], seed=seed + i)[0] for i, _ in group])
        sampled.append((s * w[:, None]).sum(0) / w.sum())
        spread.append(s.std(axis=0))
    return emotions, weighted_means(rows, emotions), np.array(sampled), np.array(spread)


def validation_report(model: VoiceQualityModel, rows: list[dict],
                      train_rows: list[dict] | None = None) -> dict:
    """Held-out metrics: correlation of the per-emotion mean deltas (all entries, in scale
    units; and the vowels' band gains in dB), sign agreement of entries above 0.3 scale units.
    With ``train_rows``, also the same correlation for the training actors' plain mean (what a
    perfect model of the training data would reach: the ceiling set by actor differences)."""
    emotions, measured, sampled, spread = measured_and_sampled(model, rows)
    scale = np.asarray(model.config.delta_scale)
    m, p = (measured / scale).ravel(), (sampled / scale).ravel()
    r_all = float(np.corrcoef(m, p)[0, 1])
    ceiling = {}
    if train_rows is not None:
        t = weighted_means(train_rows, emotions)
        vowel = PHONE_CLASSES.index("vowel")
        ceiling = {
            "training_mean_correlation": round(float(np.corrcoef(m, (t / scale).ravel())[0, 1]), 3),
            "training_mean_vowel_band_correlation": round(float(np.corrcoef(
                from_cepstrum(split_delta(measured)[0][:, vowel]).ravel(),
                from_cepstrum(split_delta(t)[0][:, vowel]).ravel())[0, 1]), 3)}
    big = np.abs(measured / scale) > 0.3
    sign = float(np.mean(np.sign(measured[big]) == np.sign(sampled[big])))
    vowel = PHONE_CLASSES.index("vowel")
    mb = from_cepstrum(split_delta(measured)[0][:, vowel])
    pb = from_cepstrum(split_delta(sampled)[0][:, vowel])
    r_vowel = float(np.corrcoef(mb.ravel(), pb.ravel())[0, 1])
    per_emotion = {e: round(float(np.corrcoef(mb[k], pb[k])[0, 1]), 3)
                   for k, e in enumerate(emotions)}
    return {
        "emotions": emotions,
        "measured_mean": np.round(measured, 2).tolist(),
        "sampled_mean": np.round(sampled, 2).tolist(),
        "sampled_spread": np.round(spread, 2).tolist(),
        "mean_delta_correlation": round(r_all, 3),
        "vowel_band_correlation": round(r_vowel, 3),
        "vowel_band_correlation_per_emotion": per_emotion,
        "sign_agreement": round(sign, 3),
        "recordings": sum(r["emotion"] != "neutral" for r in rows),
        **ceiling,
    }


def print_report(report: dict) -> None:
    print(f"held-out actors {report.get('holdout_speakers')}: {report['recordings']} recordings; "
          f"per-emotion mean delta r = {report['mean_delta_correlation']} (all entries), "
          f"vowel band gains r = {report['vowel_band_correlation']}, "
          f"sign agreement = {report['sign_agreement']}")
    if "training_mean_correlation" in report:
        print(f"(the training actors' plain means reach r = {report['training_mean_correlation']} "
              f"/ {report['training_mean_vowel_band_correlation']})")
    print("vowel band-gain r per emotion:", report["vowel_band_correlation_per_emotion"])


def main(argv: list[str] | None = None) -> int:
    args = train_arguments(argv, "python -m synth.voice.train", __doc__, TrainConfig.epochs,
                           "voice")

    from synth.voice import emodb

    try:
        table = emodb.load_table()
    except FileNotFoundError:
        table = emodb.build_table()
        emodb.save_table(table)
    rows = recordings(table)
    cfg = TrainConfig(epochs=args.epochs)
    report: dict = {}
    started = time.perf_counter()
    if not args.no_validate and args.holdout:
        train = [r for r in rows if r["speaker"] not in args.holdout]
        model = fit(train, cfg)
        report = validation_report(model, [r for r in rows if r["speaker"] in args.holdout],
                                   train)
        report["holdout_speakers"] = list(args.holdout)
        print_report(report)
    model = fit(rows, cfg)
    seconds = time.perf_counter() - started
    model.config.validation = {**report, "train_config": asdict(cfg),
                               "train_seconds": round(seconds, 1)}
    model.save(args.out)
    print(f"wrote {args.out} in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

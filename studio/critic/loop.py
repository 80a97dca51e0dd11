"""The closed loop: render a take, judge it, correct the controls, again.

The loop knows nothing of the pipeline (no import cycle): the caller passes ``render_take``,
which turns :class:`Controls` into a :class:`TakeResult`. Corrections:

1. strength, steered by the speech reading (the modality hardest to move): a ladder of rungs,
   each raising intensity (+0.2), prosody guidance (x1.3) and adding one more attribute of the
   category's typical vocal profile (:data:`VOCAL_PROFILES`). A take whose voice reads too
   weak (arousal short of the target's) climbs a rung; one that overshoots or reads another
   category at full activation steps down; rungs already seen to be too weak or too strong
   bound the search (a bisection over the ladder);
2. valence/arousal offsets: part of the fused estimate's error is added to the target point
   (bounded), which moves the face and the body;
3. every further take is another diffusion sample (new seed), and the best take is kept —
   best of N.

It stops when a take succeeds (all of speech, face and body agree, words intelligible), or at
``max_iterations``, ``max_seconds`` or ``max_time_ratio``; it returns the best take and a
:class:`Verdict` that says plainly when the target was not reached.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from controllers.target import EmotionTarget
from studio.critic.judge import Critic, target_category
from studio.critic.take_result import TakeResult
from studio.critic.verdict import MODALITIES, Controls, IterationRecord, Verdict


#: Typical vocal profile of each category (after K. R. Scherer, "Vocal communication of emotion:
#: a review of research paradigms", Speech Communication 40, 2003, table 1): what the voice does
#: beyond the prosody model's default rendering. Most characteristic attribute first: the ladder
#: adds them in this order.
VOCAL_PROFILES: dict[str, dict[str, str]] = {
    "anger": {"loudness": "loud", "pitch_variation": "high", "voice_quality": "tense"},
    "happiness": {"pitch_variation": "high", "pitch_level": "high", "rate": "fast"},
    "fear": {"pitch_level": "high", "rate": "fast", "voice_quality": "tense"},
    "surprise": {"pitch_level": "high", "pitch_variation": "high"},
    "sadness": {"pitch_level": "low", "pitch_variation": "low", "rate": "slow",
                "loudness": "quiet"},
    "disgust": {"pitch_level": "low", "rate": "slow", "voice_quality": "creaky"},
    "calm": {"pitch_variation": "low", "rate": "slow", "loudness": "quiet"},
}


@dataclass
class LoopConfig:
    """Bounds and step sizes of the loop."""

    max_iterations: int = 4
    """Takes rendered at most (the first one included)."""
    max_seconds: float | None = None
    """Stop starting new takes after this many seconds (None: no time bound)."""
    max_time_ratio: float | None = 4.0
    """Do not start a take that would likely end the loop later than this multiple of the
    first take's time (render + judge); None: no such bound."""
    intensity_step: float = 0.2
    """Intensity added per rung of the strength ladder."""
    guidance_factor: float = 1.3
    """Guidance multiplied by this per rung."""
    max_guidance: float = 2.5
    max_strength: int = 3
    """Highest rung (each adds one attribute of the vocal profile)."""
    va_gain: float = 0.4
    """Share of the valence-arousal error added to the offsets per iteration."""
    max_offset: float = 0.4
    """Bound on each valence/arousal offset."""


def corrected_target(target: EmotionTarget, intensity: float,
                     va_offset: tuple[float, float],
                     attributes: dict[str, str] | None = None) -> EmotionTarget:
    """The user's target at ``intensity``, its valence/arousal shifted by ``va_offset``, with
    ``attributes`` added where the user set none."""
    base = target.with_intensity(intensity) if target.category not in (None, "neutral") else target
    v = float(np.clip(base.valence + va_offset[0], -1, 1))
    a = float(np.clip(base.arousal + va_offset[1], -1, 1))
    return EmotionTarget(v, a, base.dominance, target.category, float(np.clip(intensity, 0, 1)),
                         {**(attributes or {}), **target.attributes})


def initial_controls(target: EmotionTarget, seed: int = 0) -> Controls:
    """The first take: the target as asked."""
    intensity = target.intensity if target.intensity > 0 or target.category in (None, "neutral") \
        else 0.7
    return Controls(corrected_target(target, intensity, (0.0, 0.0)), intensity, 1.0, seed,
                    (0.0, 0.0), 0)


def _ladder(target: EmotionTarget, base_intensity: float, strength: int, config: LoopConfig
            ) -> tuple[float, float, dict[str, str]]:
    """(intensity, guidance, added attributes) of one rung of the strength ladder."""
    profile = list(VOCAL_PROFILES.get(target_category(target), {}).items())
    intensity = min(1.0, base_intensity + config.intensity_step * strength)
    guidance = min(config.max_guidance, config.guidance_factor ** strength)
    return intensity, guidance, dict(profile[:strength])


def speech_direction(record: IterationRecord, target: EmotionTarget) -> int:
    """+1: the voice reads weaker than the target; -1: it overshoots or reads another category
    at full activation; 0: it agrees (or was not judged). Arousal decides: it is what acoustic
    recognisers read most reliably."""
    speech = record.estimates.get("speech")
    if speech is None or record.agreement.get("speech", False):
        return 0
    goal = target.arousal
    if abs(goal) < 0.05:
        return -1  # a neutral target: any emotion read is too much
    reached = speech.arousal / goal  # share of the target's arousal the voice shows
    return 1 if reached < 0.6 else -1


def next_controls(target: EmotionTarget, history: list[IterationRecord], config: LoopConfig,
                  base_seed: int = 0) -> Controls:
    """The controls for the next take, from every take so far (see module doc)."""
    last = history[-1]
    n = len(history)
    c = last.controls
    base_intensity = history[0].controls.intensity
    # Bisection over the ladder: rungs seen too weak raise the floor, rungs seen too strong
    # lower the ceiling.
    floor, ceiling = 0, config.max_strength
    for record in history:
        direction = speech_direction(record, target)
        if direction > 0:
            floor = max(floor, record.controls.strength + 1)
        elif direction < 0:
            ceiling = min(ceiling, record.controls.strength - 1)
    strength = c.strength + speech_direction(last, target)
    if floor <= ceiling:
        strength = int(np.clip(strength, floor, ceiling))
    else:  # contradictory readings (sampling noise): the rung whose voice came closest
        best = max(history, key=lambda r: r.estimates["speech"].probabilities.get(
            target_category(target), 0.0) if "speech" in r.estimates else 0.0)
        strength = best.controls.strength
    strength = int(np.clip(strength, 0, config.max_strength))
    intensity, guidance, attributes = _ladder(target, base_intensity, strength, config)

    fused = last.estimates["fused"]
    goal = np.array([target.valence, target.arousal])
    err = goal - np.array([fused.valence, fused.arousal])
    dv = float(np.clip(c.va_offset[0] + config.va_gain * err[0], -config.max_offset,
                       config.max_offset))
    da = float(np.clip(c.va_offset[1] + config.va_gain * err[1], -config.max_offset,
                       config.max_offset))
    return Controls(corrected_target(target, intensity, (dv, da), attributes), intensity,
                    guidance, base_seed + 1000 * n, (dv, da), n, strength)


def _reason(record: IterationRecord, success: bool, n: int, seconds: float,
            target: EmotionTarget, stopped_by: str) -> str:
    want = target_category(target)
    if success:
        return (f"reached {want} at take {record.iteration + 1} of {n}: speech, face and body "
                f"agree, words intelligible")
    problems = []
    for m in MODALITIES:
        if m not in record.estimates:
            problems.append(f"{m} not judged (missing)")
        elif not record.agreement.get(m, False):
            e = record.estimates[m]
            problems.append(f"{m} reads {e.category} ({e.probabilities[e.category]:.2f})")
    if not record.intelligible:
        problems.append(f"words degraded (WER {record.wer:.2f})")
    return (f"did not reach {want} in {n} take(s), {seconds:.1f} s ({stopped_by}); best is take "
            f"{record.iteration + 1}: " + "; ".join(problems))


def run_critic_loop(target: EmotionTarget, render_take: Callable[[Controls], TakeResult],
                    text: str | None = None, *, critic: Critic | None = None,
                    config: LoopConfig | None = None, seed: int = 0,
                    max_iterations: int | None = None, max_seconds: float | None = None,
                    ) -> tuple[TakeResult, Verdict]:
    """Render, judge and correct until the take meets ``target`` or a bound is hit.

    render_take : the caller's renderer, Controls -> TakeResult (synthesise ``controls.target``
        with ``controls.seed`` and ``controls.guidance``).
    text : the line spoken (for the intelligibility check; skipped when None).
    Returns the best take and the verdict (every iteration's estimates and timings).
    """
    config = config or LoopConfig()
    if max_iterations is not None:
        config = replace(config, max_iterations=max_iterations)
    if max_seconds is not None:
        config = replace(config, max_seconds=max_seconds)
    if config.max_iterations < 1:
        raise ValueError("max_iterations must be at least 1")
    critic = critic or Critic()
    t_start = time.perf_counter()
    history: list[IterationRecord] = []
    takes: list[TakeResult] = []
    controls = initial_controls(target, seed)
    stopped_by = "iteration bound"
    while True:
        t0 = time.perf_counter()
        take = render_take(controls)
        render_s = time.perf_counter() - t0
        record = critic.judge(target, take, text, controls, iteration=len(history))
        record.seconds["render"] = render_s
        history.append(record)
        takes.append(take)
        if record.success:
            stopped_by = "success"
            break
        missing = [m for m in MODALITIES if m not in record.estimates]
        if missing and all(record.agreement.values()) and record.intelligible:
            stopped_by = f"nothing left to correct; {', '.join(missing)} not rendered"
            break
        if len(history) >= config.max_iterations:
            break
        elapsed = time.perf_counter() - t_start
        per_take = elapsed / len(history)
        if config.max_seconds is not None and elapsed + per_take > config.max_seconds:
            stopped_by = "time bound"
            break
        first = sum(history[0].seconds.values())
        if config.max_time_ratio is not None and elapsed + per_take > config.max_time_ratio * first:
            stopped_by = f"time bound ({config.max_time_ratio:g}x the first take)"
            break
        controls = next_controls(target, history, config, seed)
    verdict = make_verdict(target, text, history, loop=True, stopped_by=stopped_by,
                           total=time.perf_counter() - t_start)
    return takes[verdict.best], verdict


def make_verdict(target: EmotionTarget, text: str | None, history: list[IterationRecord],
                 loop: bool, stopped_by: str = "single pass", total: float | None = None
                 ) -> Verdict:
    """A verdict from judged takes: the best one, success, an honest reason, timings."""
    best = max(range(len(history)), key=lambda i: history[i].score())
    render = sum(r.seconds.get("render", 0.0) for r in history)
    judge = sum(r.seconds.get("judge", 0.0) for r in history)
    total = total if total is not None else render + judge
    success = history[best].success
    return Verdict(target, text, history, best, success,
                   _reason(history[best], success, len(history), total, target, stopped_by),
                   {"total": total, "render": render, "judge": judge}, loop)


def judge_take(target: EmotionTarget, take: TakeResult, text: str | None = None,
               critic: Critic | None = None, controls: Controls | None = None,
               render_seconds: float = 0.0) -> Verdict:
    """A single judged pass (no correction): the verdict of one take."""
    record = (critic or Critic()).judge(target, take, text, controls)
    record.seconds["render"] = render_seconds
    return make_verdict(target, text, [record], loop=False)

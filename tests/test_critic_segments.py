"""A line whose emotion changes: each segment judged against its own target, reported and
corrected on its own (real voice, face, body and recognisers)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from controllers.target import EmotionTarget
from studio.critic.estimate import EmotionEstimate
from studio.critic.loop import LoopConfig, initial_plan_controls, next_segment_controls
from studio.critic.segments import segment_spans
from studio.critic.verdict import IterationRecord, SegmentRecord

LINE = "Thanks for coming. [angry] Now get out!"


@pytest.fixture(scope="module")
def studio():
    from studio.pipeline import Studio

    return Studio()


def test_each_segment_gets_its_own_verdict(studio, tmp_path):
    take = studio.render(LINE, "cheerful", out=tmp_path, preview="none", loop=False)
    plan = take.plan
    assert [s.target.category for s in plan.segments] == ["happiness", "anger"]
    critic = json.loads((tmp_path / "critic.json").read_text())
    words = json.loads((tmp_path / "take.timeline.json").read_text())["words"]
    segments = critic["verdict"]["segments"]
    assert [s["target"] for s in segments] == ["happiness", "anger"]
    assert [s["text"] for s in segments] == [s.text for s in plan.segments]
    # the boundary lies in the pause between "coming." and "Now"; the spans cover the take
    coming = next(w for w in words if w["text"] == "coming")
    now = next(w for w in words if w["text"] == "Now")
    first, second = segments[0]["span"], segments[1]["span"]
    assert first[0] == 0.0 and coming["end"] <= first[1] == second[0] <= now["start"]
    assert second[1] == pytest.approx(take.duration, abs=1e-3)
    record = critic["iterations"][critic["verdict"]["best_iteration"]]
    for seg, verdict in zip(record["segments"], segments):
        assert set(seg["estimates"]) == {"speech", "face", "body", "fused"}
        assert seg["target"]["category"] == verdict["target"]
        assert verdict["read"] == {m: seg["estimates"][m]["category"]
                                   for m in ("speech", "face", "body")}
        assert verdict["agrees"] == all(seg["agreement"].values())
    # a modality agrees on the line only where it agrees on every segment
    for m, agrees in critic["verdict"]["agreement"].items():
        assert agrees == all(s["agreement"][m] for s in segments)
    # the segments were judged on their own stretches: the two readings differ
    voices = [s["estimates"]["speech"]["probabilities"] for s in record["segments"]]
    assert voices[0] != voices[1]
    assert critic["plan"]["segments"][1]["target"]["category"] == "anger"
    png = Image.open(tmp_path / "report.png")
    assert png.size[1] > png.size[0] * 0.5  # the segment band row below the plots


def test_segment_spans_follow_the_words(studio):
    speech = studio.tts("rules").speak(studio.plan(LINE, "calm"), seed=1)
    plan = studio.plan(LINE, "calm")
    spans = segment_spans(plan, speech.timeline)
    words = speech.timeline.words
    assert [words[i].text for i in range(*spans[0].words)] == ["Thanks", "for", "coming"]
    assert [words[i].text for i in range(*spans[1].words)] == ["Now", "get", "out"]
    assert spans[0].end == spans[1].start and spans[1].end == speech.timeline.duration


def _segment(span, speech_category, agrees):
    est = EmotionEstimate("speech", {speech_category: 1.0}, 0.0, 0.0)
    agreement = {"speech": agrees, "face": True, "body": True}
    fused = EmotionEstimate("fused", {speech_category: 1.0}, 0.0, 0.0)
    return SegmentRecord(span, {"speech": est, "face": est, "body": est, "fused": fused},
                         agreement, 0.3, 0.5)


def test_an_agreeing_segment_keeps_its_controls(studio):
    plan = studio.plan(LINE, "cheerful")
    speech = studio.tts("rules").speak(plan, seed=0)
    spans = segment_spans(plan, speech.timeline)
    c0 = initial_plan_controls(plan, seed=0)
    # the cheerful start reads happy; the angry end reads neutral (too weak)
    segments = [_segment(spans[0], "happiness", True), _segment(spans[1], "neutral", False)]
    record = IterationRecord(0, c0, segments[0].estimates,
                             {"speech": False, "face": True, "body": True}, 0.3, 0.5,
                             segments=segments)
    c1 = next_segment_controls(plan, [record], LoopConfig(), base_seed=0)
    assert c1.seed == c0.seed  # the line keeps the take whose start agreed
    assert c1.segments[0].target == c0.segments[0].target
    assert c1.segments[1].target != c0.segments[1].target
    assert c1.segments[1].intensity > c0.segments[1].intensity  # the weak end is strengthened
    voice = c1.voice_plan(plan)
    assert voice.segments[0].target == plan.segments[0].target
    assert voice.segments[1].target.category == "anger"
    assert voice.segments[1].target.intensity > plan.segments[1].target.intensity


def test_the_loop_corrects_segments_on_a_real_line(studio):
    from studio.critic import LoopConfig as Config
    from studio.critic import TakeResult, run_critic_loop

    plan = studio.plan(LINE, "sad")
    neutral = studio.neutral_speech(plan.text, 0, "rules")
    voices = {}

    def render(controls):
        take = studio.perform(controls.voice_plan(plan), seed=controls.seed, prosody="rules",
                              guidance=controls.guidance, speech=voices.get(controls.speech_key),
                              face_config=controls.face_config(),
                              body_plan=controls.body_plan(plan))
        voices[controls.speech_key] = take.speech
        return TakeResult(speech=take.speech, face=take.face, body=take.body,
                          neutral_speech=neutral)

    _, verdict = run_critic_loop(plan.main_target, render, plan.text, critic=studio.critic,
                                 config=Config(max_iterations=3, max_time_ratio=None),
                                 plan=plan)
    assert all(len(r.segments) == 2 for r in verdict.iterations)
    for i, after in enumerate(verdict.iterations[1:], start=1):
        lenders = [r for r in verdict.iterations[:i] if r.controls.seed == after.controls.seed]
        if lenders:  # a take on an earlier take's seed keeps the segments that agreed there
            assert any(
                any(r.segments[k].agreement["speech"] for k in range(2))
                and all(after.controls.segments[k].target == r.controls.segments[k].target
                        for k in range(2) if r.segments[k].agreement["speech"])
                for r in lenders)
    # every take was judged segment by segment against its own target
    for r in verdict.iterations:
        assert [s.span.target.category for s in r.segments] == ["sadness", "anger"]
        assert np.isclose(r.target_probability,
                          np.mean([s.target_probability for s in r.segments]))
    data = verdict.to_dict()
    assert len(data["verdict"]["segments"]) == 2
    assert data["verdict"]["reason"].startswith(("reached sadness then anger",
                                                 "did not reach sadness then anger"))

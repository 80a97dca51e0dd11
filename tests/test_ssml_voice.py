"""SSML performed on the real voice: express-as = --emotion, breaks in audio, timeline, face and
body, prosody rate and pitch on top of the emotion, emphasis, marks, voices."""

from __future__ import annotations

import numpy as np
import pytest

from controllers.cast import load_character
from controllers.ssml import parse_ssml
from studio.pipeline import default_studio
from synth.contracts import ARKIT_NAMES, OCULUS_VISEMES, Timeline

MSTTS = 'xmlns:mstts="https://www.w3.org/2001/mstts"'
LINE = "The train leaves at nine, and we will be there on time."
SEED = 3


@pytest.fixture(scope="module")
def studio():
    return default_studio()


@pytest.fixture(scope="module")
def plain(studio):
    """The plain line spoken with --emotion cheerful."""
    return studio.perform(studio.plan(LINE, "cheerful"), seed=SEED)


def speak(studio, ssml: str, emotion="cheerful"):
    return studio.tts("diffusion").speak(studio.plan(ssml, emotion), seed=SEED)


def median_f0_praat(speech) -> float:
    """Median F0 in Hz measured by Praat (parselmouth), independently of the studio's tracker."""
    import parselmouth

    sound = parselmouth.Sound(speech.audio.astype(np.float64), speech.sample_rate)
    f0 = sound.to_pitch(time_step=0.01, pitch_floor=60.0, pitch_ceiling=500.0)
    values = f0.selected_array["frequency"]
    return float(np.median(values[values > 0]))


def test_express_as_cheerful_gives_the_same_performance_as_the_emotion_cheerful(studio, plain):
    ssml = studio.perform(studio.plan(
        f'<speak {MSTTS}><mstts:express-as style="cheerful">{LINE}</mstts:express-as>'
        "</speak>", None), seed=SEED)
    assert ssml.text == plain.text
    assert np.array_equal(ssml.speech.audio, plain.speech.audio)
    assert np.array_equal(ssml.face.weights, plain.face.weights)
    assert np.array_equal(ssml.body.rotations, plain.body.rotations)


def test_a_break_puts_its_pause_in_the_audio_timeline_face_and_body(studio, plain):
    take = studio.perform(studio.plan(
        '<speak>The train leaves at nine,<break time="700ms"/> and we will be there on time.'
        "</speak>", "cheerful"), seed=SEED)
    words = take.speech.timeline.words
    nine, after = words[4], words[5]
    assert (nine.text, after.text) == ("nine", "and")
    assert after.start - nine.end == pytest.approx(0.7, abs=0.01)  # the timeline
    # the audio: silent (40 dB below the peak) over the pause, bar the fades at its edges
    sr = take.speech.sample_rate
    gap = take.speech.audio[int((nine.end + 0.05) * sr):int((after.start - 0.05) * sr)]
    assert np.abs(gap).max() < 0.01 * np.abs(take.speech.audio).max()
    # the whole take is longer by the break less the voice's own pause at the comma
    plain_words = plain.speech.timeline.words
    own = plain_words[5].start - plain_words[4].end
    assert take.speech.duration - plain.speech.duration == pytest.approx(0.7 - own, abs=0.02)
    # the face: silence on the lips over the pause, the jaw back to the expression's rest;
    # the body: animated over the longer take
    t = np.arange(take.face.frames) / take.face.fps
    inside = (t > nine.end + 0.1) & (t < after.start - 0.1)
    assert take.face.visemes[inside, OCULUS_VISEMES.index("sil")].min() > 0.8
    jaw = take.face.weights[:, ARKIT_NAMES.index("jawOpen")]
    assert jaw[inside].max() < 0.5 * jaw.max()
    assert take.body.duration == pytest.approx(take.speech.duration, abs=2 / take.body.fps)


def test_prosody_rate_and_pitch_change_duration_and_f0_on_top_of_the_emotion(studio, plain):
    slow = speak(studio, f'<speak><prosody rate="slow">{LINE}</prosody></speak>')
    words, plain_words = slow.timeline.words, plain.speech.timeline.words
    spoken = words[-1].end - words[0].start
    plain_spoken = plain_words[-1].end - plain_words[0].start
    assert spoken / plain_spoken == pytest.approx(1 / 0.64, rel=0.04)  # slow: rate 0.64
    high = speak(studio, f'<speak><prosody pitch="+3st">{LINE}</prosody></speak>')
    shift = 12 * np.log2(median_f0_praat(high) / median_f0_praat(plain.speech))
    assert shift == pytest.approx(3.0, abs=0.5)  # measured by Praat
    # the emotion is still there: the same cheerful timing as the plain take
    assert high.duration == pytest.approx(plain.speech.duration, rel=0.01)


def test_emphasis_lands_on_the_words_accent_and_marks_are_timed(studio, plain, tmp_path):
    speech = speak(studio, '<speak>The train leaves at <emphasis level="strong">nine'
                           '</emphasis>, and we will be <mark name="arrival"/>there on time.'
                           '<mark name="end"/></speak>')
    words, plain_words = speech.timeline.words, plain.speech.timeline.words
    nine = [i for i, s in enumerate(speech.timeline.syllables) if s.word == 4]
    assert any(speech.timeline.syllables[i].accent for i in nine)  # the brows and beats read it
    assert (words[4].end - words[4].start) > 1.15 * (plain_words[4].end - plain_words[4].start)

    def loudness(s, w):
        tl = s.timeline
        a, b = int(tl.words[w].start / tl.hop), int(tl.words[w].end / tl.hop)
        return float(np.max(tl.energy[a:b]))

    assert loudness(speech, 4) - loudness(speech, 3) > loudness(plain.speech, 4) - loudness(
        plain.speech, 3) + 1.5  # dB
    assert [m.name for m in speech.timeline.marks] == ["arrival", "end"]
    assert speech.timeline.marks[0].time == pytest.approx(words[9].start)  # "there"
    assert speech.timeline.marks[1].time == pytest.approx(words[-1].end)
    speech.timeline.save(tmp_path / "take.timeline.json")
    saved = Timeline.load(tmp_path / "take.timeline.json")
    assert [(m.name, round(m.time, 5)) for m in saved.marks] == [
        (m.name, round(m.time, 5)) for m in speech.timeline.marks]


def test_voice_switches_the_character_within_a_dialogue(studio):
    doc = parse_ssml('<speak><voice name="mara">Where were you all night?</voice>'
                     '<voice name="walter">Out walking by the river.</voice></speak>')
    parts = doc.voice_parts()
    assert [who for who, _ in parts] == ["mara", "walter"]
    tts = studio.tts("diffusion")
    voices = [tts.speak(part.plan("calm"), seed=SEED, character=load_character(who))
              for who, part in parts]
    assert [s.timeline.words[0].text for s in voices] == ["Where", "Out"]
    # a young woman's voice sits well above an old man's (Praat's F0)
    assert median_f0_praat(voices[0]) > 1.4 * median_f0_praat(voices[1])

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
    from synth.face.nonverbal import accented_syllables
    from synth.gesture.phrases import split_phrases

    plan = studio.plan('<speak>The train leaves at nine, and we will be <mark name="arrival"/>'
                       '<emphasis level="strong">there</emphasis> on time.<mark name="end"/>'
                       "</speak>", "cheerful")
    speech = studio.tts("diffusion").speak(plan, seed=SEED)
    tl, plain_tl = speech.timeline, plain.speech.timeline
    words, plain_words = tl.words, plain_tl.words
    there = [i for i, s in enumerate(tl.syllables) if s.word == 9]
    assert words[9].text == "there" and tl.syllables[there[0]].accent
    # longer and louder than the same word without emphasis
    assert (words[9].end - words[9].start) > 1.15 * (plain_words[9].end - plain_words[9].start)

    def loudness(timeline, w):
        word = timeline.words[w]
        a, b = int(word.start / timeline.hop), int(word.end / timeline.hop)
        return float(np.max(timeline.energy[a:b]))

    assert loudness(tl, 9) - loudness(tl, 8) > loudness(plain_tl, 9) - loudness(plain_tl, 8) + 1.5
    # the brows rise on it, the body's beat falls on it (not so without the emphasis)
    assert accented_syllables(tl) == pytest.approx([tl.syllables[there[0]].start])
    assert tl.syllables[there[0]].start not in accented_syllables(plain_tl)
    focus = [tl.words[p.focus.word].text for p in split_phrases(tl, plan.text) if p.focus]
    plain_focus = [plain_tl.words[p.focus.word].text
                   for p in split_phrases(plain_tl, plain.text) if p.focus]
    assert "there" in focus and "there" not in plain_focus
    # marks: at the start of the word after them, or the end of the last word
    assert [m.name for m in tl.marks] == ["arrival", "end"]
    assert tl.marks[0].time == pytest.approx(words[9].start)
    assert tl.marks[1].time == pytest.approx(words[-1].end)
    tl.save(tmp_path / "take.timeline.json")
    saved = Timeline.load(tmp_path / "take.timeline.json")
    assert [(m.name, round(m.time, 5)) for m in saved.marks] == [
        (m.name, round(m.time, 5)) for m in tl.marks]


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


def test_phoneme_speaks_the_ipa_given(studio):
    ipa = "t\u0259m\u02c8\u0251\u02d0to\u028a"
    ssml = (f'<speak>I say tomato, you say <phoneme alphabet="ipa" ph="{ipa}">tomato</phoneme>'
            ".</speak>")
    speech = speak(studio, ssml, "calm")
    words = speech.timeline.words
    assert [w.text for w in words] == ["I", "say", "tomato", "you", "say", "tomato"]

    def symbols(w):
        return [p.symbol for p in speech.timeline.phonemes if p.word == w]

    assert "eɪ" in symbols(2) and "ɑː" not in symbols(2)  # espeak's own reading
    assert "ɑː" in symbols(5) and "eɪ" not in symbols(5)  # the IPA asked for

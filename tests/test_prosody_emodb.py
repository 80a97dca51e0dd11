"""EmoDB syllable extraction, the shipped offset table, and a short training run."""

from __future__ import annotations

import numpy as np
import pytest

from synth.prosody import FEATURE_INDEX, PROSODY_FEATURES
from synth.prosody.emodb import EMODB_EMOTIONS, load_table
from synth.prosody.features import CONTEXT_FEATURES

F = FEATURE_INDEX




@pytest.fixture(scope="module")
def anger_pair(emodb):
    """Speaker 03's neutral and angry 'Der Lappen liegt auf dem Eisschrank.'"""
    from synth.prosody.emodb import measure, read_recordings, read_sentences

    recordings = {r.stem: r for r in read_recordings(emodb)}
    sentence = read_sentences(emodb)["a01"]
    return (measure(emodb, recordings["03a01Nc"], sentence),
            measure(emodb, recordings["03a01Wa"], sentence))


def test_syllable_labels_are_onsets_with_accents_and_words(anger_pair):
    neutral, _ = anger_pair
    syl = neutral.syllables
    assert syl.labels == ["der", "la", "pen", "liegt", "auf", "dem", "eis", "schrank"]
    assert np.all(syl.end > syl.start) and np.all(syl.in_clip)
    assert syl.stress[syl.labels.index("la")] == 1  # "LAppen" carries the accent mark
    assert syl.stress[syl.labels.index("schrank")] == 1
    words = [s.word for s in neutral.timeline.syllables]
    assert words == [0, 1, 1, 2, 3, 4, 5, 5]  # der | lap-pen | liegt | auf | dem | eis-schrank
    # the audio is silent before the first syllable and voiced inside "la"
    f0 = neutral.timeline.f0
    la = slice(int(syl.start[1] / 0.005), int(syl.end[1] / 0.005))
    assert (f0[la] > 0).mean() > 0.5


def test_syllables_past_the_cut_are_kept_for_context_but_not_measured(emodb):
    from synth.prosody.emodb import read_syllables

    syl = read_syllables(emodb, "03b03Nb")  # a 3.6 s original cut to 2.0 s
    assert syl.in_clip.any() and not syl.in_clip.all()
    assert syl.end[syl.in_clip].max() <= 2.0


def test_angry_offsets_against_neutral(anger_pair):
    from synth.prosody.emodb import offsets

    neutral, angry = anger_pair
    out = offsets(neutral, angry)
    assert out.shape == (8, len(PROSODY_FEATURES))
    assert np.nanmean(out[:, F["f0_level_st"]]) > 3.0  # anger is far higher
    assert np.nanmean(out[:, F["tilt_db"]]) > 2.0  # and brighter
    # energies are relative to the clip's mean, so they average out
    assert abs(np.nanmean(angry.measures[:, F["energy_db"]])) < 1e-6


def test_shipped_table_is_consistent():
    table = load_table()
    n = len(table["emotion"])
    assert table["context"].shape == (n, len(CONTEXT_FEATURES))
    assert table["offsets"].shape == (n, len(PROSODY_FEATURES))
    assert tuple(table["context_features"]) == CONTEXT_FEATURES
    neutral = table["emotion"] == EMODB_EMOTIONS.index("neutral")
    np.testing.assert_array_equal(table["offsets"][neutral], 0.0)
    assert set(np.unique(table["emotion"])) == set(range(len(EMODB_EMOTIONS)))
    assert ((table["recognition"] > 0) & (table["recognition"] <= 1)).all()


def test_short_training_run_saves_a_loadable_model(tmp_path):
    from controllers.target import EmotionTarget
    from synth.prosody.diffusion import DiffusionProsody
    from synth.prosody.train import TrainConfig, fit, utterances

    utts = [u for u in utterances(load_table()) if u["speaker"] == 3]
    model = fit(utts, TrainConfig(epochs=1, batch_size=16), progress=False)
    model.save(tmp_path)
    loaded = DiffusionProsody.load(tmp_path)
    context = utts[0]["context"]
    targets = [EmotionTarget.from_category("anger")] * len(context)
    np.testing.assert_allclose(loaded.sample(context, targets, seed=1),
                               model.sample(context, targets, seed=1), atol=1e-5)

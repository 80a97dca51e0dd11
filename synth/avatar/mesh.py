"""The avatar mesh: anny's MakeHuman base mesh with its 52 ARKit face targets, eyes and eyebrows.

The 52 targets are anny's; corrective shapes (:mod:`synth.avatar.correctives`) driven by them
complete the action units anny's targets show only faintly (brows drawn down and in, the inner
brows' slant, nose wrinkle, nasolabial fold, lower-lid tension, lip-corner pull):
:meth:`Avatar.apply_face` applies both, still from the 52 weights alone.

Read directly from the anny package's data files (never its torch model). Units are metres, Y up,
the character faces +Z with its left side on +X, feet on the ground plane y = 0.

Example
-------
>>> avatar = Avatar.load()       # once per process: from the per-user cache, else built (~0.4 s)
>>> mara = Avatar.load(load_character("mara").avatar)   # a character's body, face and colours
>>> avatar.vertices.shape, avatar.morph_targets.shape
((V, 3), (52, V, 3))
>>> smile = np.zeros(52); smile[ARKIT_NAMES.index("mouthSmileLeft")] = 1
>>> posed = avatar.apply_face(smile)           # (V, 3) float32 metres
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from controllers.character import AvatarSpec
from synth.avatar import anny_data
from synth.avatar.binding import SurfaceBinding
from synth.avatar.correctives import CORRECTIVE_NAMES, corrective_offsets, driver_matrix
from synth.avatar.eyebrows import build_eyebrow
from synth.avatar.eyes import EyeShape, build_eye
from synth.avatar.hair import build_hair
from synth.avatar.phenotype import base_vertices_m
from synth.avatar.shading import (bare_skin, clothing_colors, eye_colors, garment_coverage,
                                  palette_for, srgb_to_linear)
from synth.contracts import ARKIT_NAMES

#: Part labels of :attr:`Avatar.parts` (index = label value); "hair" is the cap of a longer cut
#: (:mod:`synth.avatar.hair`), absent from the default avatar.
PARTS: tuple[str, ...] = ("skin", "eyes", "teeth", "tongue", "eyelashes", "eyebrows", "hair")

#: base.obj groups kept, and the part each becomes. Other helpers (hair, tights, skirt, genital
#: proxies) and the joint cubes are fitting aids, not geometry to show; the helper eyes are
#: replaced by finer eye balls (:mod:`synth.avatar.eyes`).
KEPT_GROUPS: dict[str, str] = {
    "body": "skin",
    "helper-upper-teeth": "teeth",
    "helper-lower-teeth": "teeth",
    "helper-tongue": "tongue",
    **{f"helper-{s}-eyelashes-{k}": "eyelashes" for s in "lr" for k in (1, 2)},
}

#: How far below the eyes the head-only mesh ends, metres (just above the shoulders).
HEAD_CUT_BELOW_EYES = 0.19


@dataclass(frozen=True, eq=False)
class Avatar:
    """A triangle mesh of the avatar at rest with its 52 ARKit morph targets."""

    vertices: np.ndarray
    """(V, 3) float32 rest positions in metres, Y up, facing +Z, feet at y = 0."""
    faces: np.ndarray
    """(F, 3) int32 triangles, counter-clockwise seen from outside."""
    parts: np.ndarray
    """(V,) uint8 part label of each vertex, an index into :data:`PARTS`."""
    colors: np.ndarray
    """(V, 4) float32 linear RGBA vertex colours in [0, 1]."""
    morph_targets: np.ndarray
    """(52, V, 3) float32 offsets in metres at weight 1, in :data:`ARKIT_NAMES` order."""
    source: SurfaceBinding
    """Each vertex as a combination of base.obj vertices (itself for original vertices), which
    carries per-base-vertex data (e.g. skin weights) over to the avatar."""
    origin: np.ndarray
    """(3,) float64 where base.obj's origin lands, metres (vertices = base.obj * 0.1 + origin for
    the default body; another body is base.obj reshaped, see :mod:`synth.avatar.phenotype`)."""
    corrective_targets: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 3), np.float32))
    """(C, V, 3) float32 offsets in metres of the corrective shapes at weight 1, in
    :data:`synth.avatar.correctives.CORRECTIVE_NAMES` order (see that module)."""
    corrective_drivers: np.ndarray = field(default_factory=lambda: np.zeros((0, 52), np.float32))
    """(C, 52) float32: corrective weights = ``corrective_drivers @ arkit_weights``."""
    names: tuple[str, ...] = field(default=ARKIT_NAMES)
    """Morph-target names (ARKit)."""
    corrective_names: tuple[str, ...] = ()
    """Names of the corrective shapes (extra morph targets after the 52 in the GLB)."""
    bare_colors: np.ndarray | None = None
    """(V, 4) float32 linear RGBA colours without the T-shirt (trousers and shoes painted) (the renderer lays the shirt over
    them per pixel, :attr:`shirt_coverage`); None: :attr:`colors`."""
    shirt_coverage: np.ndarray | None = None
    """(V,) float32 signed shirt coverage (0 on its edge, > 0 under it; see
    :func:`synth.avatar.shading.garment_coverage`); None: no shirt layer."""
    shirt_color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Linear RGB of the T-shirt."""
    spec: AvatarSpec = field(default_factory=AvatarSpec)
    """The body, face and colours this mesh was built for (its rig: ``Skeleton.load(spec)``)."""

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, spec: AvatarSpec | None = None) -> Avatar:
        """The avatar of a character's :class:`AvatarSpec` (None: the default, anny's base mesh),
        built from anny's data files on the first call and cached for the process per spec, and
        on disk for later processes (:mod:`synth.avatar.cache`: the same arrays)."""
        return _load_avatar(AvatarSpec() if spec is None else spec)

    # ------------------------------------------------------------------ face
    def apply_face(self, weights: np.ndarray) -> np.ndarray:
        """Vertices with blendshape weights applied (the 52 ARKit targets and the corrective
        shapes they drive, :attr:`face_targets`).

        Parameters
        ----------
        weights : (52,) or (frames, 52) float, ARKit weights (usually in [0, 1]).

        Returns
        -------
        (V, 3) or (frames, V, 3) float32 vertex positions in metres.
        """
        w = np.asarray(weights, dtype=np.float32)
        if w.shape[-1] != len(self.names) or w.ndim not in (1, 2):
            raise ValueError(f"weights must have shape (52,) or (frames, 52), got {w.shape}")
        ids, compact = self._moved
        if w.ndim == 1:
            # einsum, not BLAS: a (52,) x (52, n) product is too small to gain from threads,
            # and BLAS threads stall when the machine is busy.
            posed = self.vertices.copy()
            posed[ids] += np.einsum("k,kn->n", w, compact).reshape(-1, 3)
            return posed
        offsets = (w @ compact).reshape(len(w), len(ids), 3)
        posed = np.repeat(self.vertices[None], len(w), axis=0)
        posed[:, ids] += offsets
        return posed

    def corrective_weights(self, weights: np.ndarray) -> np.ndarray:
        """(C,) or (frames, C) float32 corrective weights driven by ARKit ``weights`` (52,) or
        (frames, 52)."""
        return np.asarray(weights, np.float32) @ self.corrective_drivers.T

    @cached_property
    def face_targets(self) -> np.ndarray:
        """(52, V, 3) float32 offsets of each ARKit weight as the avatar shows it: its anny
        target plus the corrective shapes it drives (what :meth:`apply_face` applies)."""
        if len(self.corrective_targets) == 0:
            return self.morph_targets
        return (self.morph_targets + np.einsum("ck,cvx->kvx", self.corrective_drivers,
                                               self.corrective_targets)).astype(np.float32)

    @cached_property
    def _moved(self) -> tuple[np.ndarray, np.ndarray]:
        """Vertices some target moves, and the targets over them only as (52, n*3): a third of
        the mesh, so applying weights costs a quarter of the dense product."""
        targets = self.face_targets
        ids = np.flatnonzero(np.abs(targets).max(axis=(0, 2)) > 0)
        return ids, np.ascontiguousarray(targets[:, ids].reshape(len(self.names), -1))

    @cached_property
    def face_vertices(self) -> np.ndarray:
        """(n,) int vertex indices of the face: skin and brow vertices some target moves by more
        than a millimetre (brows to chin, cheek to cheek)."""
        moved = np.abs(self.morph_targets).max(axis=(0, 2)) > 1e-3   # anny's own: a stable box
        return np.flatnonzero(moved & np.isin(self.parts, [PARTS.index("skin"), PARTS.index("eyebrows")]))

    @cached_property
    def eye_height(self) -> float:
        """Height of the eye centres above the ground in metres."""
        return float(self.vertices[self.parts == PARTS.index("eyes")][:, 1].mean())

    # ------------------------------------------------------------------ regions
    def region(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A sub-mesh: ``"body"`` (everything) or ``"head"`` (head and neck, for face.glb).

        Returns ``(vertex_ids (n,) int64 into the full mesh, faces (m, 3) int32 into vertex_ids)``.
        """
        if name == "body":
            return np.arange(len(self.vertices)), self.faces
        if name != "head":
            raise ValueError(f"unknown region {name!r}; expected 'head' or 'body'")
        keep = self.vertices[:, 1] >= self.eye_height - HEAD_CUT_BELOW_EYES
        faces = self.faces[keep[self.faces].all(axis=1)]
        ids = np.unique(faces)
        remap = np.full(len(self.vertices), -1, np.int64)
        remap[ids] = np.arange(len(ids))
        return ids, remap[faces].astype(np.int32)

    def part_mask(self, *names: str) -> np.ndarray:
        """(V,) bool mask of the vertices in the given parts (see :data:`PARTS`)."""
        return np.isin(self.parts, [PARTS.index(n) for n in names])


# ---------------------------------------------------------------------- building
def _triangulate(quads: np.ndarray) -> np.ndarray:
    """Split quads (F, 4) into triangles (2F, 3), dropping the degenerate ones of collapsed quads."""
    tris = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    distinct = (tris[:, 0] != tris[:, 1]) & (tris[:, 1] != tris[:, 2]) & (tris[:, 0] != tris[:, 2])
    return tris[distinct]


def _base_morph_targets(n_vertices: int) -> np.ndarray:
    """(52, V_obj, 3) float32 faceunit offsets in metres over all base.obj vertices."""
    targets = np.zeros((len(ARKIT_NAMES), n_vertices, 3), np.float32)
    for k, name in enumerate(ARKIT_NAMES):
        idx, offsets = anny_data.read_target(anny_data.faceunit_path(name))
        targets[k, idx] = offsets * anny_data.DECIMETRE
    return targets


def _base_correctives(base: np.ndarray, groups: dict[str, np.ndarray],
                      base_targets: np.ndarray) -> np.ndarray:
    """(C, V_obj, 3) float32 corrective offsets over all base.obj vertices (face skin only);
    ``base_targets`` (52, V_obj, 3) are the ARKit targets (they locate the lip corner)."""
    face = np.zeros(len(base), bool)
    face[groups["body"]] = True
    eye = base[groups["helper-l-eye"]].mean(axis=0)
    face &= (base[:, 1] > eye[1] - 0.11) & (base[:, 1] < eye[1] + 0.09)
    smile = base_targets[ARKIT_NAMES.index("mouthSmileLeft")]
    corner = base[np.argmax(np.linalg.norm(smile, axis=1))]   # the left lip corner: where a smile pulls most
    return corrective_offsets(base, face, eye, corner)


@lru_cache(maxsize=8)
def _load_avatar(spec: AvatarSpec) -> Avatar:
    from synth.avatar.cache import cached

    return cached("avatar", spec, lambda: _build_avatar(spec), _avatar_arrays,
                  lambda arrays: _avatar_from_arrays(arrays, spec))


#: The array fields of an :class:`Avatar` as the disk cache stores them (the targets apart).
_ARRAY_FIELDS = ("vertices", "faces", "parts", "colors", "origin", "corrective_drivers",
                 "bare_colors", "shirt_coverage")
#: The (K, V, 3) target fields, stored over the vertices they move only (a third of the mesh).
_TARGET_FIELDS = ("morph_targets", "corrective_targets")


def _avatar_arrays(avatar: Avatar) -> dict[str, np.ndarray]:
    """An avatar's data as named arrays (for :mod:`synth.avatar.cache`), with the derived
    arrays every take needs (the face's vertices, the moved vertices' targets)."""
    moved_ids, moved_targets = avatar._moved
    arrays = {name: getattr(avatar, name) for name in _ARRAY_FIELDS}
    for name in _TARGET_FIELDS:
        targets = getattr(avatar, name)
        # every vertex with a bit set (-0.0 too), so that the dense array comes back exactly
        ids = np.flatnonzero((targets.view(f"u{targets.itemsize}") != 0).any(axis=(0, 2)))
        arrays[f"{name}_ids"], arrays[f"{name}_moved"] = ids, targets[:, ids]
    return {**arrays, "source_vertex_ids": avatar.source.vertex_ids,
            "source_weights": avatar.source.weights,
            "shirt_color": np.asarray(avatar.shirt_color, np.float64),
            "face_vertices": avatar.face_vertices, "moved_ids": moved_ids,
            "moved_targets": moved_targets}


def _avatar_from_arrays(arrays: dict[str, np.ndarray], spec: AvatarSpec) -> Avatar:
    """The avatar of :func:`_avatar_arrays`'s arrays, as :func:`_build_avatar` made it."""
    targets = {}
    n_vertices = len(arrays["vertices"])
    for name in _TARGET_FIELDS:
        moved = arrays[f"{name}_moved"]
        targets[name] = np.zeros((len(moved), n_vertices, 3), moved.dtype)
        targets[name][:, arrays[f"{name}_ids"]] = moved
    avatar = Avatar(**{name: arrays[name] for name in _ARRAY_FIELDS}, **targets,
                    source=SurfaceBinding(arrays["source_vertex_ids"], arrays["source_weights"]),
                    corrective_names=CORRECTIVE_NAMES,
                    shirt_color=tuple(float(c) for c in arrays["shirt_color"]), spec=spec)
    # the cached properties' values, as they would compute them
    avatar.__dict__["face_vertices"] = arrays["face_vertices"]
    avatar.__dict__["_moved"] = (arrays["moved_ids"], arrays["moved_targets"])
    return avatar


def _build_avatar(spec: AvatarSpec) -> Avatar:
    """Build ``spec``'s avatar from anny's data files (about half a second)."""
    obj = anny_data.read_base_obj()
    groups = anny_data.vertex_groups()
    base = base_vertices_m(spec)                              # (V_obj, 3) metres, the spec's body
    origin = base[0] - obj.vertices[0] * anny_data.DECIMETRE
    palette = palette_for(spec)

    # Original geometry of the kept groups.
    group_names = np.asarray(obj.groups)[obj.face_group]
    pieces_v, pieces_f, pieces_part, pieces_rgb, pieces_bind = [], [], [], [], []
    offset = 0

    def add(vertices, faces_local, part, rgb, binding):
        nonlocal offset
        pieces_v.append(np.asarray(vertices, np.float32))
        pieces_f.append(faces_local + offset)
        pieces_part.append(np.full(len(vertices), PARTS.index(part), np.uint8))
        pieces_rgb.append(np.asarray(rgb, np.float32))
        pieces_bind.append(binding)
        offset += len(vertices)

    for part in dict.fromkeys(KEPT_GROUPS.values()):
        names = [g for g, p in KEPT_GROUPS.items() if p == part]
        tris = _triangulate(obj.quads[np.isin(group_names, names)])
        ids = np.unique(tris)
        remap = np.full(len(base), -1, np.int64)
        remap[ids] = np.arange(len(ids))
        if part == "skin":
            eye_centre = base[np.concatenate([groups["helper-l-eye"], groups["helper-r-eye"]])].mean(0)
            neck_height = float(base[groups["joint-neck"], 1].mean())
            # the renderer lays the shirt over per pixel (a clean neckline): keep a copy without it
            bare = clothing_colors(bare_skin(obj.uv[ids], base[ids], eye_centre, palette,
                                             spec.hair_length), ids,
                                   base[ids], neck_height, palette, garments=("trousers", "shoes"))
            rgb = clothing_colors(bare, ids, base[ids], neck_height, palette, garments=("shirt",))
            shirt = garment_coverage(ids, base[ids], neck_height)["shirt"]
            skin_offset, skin_bare = offset, bare
        else:
            rgb = np.tile(np.asarray(getattr(palette, part), np.float32), (len(ids), 1))
        identity = SurfaceBinding(np.repeat(ids[:, None], 3, 1),
                                  np.tile(np.array([1, 0, 0], np.float32), (len(ids), 1)))
        add(base[ids], remap[tris], part, rgb, identity)
        if part == "skin":
            skin_tris = tris

    # Eye balls over the helper eyes, then eyebrows above them.
    eye_shape = EyeShape()
    eye_tris = _triangulate(obj.quads[np.isin(group_names, ["helper-l-eye", "helper-r-eye"])])
    for side, group in ((1.0, "helper-l-eye"), (-1.0, "helper-r-eye")):
        helper_faces = eye_tris[np.isin(eye_tris[:, 0], groups[group])]
        verts, faces, polar, binding = build_eye(base, helper_faces, eye_shape)
        add(verts, faces, "eyes", eye_colors(polar, eye_shape.pupil, eye_shape.iris, palette), binding)
        centre = base[groups[group]].mean(axis=0)
        radius = float(np.linalg.norm(base[groups[group]] - centre, axis=1).mean())
        verts, faces, binding = build_eyebrow(centre, radius, side, base, skin_tris)
        add(verts, faces, "eyebrows", np.tile(np.asarray(palette.eyebrows, np.float32), (len(verts), 1)),
            binding)

    if spec.hair_length > 0:   # a longer cut: a lifted cap over the painted hair (none by default)
        verts, faces, binding = build_hair(base, skin_tris, eye_centre, spec.hair_length)
        add(verts, faces, "hair", np.tile(np.asarray(palette.hair, np.float32), (len(verts), 1)),
            binding)

    source = SurfaceBinding(np.concatenate([b.vertex_ids for b in pieces_bind]),
                            np.concatenate([b.weights for b in pieces_bind]))
    base_targets = _base_morph_targets(len(base))
    morph = source.interpolate(base_targets).astype(np.float32)
    corrective = source.interpolate(_base_correctives(base, groups, base_targets)).astype(np.float32)
    rgba = np.concatenate([srgb_to_linear(np.concatenate(pieces_rgb)),
                           np.ones((offset, 1), np.float32)], axis=1)
    bare_rgba = rgba.copy()
    bare_rgba[skin_offset:skin_offset + len(skin_bare), :3] = srgb_to_linear(skin_bare)
    shirt_coverage = np.full(offset, -1.0, np.float32)
    shirt_coverage[skin_offset:skin_offset + len(shirt)] = shirt
    return Avatar(
        vertices=np.concatenate(pieces_v),
        faces=np.concatenate(pieces_f).astype(np.int32),
        parts=np.concatenate(pieces_part),
        colors=rgba,
        morph_targets=morph,
        source=source,
        origin=origin,
        corrective_targets=corrective,
        corrective_drivers=driver_matrix(),
        corrective_names=CORRECTIVE_NAMES,
        bare_colors=bare_rgba,
        shirt_coverage=shirt_coverage,
        shirt_color=tuple(float(c) for c in srgb_to_linear(palette.shirt)),
        spec=spec,
    )

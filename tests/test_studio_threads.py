"""studio.threads: one math thread while a take renders, the caller's settings restored."""

from __future__ import annotations

import threadpoolctl
import torch

from studio.threads import single_threaded


def test_single_threaded_limits_and_restores():
    before_torch = torch.get_num_threads()
    before_blas = [p["num_threads"] for p in threadpoolctl.threadpool_info()]
    with single_threaded():
        assert torch.get_num_threads() == 1
        assert all(p["num_threads"] == 1 for p in threadpoolctl.threadpool_info())
    assert torch.get_num_threads() == before_torch
    assert [p["num_threads"] for p in threadpoolctl.threadpool_info()] == before_blas


def test_settings_come_back_after_an_error():
    before = torch.get_num_threads()
    try:
        with single_threaded():
            raise RuntimeError("a failing take")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before

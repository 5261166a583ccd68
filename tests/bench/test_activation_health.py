"""The warm-up's activation check finds what it is for, with fewer passes (issue #16's start-up work)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


class Emit(torch.nn.Module):
    """A leaf that outputs a given tensor."""

    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, _x):
        return self.value


def check(value):
    from artcost.bench.synthetic import activation_health

    model = torch.nn.Sequential(Emit(value))
    with activation_health({"m": model}) as health:
        model(torch.zeros(1))
    return health


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_output_is_found(bad):
    x = torch.ones(1000)
    x[517] = bad
    r = check(x)
    assert r.nonfinite_outputs == 1 and r.worst == ["m.0: non-finite"]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_subnormals_are_counted_and_zeros_are_not(dtype):
    tiny = torch.finfo(dtype).tiny
    x = torch.ones(1000, dtype=dtype)
    x[:3] = 0
    assert check(x).subnormal_values == 0
    x[10:14] = torch.tensor(tiny / 4, dtype=dtype)
    x[20] = -torch.tensor(tiny / 4, dtype=dtype)
    r = check(x)
    assert r.subnormal_values == 5 and r.nonfinite_outputs == 0 and r.values_checked == 1000


def test_empty_and_integer_outputs_are_skipped():
    assert check(torch.empty(0)).modules_checked == 0
    assert check(torch.arange(4)).modules_checked == 0

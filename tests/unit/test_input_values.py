"""Where each value of a run comes from, what a release pins, and the version table rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.config.stack import read_stack
from envman.input_values import (
    Layers,
    Source,
    effective_values,
    next_pins,
    pin_conflicts,
    read_code_layers,
)

STACK = """
variable "image_tag" {
  type    = string
  default = "v1"
}
variable "replicas" {
  type    = number
  default = 1
}
variable "token" {
  type      = string
  sensitive = true
  default   = "secret-default"
}
variable "region" {
  type = string
}
"""


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(STACK)
    return tmp_path


def test_highest_layer_wins_and_secrets_keep_only_their_source(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = read_stack(stack_dir)
    tfvars = stack_dir / "terraform.tfvars"
    tfvars.write_text('image_tag = "1.1.0"\ntoken = "from-tfvars"\n')
    monkeypatch.setenv("TF_VAR_region", "eu-west-1")
    code = read_code_layers(stack, [tfvars], stack_dir)
    layers = Layers(
        defaults=code.defaults,
        environment=code.environment,
        tfvars=code.tfvars,
        pins={"replicas": 4},
        pins_seq=7,
    )
    values = effective_values(stack, layers)
    assert values == {
        "image_tag": {"value": "1.1.0", "source": "tfvars", "file": "terraform.tfvars"},
        "region": {"value": "eu-west-1", "source": "environment"},
        "replicas": {"value": 4, "source": "pin", "seq": 7},
        "token": {"sensitive": True, "source": "tfvars", "file": "terraform.tfvars"},
    }
    assert "from-tfvars" not in repr(layers) and "secret-default" not in repr(layers)
    assert pin_conflicts(layers) == []  # tfvars does not set replicas

    over = Layers(
        tfvars=code.tfvars,
        overrides={"image_tag": "2.0.0"},
        override_source=Source.PROMOTION,
        override_origin="staging#3",
    )
    assert effective_values(stack, over)["image_tag"] == {
        "value": "2.0.0",
        "source": "promotion",
        "from": "staging#3",
    }


def test_what_a_release_pins() -> None:
    values = {
        "a": {"value": 1, "source": "set"},  # carried: pinned
        "b": {"value": 2, "source": "set"},  # one-off
        "c": {"value": 3, "source": "tfvars"},  # code
        "d": {"value": 4, "source": "tfvars"},  # code, but --pin
        "e": {"value": 5, "source": "pin"},
        "f": {"value": 6, "source": "rollback"},  # code says 6: follows the code
        "g": {"value": 7, "source": "rollback"},  # code says 0: pinned
        "h": {"value": 8, "source": "set"},  # was pinned: the --set replaces the pin
        "s": {"sensitive": True, "source": "set"},
    }
    layers = Layers(tfvars={"f": (6, "t"), "g": (0, "t")}, pins={"h": 1})
    pins = next_pins(values, layers, frozenset({"a", "s"}), frozenset({"d"}))
    assert pins == {"a": 1, "d": 4, "e": 5, "g": 7, "h": 8}


def test_pin_against_code_names_both_and_the_way_out() -> None:
    layers = Layers(tfvars={"image_tag": ("1.3.0", "envs/x/terraform.tfvars")}, pins={"image_tag": "1.2.0"}, pins_seq=3)  # fmt: skip
    assert pin_conflicts(layers) == [
        "image_tag: pinned to 1.2.0 by release #3, but envs/x/terraform.tfvars says 1.3.0; "
        "keeping the pin (run with --unpin image_tag to take 1.3.0)"
    ]

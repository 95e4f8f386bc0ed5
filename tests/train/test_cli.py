"""The `snnc train` subcommand hook: parser options, checkpoint and history output."""
import argparse
import json

import pytest

from snnc.checkpoint import evaluate, load
from snnc.errors import ConfigError
from snnc.train import cli


def _parse(argv):
    parser = argparse.ArgumentParser(prog="snnc")
    cli.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["train", *argv])


def test_train_subcommand_writes_checkpoint_and_history(tmp_path, capsys):
    out, hist = tmp_path / "m.pt", tmp_path / "h.json"
    args = _parse(["--arch", "mlp", "--method", "direct", "--quant", "tawq", "--T", "2", "--epochs", "2",
                   "--seed", "1", "--set", "hidden=[32]", "--dropout", "0.1", "--out", str(out),
                   "--history", str(hist), "--quiet"])
    assert args.func is cli.run
    assert cli.run(args) == 0
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and str(out) in printed
    model = load(out)
    assert model.config["quant"] == "tawq" and model.config["hidden"] == [32] and model.config["dropout"] == 0.1
    assert model.metadata["seed"] == 1 and model.metadata["epochs"] == 2
    assert evaluate(out)["accuracy"] == model.metadata["accuracy"]
    history = json.loads(hist.read_text())
    assert [row["epoch"] for row in history["epochs"]] == [1, 2]


def test_set_needs_key_value():
    args = _parse(["--arch", "mlp", "--set", "hidden", "--epochs", "1"])
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        cli.run(args)


def test_standalone_main_reports_errors_in_one_line(capsys):
    assert cli.main(["--arch", "lstm", "--epochs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("snnc train: error:") and "lstm" in err and err.count("\n") == 1

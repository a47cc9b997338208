"""One default map everywhere: 2025, the map in force, for every command and page."""

from __future__ import annotations

import argparse
import ast

from geo.cli import build_parser
from geo.settings import DEFAULT_VINTAGE, REPO_ROOT


def _subparsers(parser: argparse.ArgumentParser, path: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{path} {name}".strip(), sub
                yield from _subparsers(sub, f"{path} {name}")


def test_every_command_with_a_map_defaults_to_2025():
    assert DEFAULT_VINTAGE == "2025"
    parser = build_parser()
    assert "2025 administrative map" in parser.format_help()
    seen = []
    for name, sub in _subparsers(parser):
        for action in sub._actions:
            if "--vintage" in action.option_strings:
                seen.append(name)
                # filters and history streams: both maps unless one is named
                if name in ("roster history", "border-list history", "roster restore"):
                    assert action.default is None
                    continue
                assert action.default == "2025", name
                assert "2025" in sub.format_help()
    assert {"communes", "border-communes", "border-summary", "export", "roster validate",
            "roster import", "roster template"} <= set(seen)


def test_pages_default_to_2025():
    from pages import _common as common

    assert common.DEFAULTS["vintage"] == "2025"
    assert common.VINTAGE_CHOICES[0] == "2025"
    # _common.py offers "posts held before the merger (2020 roster)" as an option, not a default
    for page in set((REPO_ROOT / "pages").glob("*.py")) - {REPO_ROOT / "pages" / "_common.py"}:
        tree = ast.parse(page.read_text(encoding="utf-8"))
        literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
        assert "2020" not in literals, f"{page.name} hard-codes the 2020 map"

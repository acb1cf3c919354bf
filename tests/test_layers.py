"""Knowledge flows one way: coordination → cases → consent → core.

A layer imports nothing from the layers above it, names none of their modules or models in a
string (a dotted path called back at run time, a model label), and its migrations depend on an
upper layer's only through a setting (``migrations.swappable_dependency``), as ``AUTH_USER_MODEL``
is depended on.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

LAYERS = ["core", "consent", "cases", "coordination"]  # lowest first
ROOT = Path(__file__).resolve().parent.parent


def _above(layer: str) -> set[str]:
    return set(LAYERS[LAYERS.index(layer) + 1 :])


def _sources(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def _imported_packages(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _dotted_strings(tree: ast.AST) -> set[str]:
    dotted = re.compile("({})".format("|".join(LAYERS)) + r"\.[A-Za-z_][\w.]*")
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and dotted.fullmatch(node.value)
    }


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_nothing_from_the_layers_above_it(layer: str) -> None:
    upward = [
        f"{path.relative_to(ROOT)} imports {package}"
        for path in _sources(layer)
        for package in sorted(_imported_packages(ast.parse(path.read_text())) & _above(layer))
    ]
    assert upward == []


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_names_no_upper_module_or_model_in_a_string(layer: str) -> None:
    upward = [
        f"{path.relative_to(ROOT)}: {text!r}"
        for path in _sources(layer)
        for text in sorted(_dotted_strings(ast.parse(path.read_text())))
        if text.split(".")[0] in _above(layer)
    ]
    assert upward == []


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layers_migrations_depend_on_upper_layers_only_through_settings(layer: str) -> None:
    migrations = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    upward = [
        f"{app}.{name} depends on {dependency[0]}.{dependency[1]}"
        for (app, name), migration in sorted(migrations.items())
        if app == layer
        for dependency in migration.dependencies
        if dependency[0] in _above(layer) and not hasattr(dependency, "setting")
    ]
    assert upward == []


def test_the_layering_checks_see_the_apps_sources() -> None:
    assert all(_sources(layer) for layer in LAYERS)
    assert "consent" in _imported_packages(ast.parse((ROOT / "cases/admin.py").read_text()))
    loaded = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    assert ("core", "0001_initial") in loaded and ("consent", "0002_sharing") in loaded
    swappable = [d for d in loaded["consent", "0002_sharing"].dependencies if hasattr(d, "setting")]
    named = {settings.CONSENT_SUBJECT_MODEL, settings.CONSENT_PARTY_MODEL}
    assert {d.setting for d in swappable} >= named

"""The table of commands (cli/registry.py): each command is registered by the module ORDER names."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from bcc_tui.cli import commands, registry


def test_the_table_names_the_module_that_registers_each_command(monkeypatch):
    # A module that ORDER does not name is never imported by the program: its commands would be
    # missing without a word, so every module of cli/commands/ is imported here first.
    for module in pkgutil.iter_modules(commands.__path__, f"{commands.__name__}."):
        importlib.import_module(module.name)
    assert [c.name for c in registry.in_order()] == list(registry.ORDER)
    monkeypatch.setitem(registry.ORDER, "assign", "bcc_tui.cli.commands.clinic")
    with pytest.raises(RuntimeError, match="assign"):
        registry.in_order()


def test_a_listed_command_that_nobody_registers_is_named(monkeypatch):
    monkeypatch.setitem(registry.ORDER, "frobnicate", "bcc_tui.cli.commands.clinic")
    with pytest.raises(RuntimeError, match="frobnicate"):
        registry.in_order()

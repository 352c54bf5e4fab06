"""What a chapter reads is derived from its build; reading anything else fails loudly."""

from __future__ import annotations

import inspect
import types

import pytest

from needs_assessment.chapters import registry
from needs_assessment.config import CHAPTERS
from needs_assessment.prepare import TABLE_NAMES, UndeclaredTableError, prepare, read


def test_every_chapter_folder_is_registered():
    assert set(CHAPTERS) == set(registry.SPECS)


@pytest.mark.parametrize("key", [k for k in registry.SPECS if k != "summary"])
def test_inputs_are_the_builds_keyword_only_parameters(key):
    parameters = inspect.signature(registry.analysis(key).build).parameters
    declared = {n for n, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert set(registry.inputs(key)) == declared
    assert declared <= TABLE_NAMES and declared


def test_summary_reads_no_tables():
    assert registry.inputs("summary") == ()


def fake_chapter(monkeypatch, build):
    module = types.SimpleNamespace(build=build)
    monkeypatch.setattr(registry, "analysis", lambda key: module)


def test_reading_an_undeclared_table_fails_loudly(default_config, monkeypatch):
    prepare(default_config)

    def build(config, definitions, *, lsoa_lookup):
        return read(config, "imd")  # not among its parameters

    fake_chapter(monkeypatch, build)
    with pytest.raises(UndeclaredTableError, match="'imd' is read but not declared"):
        registry.build("trends", default_config)


def test_declared_tables_arrive_as_arguments(default_config, monkeypatch):
    prepare(default_config)

    def build(config, definitions, *, lsoa_lookup, imd):
        return len(lsoa_lookup), len(imd)

    fake_chapter(monkeypatch, build)
    lookup_rows, imd_rows = registry.build("trends", default_config)
    assert lookup_rows > 0 and imd_rows > 0
    assert len(read(default_config, "imd")) == imd_rows  # outside a build, read is open


def test_unknown_table_parameter_is_refused(monkeypatch):
    def build(config, definitions, *, no_such_table):
        return None

    fake_chapter(monkeypatch, build)
    with pytest.raises(TypeError, match="unknown tables: no_such_table"):
        registry.inputs("trends")

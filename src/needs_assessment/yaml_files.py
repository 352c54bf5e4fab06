"""YAML files read safely: UTF-8 only, no duplicate keys, errors naming file and line.

Every YAML the toolkit reads (configs, the definitions file, the data manifest) goes
through :func:`read_yaml`, so a key given twice is refused instead of the last one winning.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from needs_assessment.errors import ConfigError
from needs_assessment.paths import from_root


class UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a mapping with the same key twice."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (line {key_node.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file's contents, or a ``ConfigError`` saying what is wrong with it."""
    if not path.exists():
        raise ConfigError(f"{what} not found: {path}")
    if not path.is_file():
        raise ConfigError(f"{path}: {what} is a folder, not a file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: line {line}: not UTF-8 text (save the file as UTF-8, not Windows-1252)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc.strerror}") from None


def parse_yaml(text: str, path: Path):
    """YAML text parsed safely; a duplicate key or bad syntax named with file and line."""
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError) and "duplicate key" in problem:
            raise ConfigError(f"{path}:{where} {problem}: each key may appear once") from None
        raise ConfigError(f"{path}:{where} not valid YAML: {problem}") from None


def read_yaml(path: str | Path, what: str = "file"):
    """A YAML file parsed with :class:`UniqueKeyLoader`, errors naming the file and line."""
    path = from_root(path)
    return parse_yaml(read_text(path, what), path)

"""The 14 misconduct categories, loaded from `rules/taxonomy.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .datafile import read_yaml
from .errors import DataFileError
from .resources import rules_dir

FIELDS = ("id", "name", "gloss", "group", "definition")


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    gloss: str
    group: str
    definition: str


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Category, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def __getitem__(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(f"unknown category id {category_id!r}; known: {', '.join(self.ids)}")

    def __contains__(self, category_id: object) -> bool:
        return category_id in self.ids

    def __iter__(self):
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a taxonomy file; errors name the file and the offending key."""
    path = Path(path) if path is not None else rules_dir() / "taxonomy.yaml"
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise DataFileError(path, "expected a mapping with a 'categories' list", key="categories")
    categories = []
    seen: set[str] = set()
    for index, entry in enumerate(data["categories"]):
        key = f"categories[{index}]"
        if not isinstance(entry, dict):
            raise DataFileError(path, "each category must be a mapping", key=key)
        unknown = set(entry) - set(FIELDS)
        if unknown:
            raise DataFileError(path, f"unknown field(s): {', '.join(sorted(unknown))}", key=key)
        for field in FIELDS:
            value = entry.get(field)
            if not isinstance(value, str) or not value.strip():
                raise DataFileError(path, "missing or empty text", key=f"{key}.{field}")
        if entry["id"] in seen:
            raise DataFileError(path, f"duplicate id {entry['id']!r}", key=f"{key}.id")
        seen.add(entry["id"])
        categories.append(Category(**{field: entry[field].strip() for field in FIELDS}))
    if not categories:
        raise DataFileError(path, "no categories defined", key="categories")
    return Taxonomy(tuple(categories))


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, read once per process."""
    return load_taxonomy()

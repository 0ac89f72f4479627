"""Finding every model with encrypted fields, whoever wrote it.

Key rotation, erasure and search work from this list rather than from named models, so
a model added later (case history, aliases, notes) is covered as soon as it declares
an EncryptedField and names its case column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import registry

from casework.crypto.blind_index import BlindIndex
from casework.crypto.fields import EncryptedField, case_column, encrypted_fields


@dataclass(frozen=True)
class EncryptedModel:
    model: type[Any]
    fields: tuple[EncryptedField[Any], ...]
    case_column: str

    def indexed(self, kind: str) -> list[tuple[str, EncryptedField[Any], BlindIndex]]:
        """(index field name, field, index) of this model's fields indexed as `kind`."""
        return [
            (f.index_field(self.model), f, f.blind_index)
            for f in self.fields
            if f.blind_index is not None and f.blind_index.kind == kind
        ]


@dataclass(frozen=True)
class KekSealedColumn:
    """A column holding a secret sealed directly by the KEK (Keyring.seal_secret), with
    the purpose and the attribute naming its owner that the associated data binds."""

    model: type[Any]
    column: str
    purpose: str
    owner: str


def kek_sealed_columns(*registries: registry) -> list[KekSealedColumn]:
    """Every column a model declares in `__kek_sealed__ = {column: (purpose, owner)}`."""
    found = []
    for each in registries:
        for mapper in sorted(each.mappers, key=lambda m: m.class_.__name__):
            declared = getattr(mapper.class_, "__kek_sealed__", {})
            for column, (purpose, owner) in sorted(declared.items()):
                if column not in mapper.columns or owner not in mapper.columns:
                    raise TypeError(f"{mapper.class_.__name__}.__kek_sealed__ names {column!r}")
                found.append(KekSealedColumn(mapper.class_, column, purpose, owner))
    return found


def encrypted_models(*registries: registry) -> list[EncryptedModel]:
    """Every mapped class with encrypted fields, in a stable order.

    Raises TypeError for a model that does not say which case its rows belong to: its
    fields could be neither rotated nor erased with their case.
    """
    found = []
    for each in registries:
        for mapper in sorted(each.mappers, key=lambda m: m.class_.__name__):
            fields = encrypted_fields(mapper.class_)
            if not fields:
                continue
            column = case_column(mapper.class_)
            if column not in mapper.columns:
                raise TypeError(
                    f"{mapper.class_.__name__} has encrypted fields but no column {column!r} "
                    "naming its case; set __case_column__"
                )
            found.append(EncryptedModel(mapper.class_, fields, column))
    return found

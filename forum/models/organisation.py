"""Member organisations (councils and others) as records that people belong to."""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm import validates

from forum.extensions import db
from forum.models.base import str_enum as _str_enum
from forum.models.base import utcnow


class OrganisationKind(enum.StrEnum):
    COUNTY = "county"
    DISTRICT = "district"
    UNITARY = "unitary"
    METROPOLITAN = "metropolitan"
    LONDON_BOROUGH = "london_borough"
    COMBINED_AUTHORITY = "combined_authority"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "county": "County council", "district": "District council",
            "unitary": "Unitary authority", "metropolitan": "Metropolitan borough",
            "london_borough": "London borough", "combined_authority": "Combined authority",
            "other": "Other organisation",
        }[self.value]


class Nation(enum.StrEnum):
    ENGLAND = "england"
    SCOTLAND = "scotland"
    WALES = "wales"
    NORTHERN_IRELAND = "northern_ireland"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()


# The most characters a name_key holds. Folding may lengthen a name: "ß" is "ss", and one
# compatibility character may spell out eighteen (U+FDFA), so a name of 150 characters could
# give a key no column of this length holds (PostgreSQL refused it: a server error).
KEY_LENGTH = 300


def name_key(name: str) -> str:
    """What two spellings of one organisation's name share: trimmed, case-folded the Unicode
    way ("ÉCOLE" and "école", "STRASSE" and "Straße"), composed characters as one, and its
    first :data:`KEY_LENGTH` characters (names alike that far, which only spelt-out
    compatibility characters reach, count as one)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())
    return folded[:KEY_LENGTH]


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept as first spelled (stored trimmed); unique by name_key.
    name: Mapped[str] = mapped_column(String(150))
    # name_key(name), set with the name. Unique: the service checks first, the index settles
    # races. Made here, not by the database's lower(), which on SQLite folds ASCII letters only.
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    kind: Mapped[OrganisationKind] = mapped_column(_str_enum(OrganisationKind, length=24),
                                                   default=OrganisationKind.OTHER)
    nation: Mapped[Nation | None] = mapped_column(_str_enum(Nation, length=24))
    website: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @validates("name")
    def _keep_key(self, _field: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


Index("uq_organisations_name_key", Organisation.name_key, unique=True)

class OrganisationChange(db.Model):
    """The log of changes to the organisation records: who edited or merged which. Append-only.

    Names organisations by number and, in ``detail``, by name (a merged record is gone)."""

    __tablename__ = "organisation_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    organisation_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))  # "edited", "merged", "renamed" (upgrade)
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship("User")  # noqa: F821 (user.py imports this module)

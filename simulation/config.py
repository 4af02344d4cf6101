"""The scenario configuration: the model's only input.

One pydantic model per section of a scenario file. Every field has bounds, every section
forbids unknown keys, so a misspelt key is an error and not a silent default. Units: time in
hours a week, money in euros, material in units, rooms in room-hours a week; one model step
is one week (`WEEKS_PER_YEAR` steps a year).
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12
WEEKS_PER_MONTH = WEEKS_PER_YEAR / MONTHS_PER_YEAR
"""The one month length: rates given per month are converted with it."""
MONTH_STEPS = round(WEEKS_PER_MONTH)
"""A month in whole weekly steps (4), the interval of monthly events."""

SECTORS: tuple[str, ...] = ("residents", "civil_society", "public", "housing", "business", "qm")
"""Actor sectors (M1). ``qm`` is the programme's neighbourhood management office."""

SECTOR_ALIASES: dict[str, str] = {
    # residents: people living in the neighbourhood, and their own groups
    "residents": "residents",
    "resident": "residents",
    "residents' initiative": "residents",
    "tenants": "residents",
    "Bewohner": "residents",
    "Bewohnerin": "residents",
    "Bewohnerinnen": "residents",
    "Bewohnerschaft": "residents",
    "Bewohnerinitiative": "residents",
    "Anwohner": "residents",
    "Anwohnerinnen": "residents",
    "Anwohnerschaft": "residents",
    "Mieter": "residents",
    "Mieterinnen": "residents",
    "Mieterinitiative": "residents",
    "Mieterbeirat": "residents",
    "Nachbarschaft": "residents",
    "Nachbarn": "residents",
    "Hausgemeinschaft": "residents",
    # civil society: associations, churches, welfare organisations, initiatives
    "civil society": "civil_society",
    "association": "civil_society",
    "associations": "civil_society",
    "church": "civil_society",
    "social agency": "civil_society",
    "charity": "civil_society",
    "welfare organisation": "civil_society",
    "foundation": "civil_society",
    "NGO": "civil_society",
    "Verein": "civil_society",
    "Vereine": "civil_society",
    "Sportverein": "civil_society",
    "Kulturverein": "civil_society",
    "Förderverein": "civil_society",
    "Initiative": "civil_society",
    "Bürgerinitiative": "civil_society",
    "Selbsthilfegruppe": "civil_society",
    "Migrantenorganisation": "civil_society",
    "Migrantenselbstorganisation": "civil_society",
    "Kirche": "civil_society",
    "Kirchengemeinde": "civil_society",
    "Moscheegemeinde": "civil_society",
    "Religionsgemeinschaft": "civil_society",
    "Träger": "civil_society",
    "Freier Träger": "civil_society",
    "Sozialer Träger": "civil_society",
    "Wohlfahrtsverband": "civil_society",
    "Wohlfahrtsverbände": "civil_society",
    "Stiftung": "civil_society",
    "Zivilgesellschaft": "civil_society",
    # public: administration, schools, day care, libraries, police
    "public": "public",
    "public sector": "public",
    "administration": "public",
    "authority": "public",
    "municipality": "public",
    "school": "public",
    "day care": "public",
    "library": "public",
    "police": "public",
    "Verwaltung": "public",
    "Stadtverwaltung": "public",
    "Kommune": "public",
    "Behörde": "public",
    "Amt": "public",
    "Bezirksamt": "public",
    "Jugendamt": "public",
    "Sozialamt": "public",
    "Stadtplanungsamt": "public",
    "Schule": "public",
    "Grundschule": "public",
    "Kita": "public",
    "Kindertagesstätte": "public",
    "Kindergarten": "public",
    "Bibliothek": "public",
    "Stadtteilbibliothek": "public",
    "Volkshochschule": "public",
    "Polizei": "public",
    "öffentlich": "public",
    "öffentliche Hand": "public",
    "öffentliche Einrichtung": "public",
    # housing: landlords and housing companies
    "housing": "housing",
    "housing company": "housing",
    "housing association": "housing",
    "landlord": "housing",
    "Wohnungsunternehmen": "housing",
    "Wohnungswirtschaft": "housing",
    "Wohnungsgesellschaft": "housing",
    "Wohnungsbaugesellschaft": "housing",
    "Wohnungsbaugenossenschaft": "housing",
    "Wohnungsgenossenschaft": "housing",
    "Vermieter": "housing",
    "Hausverwaltung": "housing",
    # business: shops, trades, companies
    "business": "business",
    "local business": "business",
    "company": "business",
    "shop": "business",
    "retail": "business",
    "Gewerbe": "business",
    "Gewerbetreibende": "business",
    "Unternehmen": "business",
    "Firma": "business",
    "Einzelhandel": "business",
    "Handel": "business",
    "Handwerk": "business",
    "Gastronomie": "business",
    "lokale Wirtschaft": "business",
    # qm: the programme's neighbourhood management office
    "qm": "qm",
    "Quartiersmanagement": "qm",
    "Quartiersmanager": "qm",
    "Quartiersbüro": "qm",
    "Stadtteilmanagement": "qm",
    "neighbourhood management": "qm",
    "neighborhood management": "qm",
}
"""Sector names accepted in scenario files and actor maps, German or English. Case, spaces,
hyphens, underscores, gender marks (``Bewohner:innen``) and umlauts (``ä`` as ``ae`` or ``a``)
do not count (`name_keys`); a scenario adds its own labels in ``actors.sector_names``."""

RESOURCES: tuple[str, ...] = ("time", "money", "material", "rooms")
TIME, MONEY, MATERIAL, ROOMS = range(len(RESOURCES))
"""Column of each resource in every resource matrix (stocks, income, needs)."""
TOPICS_MAX = 12

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]

_SEPARATORS = re.compile(r"[\s_\-./'’*:·]+")
_AE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})


def name_keys(name: str) -> tuple[str, ...]:
    """The keys under which two names are the same: case, spaces, hyphens, underscores,
    gender marks and umlauts (``ä`` written as ``ae`` or as ``a``) do not count.

    >>> name_keys("Sozialer Träger")
    ('sozialertraeger', 'sozialertrager')
    >>> name_keys("Bewohner:innen")
    ('bewohnerinnen',)
    """
    text = _SEPARATORS.sub("", name.casefold())
    return tuple(dict.fromkeys((text.translate(_AE), text.translate(_PLAIN))))


def _sector_table() -> dict[str, tuple[str, str]]:
    """Every key of every alias -> (sector, the alias as written)."""
    table: dict[str, tuple[str, str]] = {}
    for alias, sector in SECTOR_ALIASES.items():
        for key in name_keys(alias):
            if table.setdefault(key, (sector, alias))[0] != sector:
                raise ValueError(f"sector alias {alias!r} is ambiguous")
    return table


_SECTOR_TABLE = _sector_table()


def canonical_sector(name: str) -> str:
    """Map a German or English sector name onto one of `SECTORS`.

    >>> canonical_sector("Wohnungsunternehmen"), canonical_sector("sozialer traeger")
    ('housing', 'civil_society')
    """
    for key in name_keys(name):
        if key in _SECTOR_TABLE:
            return _SECTOR_TABLE[key][0]
    key = name_keys(name)[0]
    close = difflib.get_close_matches(key, SECTORS, n=1, cutoff=0.75) or [
        _SECTOR_TABLE[found][1]
        for found in difflib.get_close_matches(key, list(_SECTOR_TABLE), n=1, cutoff=0.75)
    ]
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(
        f"unknown sector {name!r}; {hint}allowed: {', '.join(SECTORS)}, a German name, "
        "or a label of your own in actors.sector_names"
    )


SectorName = Annotated[str, AfterValidator(canonical_sector)]
"""A sector written in any accepted spelling, stored as one of `SECTORS`."""


class Section(BaseModel):
    """Base of every section: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ResourceIncome(Section):
    """Weekly replenishment of one sector's four resources (M1)."""

    time: float = Field(
        ge=0, le=80, description="hours a week (residents: on top of their volunteer hours)"
    )
    money: float = Field(ge=0, le=10_000, description="euros a week")
    material: float = Field(ge=0, le=1_000, description="units a week")
    rooms: float = Field(ge=0, le=200, description="room-hours a week")

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.time, self.money, self.material, self.rooms)


def _default_income() -> dict[str, ResourceIncome]:
    return {
        # residents' time: their volunteer hours (actors.volunteer_hours), nothing more
        "residents": ResourceIncome(time=0.0, money=5.0, material=0.5, rooms=0.0),
        "civil_society": ResourceIncome(time=6.0, money=40.0, material=3.0, rooms=6.0),
        "public": ResourceIncome(time=4.0, money=60.0, material=3.0, rooms=8.0),
        "housing": ResourceIncome(time=3.0, money=120.0, material=4.0, rooms=6.0),
        "business": ResourceIncome(time=2.0, money=50.0, material=4.0, rooms=2.0),
        "qm": ResourceIncome(time=30.0, money=0.0, material=2.0, rooms=10.0),
    }


class SectorTraits(Section):
    """Engagement and capacity of one sector's actors (M1, M4).

    `engaged_share` is who takes part in neighbourhood work at all (an actor who is not engaged
    has no time for it, has no project ideas and is not recruited); `engagement` is how readily
    an engaged actor takes up ideas and joins. Residents: 39.7 % of people aged 14 and over
    were engaged in Germany in 2019, fewer in disadvantaged areas (Freiwilligensurvey 2019,
    Simonson et al. 2021) — the default 0.3 is a starting value for calibration; organisations
    of the local network take part by definition (1.0).
    """

    engagement: Probability = Field(
        description="propensity of an engaged actor to take up ideas and join"
    )
    capacity: int = Field(ge=0, le=10, description="concurrent cooperations at most")
    engaged_share: Probability = Field(default=1.0, description="share of actors who are engaged")


def _default_traits() -> dict[str, SectorTraits]:
    return {
        "residents": SectorTraits(engagement=0.5, capacity=2, engaged_share=0.3),
        "civil_society": SectorTraits(engagement=0.6, capacity=4),
        "public": SectorTraits(engagement=0.4, capacity=3),
        "housing": SectorTraits(engagement=0.35, capacity=3),
        "business": SectorTraits(engagement=0.25, capacity=2),
        "qm": SectorTraits(engagement=0.9, capacity=5),
    }


class HoursClass(Section):
    """A class of weekly volunteer hours and the share of engaged people in it."""

    share: Probability
    low: float = Field(ge=0, le=80, description="hours a week, lower end")
    high: float = Field(ge=0, le=80, description="hours a week, upper end")

    @model_validator(mode="after")
    def _order(self) -> HoursClass:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


def _fws_hours() -> list[HoursClass]:
    """Freiwilligensurvey 2019 (Simonson et al. 2021, ch. 6): of engaged people, 60.0 % give up
    to 2 hours a week, 22.9 % 3–5 hours, 17.1 % 6 hours or more (the upper end, 10, is
    assumed)."""
    return [
        HoursClass(share=0.600, low=0.5, high=2.0),
        HoursClass(share=0.229, low=3.0, high=5.0),
        HoursClass(share=0.171, low=6.0, high=10.0),
    ]


class ActorSpec(Section):
    """One real actor from an actor map (replaces generated actors)."""

    name: str = Field(min_length=1, max_length=200)
    sector: str
    time: float = Field(ge=0, le=80)
    money: float = Field(ge=0, le=10_000)
    material: float = Field(ge=0, le=1_000)
    rooms: float = Field(ge=0, le=200)
    topics: list[int] = Field(
        default_factory=list,
        max_length=TOPICS_MAX,
        description="topic numbers from 0 (an actor map may name them: actors.topic_names)",
    )
    engagement: Probability | None = None
    role: Literal["", "initiative", "lead"] = Field(
        default="", description="member ('initiative') or lead ('lead') of the initiative"
    )

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, value: str) -> str:
        return canonical_sector(value)


TopicName = Annotated[str, Field(min_length=1, max_length=80)]


class TieSpec(Section):
    """One known relationship from a ties file."""

    a: str = Field(min_length=1)
    b: str = Field(min_length=1)
    strength: float = Field(gt=0, le=1)


class ActorsConfig(Section):
    """Who lives and works in the neighbourhood (M1, M10)."""

    counts: dict[str, int] = Field(
        default_factory=lambda: {
            "residents": 40,
            "civil_society": 20,
            "public": 12,
            "housing": 4,
            "business": 14,
        },
        description="generated actors per sector (the QM office is added by the programme)",
    )
    traits: dict[str, SectorTraits] = Field(default_factory=_default_traits)
    topics: int = Field(default=6, ge=1, le=TOPICS_MAX, description="topics of neighbourhood work")
    topic_names: list[TopicName] | None = Field(
        default=None,
        max_length=TOPICS_MAX,
        description="names of the topics by number, e.g. from an actor map's topic words",
    )
    interests_per_actor: int = Field(default=2, ge=1, le=TOPICS_MAX)
    initiative_size: int = Field(
        default=8, ge=0, le=500, description="residents who form the residents' initiative"
    )
    initiative_engagement: Probability = Field(
        default=0.8, description="engagement of the initiative's members"
    )
    volunteer_hours: list[HoursClass] = Field(
        default_factory=_fws_hours,
        min_length=1,
        max_length=20,
        description="weekly hours of engaged residents (the initiative's members: from 3 h)",
    )
    engagement_ends_per_year: Probability = Field(
        default=0.15,
        description="chance a year that an engaged resident stops; as many start again, so "
        "the engaged share stays where it is without the catalyst",
    )
    sector_names: dict[str, SectorName] | None = Field(
        default=None,
        description="own sector labels for the roster, e.g. {'Sozialer Träger' = 'civil_society'}",
    )
    roster: list[ActorSpec] | None = Field(
        default=None, description="real actors from an actor map; replaces `counts`"
    )

    @model_validator(mode="before")
    @classmethod
    def _own_sector_labels(cls, data: Any) -> Any:
        """Replace the roster's sectors named in `sector_names` by the sectors they stand for."""
        if not isinstance(data, dict):
            return data
        labels, roster = data.get("sector_names"), data.get("roster")
        if not (isinstance(labels, dict) and isinstance(roster, list)):
            return data
        own = {
            key: sector
            for label, sector in labels.items()
            if isinstance(label, str)
            for key in name_keys(label)
        }
        actors = []
        for actor in roster:
            key = _own_key(actor.get("sector"), own) if isinstance(actor, dict) else None
            actors.append({**actor, "sector": own[key]} if key else actor)
        return {**data, "roster": actors}

    @field_validator("topic_names", "sector_names")
    @classmethod
    def _distinct_names(cls, value: list[str] | dict[str, str] | None) -> object:
        seen: dict[str, str] = {}
        for name in value or ():
            key = name_keys(name)[0]
            if key in seen:
                raise ValueError(
                    f"{name!r} and {seen[key]!r} are the same name "
                    "(case, spaces, hyphens and umlauts do not count)"
                )
            seen[key] = name
        return value

    @field_validator("counts", "traits")
    @classmethod
    def _sector_keys(cls, value: dict) -> dict:
        return {canonical_sector(key): item for key, item in value.items()}

    @field_validator("counts")
    @classmethod
    def _count_bounds(cls, value: dict[str, int]) -> dict[str, int]:
        for sector, count in value.items():
            if not 0 <= count <= 20_000:
                raise ValueError(f"counts.{sector} must be between 0 and 20000, got {count}")
        return value

    @model_validator(mode="after")
    def _topics_fit(self) -> ActorsConfig:
        if self.interests_per_actor > self.topics:
            raise ValueError("interests_per_actor must not exceed topics")
        if self.topic_names is not None and len(self.topic_names) > self.topics:
            raise ValueError(
                f"topic_names has {len(self.topic_names)} names but topics = {self.topics}; "
                "name at most one topic per number"
            )
        return self

    def traits_of(self, sector: str) -> SectorTraits:
        return self.traits.get(sector) or _default_traits()[sector]


def _own_key(sector: object, own: dict[str, str]) -> str | None:
    """The key under which `sector` is one of a scenario's own labels, if it is one."""
    if not isinstance(sector, str):
        return None
    return next((key for key in name_keys(sector) if key in own), None)


class ResourcesConfig(Section):
    """Resource stocks: weekly income by sector, a stock cap, a global level (M1)."""

    income: dict[str, ResourceIncome] = Field(default_factory=_default_income)
    level: float = Field(default=1.0, ge=0.0, le=10.0, description="multiplies every income")
    stock_weeks: float = Field(
        default=8.0, ge=1.0, le=104.0, description="a stock holds at most this many weeks of income"
    )
    time_stock_weeks: float = Field(
        default=2.0, ge=1.0, le=52.0, description="unused time does not pile up beyond this"
    )

    @field_validator("income")
    @classmethod
    def _sector_keys(cls, value: dict) -> dict:
        return {canonical_sector(key): item for key, item in value.items()}

    def income_of(self, sector: str) -> ResourceIncome:
        return self.income.get(sector) or _default_income()[sector]


class TiesConfig(Section):
    """Weighted relationships: formation, reinforcement, decay, limits (M2, M3, M6)."""

    initial_within_degree: float = Field(default=3.0, ge=0, le=100)
    initial_cross_degree: float = Field(default=1.0, ge=0, le=100)
    initial_strength: float = Field(default=0.45, gt=0, le=1, description="mean initial strength")
    new_tie_strength: float = Field(default=0.15, gt=0, le=1, description="strangers who meet")
    meeting_gain: float = Field(default=0.1, ge=0, le=1, description="per contact at a meeting")
    joint_work_gain: float = Field(default=0.08, ge=0, le=1, description="per month of joint work")
    success_gain: float = Field(default=0.1, ge=0, le=1, description="on a completed cooperation")
    failure_loss: float = Field(default=0.05, ge=0, le=1, description="on a failed cooperation")
    decay_per_month: float = Field(
        default=0.05, ge=0, lt=1, description="share lost per month without contact, same sector"
    )
    cross_sector_decay_multiplier: float = Field(
        default=1.5, ge=1, le=20, description="ties across sectors decay this much faster"
    )
    bridge_decay_multiplier: float = Field(
        default=3.0,
        ge=1,
        le=20,
        description="ties without a common third party (bridges) decay this much faster",
    )
    resilient_threshold: float = Field(default=0.5, gt=0, le=1)
    prune_below: float = Field(default=0.05, ge=0, lt=1)
    max_ties: int = Field(default=40, ge=1, le=1000, description="active ties an actor can keep")
    upkeep_hours: float = Field(
        default=0.1, ge=0, le=10, description="hours a week to keep one resilient tie"
    )
    initial: list[TieSpec] | None = Field(default=None, description="known ties from a ties file")

    @model_validator(mode="after")
    def _thresholds(self) -> TiesConfig:
        if self.prune_below >= self.resilient_threshold:
            raise ValueError("prune_below must be below resilient_threshold")
        return self


class EverydayConfig(Section):
    """Everyday contact outside meetings and projects (M2, M3): foci and triadic closure."""

    contacts_per_week: float = Field(
        default=0.2, ge=0, le=20, description="everyday contacts an actor starts a week"
    )
    closure_share: Probability = Field(
        default=0.5, description="share of them with a friend of a friend (else a shared focus)"
    )
    gain: float = Field(default=0.05, ge=0, le=1, description="tie strength one contact adds")


MEETING_STYLES: dict[str, dict[str, object]] = {
    "formal": {
        "formal": True,
        "informs": True,
        "introductions": 2,
        "tie_gain_factor": 1.0,
        "familiarity": 1.0,
        "homophily": 0.0,
        "spontaneous_ideas": 0.0,
    },
    "informal": {
        "formal": False,
        "informs": False,
        "introductions": 0,
        "tie_gain_factor": 1.5,
        "familiarity": 3.0,
        "homophily": 1.0,
        "spontaneous_ideas": 0.05,
    },
}
"""How a formal meeting (forum, round table) and an informal one (café) work, unless a
meeting format says otherwise (ODD 7.3; no source gives the sizes: calibration)."""


class MeetingFormat(Section):
    """A fixed meeting structure: forum, café or round table (M3, M9)."""

    name: str = Field(min_length=1, max_length=80)
    kind: Literal["forum", "cafe", "round_table"] = "forum"
    interval_weeks: int = Field(default=4, ge=1, le=520)
    start_year: float = Field(default=0.0, ge=0, le=200)
    end_year: float | None = Field(default=None, ge=0, le=200)
    capacity: int = Field(default=40, ge=2, le=10_000)
    host: Literal["qm", "initiative", "catalyst", "anchor"] = "qm"
    invited: list[str] | Literal["all"] = "all"
    attendance: Probability = Field(default=0.5, description="base chance an invitee comes")
    contacts_per_attendee: int = Field(default=3, ge=0, le=50)
    hours: float = Field(default=2.0, ge=0, le=40, description="time an attendee spends")
    exchange: bool = Field(default=True, description="exchange on neighbourhood development")
    programme: bool = Field(default=False, description="funded by the programme; ends with it")
    formal: bool = Field(
        default=True, description="agenda, moderation, goal-setting (default: forum, round table)"
    )
    informs: bool = Field(
        default=True, description="attendees learn each other's resources and potentials"
    )
    introductions: int = Field(
        default=2, ge=0, le=100, description="strangers from different sectors the host introduces"
    )
    tie_gain_factor: float = Field(
        default=1.0, ge=0, le=10, description="a conversation adds this × ties.meeting_gain"
    )
    familiarity: float = Field(
        default=1.0, ge=0, le=100, description="weight of a tie when choosing whom to talk to"
    )
    homophily: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="weight of the same sector when choosing whom to talk to",
    )
    spontaneous_ideas: Probability = Field(
        default=0.0, description="chance an attendee starts a light informal idea there"
    )

    @model_validator(mode="before")
    @classmethod
    def _style_of_kind(cls, data: object) -> object:
        """A café works informally, a forum or round table formally, unless set otherwise."""
        if isinstance(data, dict):
            style = "informal" if data.get("kind") == "cafe" else "formal"
            data = MEETING_STYLES[style] | data
        return data

    @field_validator("invited")
    @classmethod
    def _sectors(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, str):
            return value
        return [canonical_sector(name) for name in value]

    @model_validator(mode="after")
    def _order(self) -> MeetingFormat:
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError("end_year must not be before start_year")
        return self


class TypeParameters(Section):
    """What one cooperation type needs (M5): partners, weeks, resources a week per partner."""

    partners_min: int = Field(ge=1, le=50)
    partners_max: int = Field(ge=1, le=50)
    weeks_min: int = Field(ge=1, le=520)
    weeks_max: int = Field(ge=1, le=520)
    need: ResourceIncome = Field(
        description="need a week per planned member; the project needs this × (partners + 1)"
    )

    @model_validator(mode="after")
    def _ranges(self) -> TypeParameters:
        if self.partners_max < self.partners_min or self.weeks_max < self.weeks_min:
            raise ValueError("a maximum must not be below its minimum")
        return self


COOPERATION_TYPES: tuple[str, ...] = (
    "light_informal",
    "light_formal",
    "intensive_informal",
    "intensive_formal",
)
"""GeKo's typology: intensity × formality."""


def _default_types() -> dict[str, TypeParameters]:
    return {
        "light_informal": TypeParameters(
            partners_min=1,
            partners_max=2,
            weeks_min=2,
            weeks_max=8,
            need=ResourceIncome(time=1.0, money=5.0, material=0.5, rooms=0.0),
        ),
        "light_formal": TypeParameters(
            partners_min=1,
            partners_max=3,
            weeks_min=8,
            weeks_max=26,
            need=ResourceIncome(time=0.8, money=15.0, material=1.0, rooms=1.0),
        ),
        "intensive_informal": TypeParameters(
            partners_min=2,
            partners_max=5,
            weeks_min=8,
            weeks_max=26,
            need=ResourceIncome(time=2.0, money=10.0, material=1.0, rooms=1.0),
        ),
        "intensive_formal": TypeParameters(
            partners_min=3,
            partners_max=7,
            weeks_min=26,
            weeks_max=104,
            need=ResourceIncome(time=1.5, money=15.0, material=1.0, rooms=1.5),
        ),
    }


class StructureConfig(Section):
    """Whether a cooperation has clear goals and a coordinator (seed conditions 5, 6).

    Negotiated when it starts (GeKo: shared goals are negotiated at the start), with chances
    that grow with the members' experience, a facilitator among them (the catalyst or the QM
    office, or an initiator fresh from a formal meeting's goal-setting) and formality. The
    scenario's levers `cooperation.clear_goals` and `cooperation.coordinator_role` add
    `support` (e.g. guidance and templates). No source gives the sizes: all are parameters for
    calibration.
    """

    goals_base: Probability = Field(
        default=0.1, description="chance of clear goals, before effects"
    )
    coordinator_base: Probability = Field(
        default=0.1, description="chance of a named coordinator, before effects"
    )
    experience: float = Field(
        default=0.2, ge=-1, le=1, description="added at full share of experienced members"
    )
    facilitation: float = Field(default=0.2, ge=-1, le=1, description="added with a facilitator")
    formality: float = Field(default=0.1, ge=-1, le=1, description="added for a formal type")
    support: float = Field(default=0.2, ge=-1, le=1, description="added by the scenario's lever")
    facilitation_weeks: int = Field(
        default=13, ge=0, le=520, description="how long a formal meeting's goal-setting helps"
    )


class CooperationConfig(Section):
    """Ideas, partner choice, pooled production and outcome (M4, M5, M6)."""

    idea_rate: float = Field(
        default=0.02, ge=0, le=1, description="weekly chance of an idea at full engagement"
    )
    inspiration_gain: float = Field(
        default=0.5, ge=0, le=10, description="idea-rate boost from exchange at a meeting"
    )
    inspiration_half_life_weeks: float = Field(default=6.0, gt=0, le=520)
    type_weights: dict[str, float] = Field(
        default_factory=lambda: dict.fromkeys(COOPERATION_TYPES, 1.0),
        description="relative chance of each type among new ideas (default: even)",
    )
    types: dict[str, TypeParameters] = Field(default_factory=_default_types)
    partner_search: Literal["contacts", "anyone"] = Field(
        default="contacts",
        description="whom an initiator can ask: the group's contacts, or anyone (team assembly)",
    )
    incumbent_share: Probability = Field(default=0.6, description="Guimerà's p")
    repeat_bias: Probability = Field(default=0.65, description="Guimerà's q")
    weight_tie: float = Field(default=1.0, ge=0, le=10, description="partner choice: tie strength")
    weight_shared: float = Field(default=0.5, ge=0, le=10, description="shared third parties")
    weight_complement: float = Field(default=0.5, ge=0, le=10, description="fills a resource gap")
    weight_sector: float = Field(default=0.3, ge=0, le=10, description="same sector as initiator")
    weight_topic: float = Field(default=0.5, ge=0, le=10, description="interested in the topic")
    forming_weeks: int = Field(default=6, ge=1, le=104)
    candidates: int = Field(default=6, ge=1, le=100, description="asked per forming week")
    min_spare_hours: float = Field(default=0.5, ge=0, le=80)
    startup_threshold: Probability = Field(
        default=0.3, description="pooled share of need below which nothing advances"
    )
    production_exponent: float = Field(default=2.0, ge=1, le=5, description="accelerating return")
    patience_weeks: int = Field(
        default=10,
        ge=1,
        le=520,
        description="stalled weeks in a row before re-scoping or giving up",
    )
    stall_share: Probability = Field(
        default=0.5, description="a week is stalled below this share of the nominal progress"
    )
    rescope: bool = Field(default=True, description="a stalled cooperation re-scopes once")
    rescope_keep: Probability = Field(
        default=0.5, description="share of the remaining work kept when it re-scopes"
    )
    trust_threshold: Probability = Field(default=0.2, description="mean member tie below: at risk")
    distrust_hazard: Probability = Field(default=0.02, description="weekly failure chance at risk")
    clear_goals: bool = Field(
        default=True, description="goal-setting is supported: raises the chance of clear goals"
    )
    coordinator_role: bool = Field(
        default=True, description="coordination is supported: raises the chance of a coordinator"
    )
    structure: StructureConfig = Field(default_factory=StructureConfig)
    unclear_goals_efficiency: Probability = Field(default=0.6)
    coordinator_hours: float = Field(default=2.0, ge=0, le=40)
    uncoordinated_overhead_hours: float = Field(default=1.0, ge=0, le=40)
    uncoordinated_hazard: Probability = Field(default=0.01)

    @field_validator("type_weights", "types")
    @classmethod
    def _known_types(cls, value: dict) -> dict:
        for key in value:
            if key not in COOPERATION_TYPES:
                raise ValueError(
                    f"unknown cooperation type {key!r}; allowed: " + ", ".join(COOPERATION_TYPES)
                )
        return value

    @field_validator("type_weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if any(weight < 0 for weight in value.values()) or sum(value.values()) <= 0:
            raise ValueError("type_weights must be non-negative and not all zero")
        return value

    def type_parameters(self, name: str) -> TypeParameters:
        return self.types.get(name) or _default_types()[name]


class CatalystConfig(Section):
    """The network catalyst: its presence, its holder, its time and its functions (M7)."""

    mode: Literal["absent", "present", "start_phase", "leaves"] = Field(
        default="present",
        description="start_phase: the role ends at start_phase_years (the person stays); "
        "leaves: the person leaves at leave_year",
    )
    holder: Literal["initiative", "qm", "independent"] = "initiative"
    start_phase_years: float = Field(default=3.0, ge=0, le=200)
    leave_year: float = Field(default=5.0, ge=0, le=200)
    successor: bool = Field(default=False, description="someone takes over when it leaves")
    hours: float = Field(default=6.0, ge=0, le=80, description="hours a week spent on the role")
    time: Literal["own", "paid"] = Field(
        default="own",
        description="own: the hours come out of the holder's time; paid: extra paid hours",
    )
    impulses: bool = Field(default=True, description="sets content impulses (project ideas)")
    introductions: bool = Field(default=True, description="introduces contacts to each other")
    newcomers: bool = Field(default=True, description="brings new actors into the network")
    lulls: bool = Field(default=True, description="overcomes lulls")
    supporters: bool = Field(default=True, description="finds supporters with resources")
    impulses_per_month: float = Field(default=2.0, ge=0, le=100)
    introductions_per_month: float = Field(default=2.0, ge=0, le=100)
    newcomers_per_month: float = Field(default=1.0, ge=0, le=100)
    broker_gain: float = Field(
        default=0.05, ge=0, le=1, description="its own ties to both gain this when it introduces"
    )
    persuasion: Probability = Field(
        default=0.5, description="chance that an actor it draws in starts taking part"
    )
    lull_share: Probability = Field(
        default=0.7, description="a lull: running cooperations below this share of the recent mean"
    )
    lull_window_weeks: int = Field(default=52, ge=4, le=520, description="'recent' for lulls")
    stall_weeks: int = Field(
        default=3, ge=1, le=520, description="stalled weeks after which it helps a cooperation"
    )
    action_hours: float = Field(default=1.0, gt=0, le=40, description="time one action costs")
    supporters_per_cooperation: int = Field(default=2, ge=0, le=20)


class VerstetigungConfig(Section):
    """Measures that keep structures going after the programme ends (M8)."""

    anchor_place: bool = Field(default=False, description="a local actor keeps the forum going")
    coordination_handover: bool = Field(default=False, description="a local actor takes the lead")
    small_fund_per_year: float = Field(default=0.0, ge=0, le=1_000_000)


class ProgrammeConfig(Section):
    """The funding programme 'Soziale Stadt' (M8)."""

    enabled: bool = False
    start_year: float = Field(default=0.0, ge=0, le=200)
    funding_years: float = Field(default=15.0, ge=0, le=15, description="capped at 15 (VV 2022)")
    transition_years: float = Field(default=2.0, ge=0, le=10, description="degressive exit")
    qm_staff: int = Field(default=1, ge=0, le=20)
    fund_per_year: float = Field(default=10_000.0, ge=0, le=10_000_000)
    fund_cap_per_project: float = Field(default=1_500.0, ge=0, le=1_000_000)
    verstetigung: VerstetigungConfig = Field(default_factory=VerstetigungConfig)
    refunding_year: float | None = Field(
        default=None,
        ge=0,
        le=200,
        description="funding begins again at this year, for funding_years (fund, exit, fund again)",
    )

    @model_validator(mode="after")
    def _refunding_after_the_end(self) -> ProgrammeConfig:
        if self.refunding_year is not None and self.refunding_year < self.end_year:
            raise ValueError("refunding_year must not be before the end of funding")
        return self

    @property
    def end_year(self) -> float:
        return self.start_year + self.funding_years

    def periods(self) -> list[tuple[float, float]]:
        """The funding periods as (start, end) in years."""
        periods = [(self.start_year, self.end_year)]
        if self.refunding_year is not None:
            periods.append((self.refunding_year, self.refunding_year + self.funding_years))
        return periods


class SectorTurnover(Section):
    """How one sector's actors come and go (M10)."""

    leave_rate_per_year: Probability = Field(description="chance a year to leave")
    arrival_rate_per_year: float = Field(
        ge=0, le=1, description="newcomers a year, as a share of the sector's starting actors"
    )
    drops_out_when_idle: bool = Field(
        default=False, description="leaves after max_inactive_weeks without any activity"
    )
    staff_change_per_year: Probability = Field(
        default=0.0, description="an organisation's contact person changes"
    )


def _default_sector_turnover() -> dict[str, SectorTurnover]:
    return {
        "residents": SectorTurnover(leave_rate_per_year=0.08, arrival_rate_per_year=0.08),
        "civil_society": SectorTurnover(
            leave_rate_per_year=0.02, arrival_rate_per_year=0.02, staff_change_per_year=0.15
        ),
        "public": SectorTurnover(
            leave_rate_per_year=0.0, arrival_rate_per_year=0.0, staff_change_per_year=0.1
        ),
        "housing": SectorTurnover(
            leave_rate_per_year=0.0, arrival_rate_per_year=0.0, staff_change_per_year=0.1
        ),
        "business": SectorTurnover(
            leave_rate_per_year=0.05, arrival_rate_per_year=0.05, staff_change_per_year=0.1
        ),
        "qm": SectorTurnover(
            leave_rate_per_year=0.0, arrival_rate_per_year=0.0, staff_change_per_year=0.15
        ),
    }


class TurnoverConfig(Section):
    """Actors leave and arrive; organisations stay but their contact persons change (M10)."""

    sectors: dict[str, SectorTurnover] = Field(default_factory=_default_sector_turnover)
    max_inactive_weeks: int = Field(default=104, ge=4, le=10_000)
    ties_kept_on_staff_change: Probability = Field(
        default=0.5,
        description="share of an organisation's ties that outlast a change of contact person",
    )

    @field_validator("sectors")
    @classmethod
    def _sector_keys(cls, value: dict) -> dict:
        return {canonical_sector(key): item for key, item in value.items()}

    def of(self, sector: str) -> SectorTurnover:
        return self.sectors.get(sector) or _default_sector_turnover()[sector]


class DisruptionConfig(Section):
    """A one-off removal of an actor, for robustness experiments (M10)."""

    remove_at_year: float | None = Field(default=None, ge=0, le=200)
    target: Literal["catalyst", "qm", "top_broker", "random", "random_same_degree"] = "catalyst"


class OutputConfig(Section):
    """How often the costlier network metrics are computed."""

    network_every_weeks: int = Field(default=13, ge=1, le=520)
    betweenness_every_weeks: int = Field(
        default=52, ge=1, le=520, description="brokerage (betweenness) is costlier: yearly"
    )
    betweenness_samples: int = Field(
        default=100, ge=10, le=100_000, description="sources sampled when actors exceed it"
    )


class ScenarioConfig(Section):
    """A whole scenario: everything the model needs, nothing it reads from elsewhere."""

    name: str = Field(default="custom", min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    regime: Literal["programme", "self_organised"] = "self_organised"
    years: float = Field(default=20.0, gt=0, le=200)
    warmup_years: float = Field(
        default=5.0,
        ge=0,
        le=50,
        description="years the neighbourhood runs before week 0, without meetings, catalyst "
        "or programme; no output counts them",
    )
    actors: ActorsConfig = Field(default_factory=ActorsConfig)
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig)
    ties: TiesConfig = Field(default_factory=TiesConfig)
    everyday: EverydayConfig = Field(default_factory=EverydayConfig)
    meetings: list[MeetingFormat] = Field(default_factory=list, max_length=50)
    cooperation: CooperationConfig = Field(default_factory=CooperationConfig)
    catalyst: CatalystConfig = Field(default_factory=CatalystConfig)
    programme: ProgrammeConfig = Field(default_factory=ProgrammeConfig)
    turnover: TurnoverConfig = Field(default_factory=TurnoverConfig)
    disruption: DisruptionConfig = Field(default_factory=DisruptionConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)

    @model_validator(mode="after")
    def _regime_consistent(self) -> ScenarioConfig:
        if (self.regime == "programme") != self.programme.enabled:
            raise ValueError("regime 'programme' needs programme.enabled = true and vice versa")
        if self.catalyst.holder == "qm" and not self.programme.enabled:
            raise ValueError("catalyst.holder 'qm' needs a programme (programme.enabled = true)")
        return self

    @property
    def weeks(self) -> int:
        return max(1, round(self.years * WEEKS_PER_YEAR))

    @property
    def warmup_weeks(self) -> int:
        return round(self.warmup_years * WEEKS_PER_YEAR)

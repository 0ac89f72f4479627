"""The statistics filters: a GET form, since it changes nothing, so no CSRF token."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from casework.codes import CodeList, choices, label
from casework.forms.audit import ChoiceField


class StatisticsFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    year = ChoiceField(_l("Year of identification"), invalid=_l("Choose a year from the list."))
    country = ChoiceField(_l("Country"), invalid=_l("Choose a country from the list."))
    region = ChoiceField(_l("Region"), invalid=_l("Choose a region from the list."))
    age_band = ChoiceField(
        _l("Age at identification"), invalid=_l("Choose an age band from the list.")
    )
    sex = ChoiceField(_l("Sex"), invalid=_l("Choose a sex from the list."))

    def __init__(
        self,
        *args: Any,
        years: tuple[int, ...],
        countries: tuple[str, ...],
        regions: tuple[str, ...],
        region_fixed: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        every = ("", _l("All"))
        self.year.choices = [every, *((str(y), str(y)) for y in years)]
        self.country.choices = [every, *((c, label(CodeList.COUNTRY, c)) for c in countries)]
        if region_fixed is not None:
            # Their own region is the only one: the door applies it whatever is asked.
            self.region.choices = [("", region_fixed), (region_fixed, region_fixed)]
        else:
            self.region.choices = [every, *((r, r) for r in regions)]
        self.age_band.choices = [every, *choices(CodeList.AGE_BAND)]
        self.sex.choices = [every, *choices(CodeList.SEX)]

    def values(self) -> dict[str, Any]:
        """The chosen filters (None for "all")."""
        return {
            "year": int(self.year.data) if self.year.data else None,
            "country": self.country.data or None,
            "region": self.region.data or None,
            "age_band": self.age_band.data or None,
            "sex": self.sex.data or None,
        }

"""The statistics page and its exports (analysts nationally, coordinators their region).

The door returns protected tables of codes; this module gives them labels, titles,
descriptions and charts, and writes the exports. A suppressed value is None throughout
and reads as "suppressed" on the page, in the charts and in every export.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from casework import casefile
from casework.audit.export import safe_cell
from casework.codes import CodeList, label
from casework.forms.statistics import StatisticsFilterForm
from casework.views.common import door, fresh_auth_required

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

FORMATS = ("csv", "json")

TITLES: dict[str, tuple[Any, Any]] = {
    "identifications": (
        _l("Identifications in %(year)s by identifying actor and context"),
        _l(
            "Children first identified in the year, by who identified them (rows) and where "
            "or how (columns)."
        ),
    ),
    "exploitation": (
        _l("Forms of exploitation, and how many were ICT-facilitated"),
        _l(
            "A child counts once for each form of exploitation recorded; online is the "
            "ICT-facilitated way of a form, not a form of its own."
        ),
    ),
    "residence": (
        _l("Residence status by year of identification"),
        _l("Includes the cohort under temporary protection after displacement from Ukraine."),
    ),
    "team": (
        _l("Who was on the support team"),
        _l("Children whose multi-professional team included each actor type at any time."),
    ),
    "measures": (
        _l("Support measures offered, accepted and declined"),
        _l(
            "Once per child and measure type: accepted when first offered, accepted after a "
            "re-offer, declined, or no answer yet."
        ),
    ),
    "non-punishment": (
        _l("Non-punishment considerations by stage and outcome"),
        _l("Each consideration of an alleged offence counts once, at the stage it was raised."),
    ),
    "assessed": (
        _l("Decisions taken after a trafficking assessment"),
        _l(
            "Decided considerations: whether the trafficking assessment came before the "
            "prosecution decision, by outcome."
        ),
    ),
    "missing": (
        _l("Children who went missing"),
        _l("Children with at least one missing episode recorded."),
    ),
}

OWN_LABELS: dict[str, dict[str, Any]] = {
    "ict": {"ict": _l("ICT-facilitated"), "not_ict": _l("Not ICT-facilitated")},
    "yes_no": {"yes": _l("Yes"), "no": _l("No")},
    "assessed": {
        "before": _l("Assessed before the decision"),
        "not_before": _l("Not assessed before"),
    },
    "missing": {"missing": _l("Went missing at least once")},
    "non_punishment_outcome": {"undecided": _l("No decision yet")},
}

MEDIANS: dict[str, Any] = {
    "lead": _l("Identification to a team lead"),
    "guardian": _l("Identification to a guardian"),
    "measure": _l("Identification to the first support measure"),
    "episodes": _l("Missing episodes per child who went missing"),
    "duration": _l("Length of a missing episode (days)"),
}


def code_text(list_name: str, code: str) -> str:
    if code == casefile.NOT_RECORDED:
        return str(_("Not recorded"))
    own = OWN_LABELS.get(list_name, {})
    if code in own:
        return str(own[code])
    if list_name in CodeList._value2member_map_:
        return label(CodeList(list_name), code)
    return code


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None


@dataclass(frozen=True)
class Shown:
    """A table as the page and the exports show it."""

    key: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int | None, ...], int | None, float | None], ...]
    totals: tuple[int | None, ...] | None
    grand_total: int | None
    has_row_totals: bool
    has_grand_total: bool
    share_label: str | None
    bars: tuple[Bar, ...]
    empty: bool
    suppressed: int


def shown(table: casefile.Table) -> Shown:
    title, description = TITLES[table.key.split("-")[0] if table.year else table.key]
    columns = tuple(code_text(table.col_list, c) for c in table.cols)
    rows = []
    for i, code in enumerate(table.rows):
        total = table.row_totals[i] if table.row_totals is not None else None
        share = table.shares[i] if table.shares is not None else None
        rows.append((code_text(table.row_list, code), table.cells[i], total, share))
    share_label = None
    if table.share_col is not None:
        share_label = _("Share %(column)s (%%)", column=columns[table.share_col])
    # The chart: one bar per row, the row's total, or its first column for yes / no.
    if table.col_list == "yes_no":
        bars = tuple(Bar(r[0], r[1][0]) for r in rows)
    else:
        bars = tuple(Bar(r[0], r[2]) for r in rows)
    return Shown(
        key=table.key,
        title=str(title) % {"year": table.year} if table.year else str(title),
        description=str(description),
        columns=columns,
        rows=tuple(rows),
        totals=table.col_totals,
        grand_total=table.grand_total,
        has_row_totals=table.row_totals is not None,
        has_grand_total=table.has_grand_total,
        share_label=share_label,
        bars=bars,
        empty=table.is_empty,
        suppressed=table.suppressed_count,
    )


def _selection(form: StatisticsFilterForm) -> casefile.Selection:
    return casefile.Selection(**form.values())


def _form() -> StatisticsFilterForm:
    options = casefile.statistics_options(*door())
    return StatisticsFilterForm(
        formdata=request.args or None,
        years=options.years,
        countries=options.countries,
        regions=options.regions,
        region_fixed=options.region_fixed,
    )


def _filter_args() -> dict[str, Any]:
    return {k: v for k, v in request.args.items() if k in StatisticsFilterForm.__dict__ and v}


@bp.get("/")
def page() -> str:
    form = _form()
    if request.args and not form.validate():
        return render_template("statistics/page.html", form=form, readout=None, tables=())
    readout = casefile.statistics_page(*door(), _selection(form))
    tables = [shown(t) for t in readout.tables.all()]
    medians = [(MEDIANS[m.measure], m) for m in readout.tables.medians]
    missing_medians = [(MEDIANS[m.measure], m) for m in readout.tables.missing_medians]
    return render_template(
        "statistics/page.html",
        form=form,
        readout=readout,
        tables=tables,
        medians=medians,
        missing_medians=missing_medians,
        filter_args=_filter_args(),
        selection_text=selection_text(readout.selection),
    )


@bp.get("/export.<fmt>")
@fresh_auth_required
def export(fmt: str) -> BaseResponse:
    if fmt not in FORMATS:
        return redirect(url_for("statistics.page", **_filter_args()))
    form = _form()
    if request.args and not form.validate():
        return redirect(url_for("statistics.page", **_filter_args()))
    readout = casefile.export_statistics(*door(), _selection(form))
    name = f"casework-statistics-{readout.generated_at:%Y%m%d-%H%M%S}.{fmt}"
    body = csv_export(readout) if fmt == "csv" else json_export(readout)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def selection_text(selection: casefile.Selection) -> str:
    parts = []
    if selection.year is not None:
        parts.append(_("year %(year)s", year=selection.year))
    if selection.country:
        parts.append(label(CodeList.COUNTRY, selection.country))
    if selection.region:
        parts.append(_("region %(region)s", region=selection.region))
    if selection.age_band:
        parts.append(label(CodeList.AGE_BAND, selection.age_band))
    if selection.sex:
        parts.append(label(CodeList.SEX, selection.sex))
    return ", ".join(parts) if parts else _("all children")


def _value(value: int | None) -> str:
    return _("suppressed") if value is None else str(value)


def _document(readout: casefile.StatisticsReadout) -> dict[str, Any]:
    tables = []
    for table in readout.tables.all():
        view = shown(table)
        tables.append(
            {
                "key": view.key,
                "title": view.title,
                "description": view.description,
                "columns": list(view.columns),
                "rows": [
                    {
                        "label": name,
                        "cells": list(cells),
                        **({"total": total} if view.has_row_totals else {}),
                        **({"share_percent": share} if view.share_label else {}),
                    }
                    for name, cells, total, share in view.rows
                ],
                **({"column_totals": list(view.totals)} if view.totals is not None else {}),
                **({"grand_total": view.grand_total} if view.has_grand_total else {}),
            }
        )
    medians = [
        {"measure": str(MEDIANS[m.measure]), "base": m.base, "median_days": m.median}
        for m in (*readout.tables.medians, *readout.tables.missing_medians)
    ]
    return {
        "title": _("Casework statistics"),
        "selection": selection_text(readout.selection),
        "period": readout.selection.year if readout.selection.year is not None else "all",
        "k": readout.k,
        "generated_at": readout.generated_at.replace(tzinfo=UTC).isoformat(),
        "children": readout.tables.children,
        "suppressed": _(
            "null marks a suppressed value: fewer than %(k)d, or hidden so that a smaller "
            "one cannot be worked out",
            k=readout.k,
        ),
        "tables": tables,
        "medians": medians,
    }


def json_export(readout: casefile.StatisticsReadout) -> str:
    return json.dumps(_document(readout), ensure_ascii=False, indent=2)


def csv_export(readout: casefile.StatisticsReadout) -> str:
    doc = _document(readout)
    out = io.StringIO()
    w = csv.writer(out)

    def row(*cells: object) -> None:
        w.writerow([safe_cell("" if c is None else c) for c in cells])

    row(doc["title"])
    row(_("Selection"), doc["selection"])
    row(_("Period"), _("All") if doc["period"] == "all" else doc["period"])
    row(_("Smallest count shown (k)"), doc["k"])
    row(_("Generated (UTC)"), doc["generated_at"])
    row(_("Children"), _value(doc["children"]))
    for table in doc["tables"]:
        row()
        row(table["title"])
        header = ["", *table["columns"]]
        if any("total" in r for r in table["rows"]):
            header.append(_("Total"))
        if any("share_percent" in r for r in table["rows"]):
            header.append(_("Share (%)"))
        row(*header)
        for r in table["rows"]:
            cells = [_value(v) for v in r["cells"]]
            if "total" in r:
                cells.append(_value(r["total"]))
            if "share_percent" in r:
                cells.append("" if r["share_percent"] is None else r["share_percent"])
            row(r["label"], *cells)
        if "column_totals" in table:
            totals = [_value(v) for v in table["column_totals"]]
            if "grand_total" in table:
                totals.append(_value(table["grand_total"]))
            row(_("Total"), *totals)
    row()
    row(_("Days between events"), _("Base"), _("Median"))
    for m in doc["medians"]:
        row(m["measure"], _value(m["base"]), "" if m["median_days"] is None else m["median_days"])
    return out.getvalue()

// Forms on every page, as progressive enhancement (each works without scripts):
// - after a form error from the server, focus moves to the error summary;
// - a long multiple select (countries, languages) gets a filter box above it, the
//   chosen entries listed below it, and a click or tap on an entry toggles it.
"use strict";

function focusErrorSummary() {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
}

function chosenText(select) {
  const names = Array.from(select.selectedOptions, (o) => o.textContent.trim());
  return names.length ? names.join(", ") : select.dataset.noneLabel || "";
}

function makePicker(select) {
  const filter = document.createElement("input");
  filter.type = "search";
  filter.className = "picker-filter";
  // Its own name only: the list it filters follows it, and is named by its label.
  filter.setAttribute("aria-label", select.dataset.filterLabel || "");
  filter.placeholder = select.dataset.filterLabel || "";
  filter.setAttribute("aria-controls", select.id);
  select.before(filter);

  const chosen = document.createElement("p");
  chosen.className = "hint picker-chosen";
  chosen.setAttribute("aria-live", "polite");
  const update = () => {
    chosen.textContent = `${select.dataset.chosenLabel} ${chosenText(select)}`;
  };
  select.after(chosen);
  update();

  filter.addEventListener("input", () => {
    const wanted = filter.value.trim().toLocaleLowerCase();
    for (const option of select.options) {
      option.hidden = wanted !== "" && !option.textContent.toLocaleLowerCase().includes(wanted);
    }
  });
  filter.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select.focus();
    } else if (event.key === "Enter") {
      event.preventDefault(); // Enter in the filter never submits the form
      // The entry whose name starts with what was typed, else the first one shown:
      // "krie" picks "krievu", not "baltkrievu".
      const wanted = filter.value.trim().toLocaleLowerCase();
      const shown = Array.from(select.options).filter((o) => !o.hidden);
      const first =
        shown.find((o) => o.textContent.trim().toLocaleLowerCase().startsWith(wanted)) || shown[0];
      if (first) {
        first.selected = !first.selected;
        update();
      }
    }
  });
  // A click or tap toggles one entry, without Ctrl; the keyboard keeps the list's own keys.
  select.addEventListener("mousedown", (event) => {
    const option = event.target.closest("option");
    if (!option) {
      return;
    }
    event.preventDefault();
    option.selected = !option.selected;
    select.focus();
    update();
  });
  select.addEventListener("change", update);
}

document.addEventListener("DOMContentLoaded", () => {
  focusErrorSummary();
  for (const select of document.querySelectorAll("select[multiple][data-picker]")) {
    makePicker(select);
  }
});

/* Accessibility repairs for what Dash and plotly.js render on their own.
 *
 * - Dropdowns: Dash names the button by its value ("Alle sektorer") and keeps it out of the Tab order
 *   behind an aria-hidden input. Here the button is named by its visible label and its value, described by
 *   the help text, and takes the focus itself; the hidden input leaves the Tab order. The popover is
 *   named by the same label.
 * - The open list of a multi-select dropdown: Dash marks <label> elements (each holding a checkbox) as
 *   options of a listbox, roles a label may not take and which nest the checkboxes inside options. Here
 *   the list is a group named by the filter's label and the labels are plain labels: a screen reader
 *   reads native checkboxes with their state.
 * - Charts: the first plotly SVG is an image named by the card's title and described by the summary under
 *   it; the others (hover layer) are hidden from assistive technology. The numbers are in the table view.
 * Attributes are set again whenever React or plotly.js redraw (a MutationObserver), only when they differ.
 */
(function () {
    "use strict";

    function set(el, name, value) {
        if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
    }

    function repairDropdowns(root) {
        root.querySelectorAll(".filter-field").forEach(function (field) {
            var label = field.querySelector(".filter-label[id]");
            var button = field.querySelector("button.dash-dropdown");
            if (!label || !button) return;
            var named = (button.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
            if (named[0] !== label.id) set(button, "aria-labelledby", [label.id].concat(named).join(" "));
            var help = field.querySelector(".filter-help[id]");
            if (help) set(button, "aria-describedby", help.id);
            set(button, "tabindex", "0");
            var dummy = field.querySelector(".dash-dropdown-focus-target");
            if (dummy) set(dummy, "tabindex", "-1");
            var popover = button.getAttribute("aria-controls");
            var dialog = popover && document.getElementById(popover);
            if (!dialog) return;
            set(dialog, "aria-labelledby", label.id);
            dialog.querySelectorAll(".dash-dropdown-options").forEach(function (list) {
                set(list, "role", "group");
                set(list, "aria-labelledby", label.id);
            });
            dialog.querySelectorAll("label.dash-dropdown-option").forEach(function (option) {
                if (option.hasAttribute("role")) option.removeAttribute("role");
                if (option.hasAttribute("aria-selected")) option.removeAttribute("aria-selected");
            });
        });
    }

    function repairCharts(root) {
        root.querySelectorAll(".chart-view[data-labelledby]").forEach(function (view) {
            view.querySelectorAll("svg.main-svg").forEach(function (svg, i) {
                if (i === 0) {
                    set(svg, "role", "img");
                    set(svg, "aria-labelledby", view.getAttribute("data-labelledby"));
                    set(svg, "aria-describedby", view.getAttribute("data-describedby"));
                } else {
                    set(svg, "aria-hidden", "true");
                }
            });
        });
    }

    var scheduled = false;
    function repair() {
        scheduled = false;
        repairDropdowns(document);
        repairCharts(document);
    }

    function schedule() {
        if (!scheduled) {
            scheduled = true;
            window.requestAnimationFrame(repair);
        }
    }

    function start() {
        repair();
        new MutationObserver(schedule).observe(document.body, {
            subtree: true, childList: true, attributes: true,
            attributeFilter: ["tabindex", "aria-labelledby", "aria-controls", "class", "role", "aria-selected"],
        });
    }

    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();

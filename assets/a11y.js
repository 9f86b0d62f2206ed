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
 * - Charts (`describeChart`, called by charts.js after every draw): the first plotly SVG is an image named
 *   by the card's title and described by the summary under it; the others (hover layer) are hidden from
 *   assistive technology. The numbers are in the table view.
 * The filter bar is watched (a MutationObserver) and repaired whenever React redraws it, setting an
 * attribute only when it differs.
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

    function describeChart(view) {
        if (!view) return;
        view.querySelectorAll("svg.main-svg").forEach(function (svg, i) {
            if (i === 0) {
                set(svg, "role", "img");
                set(svg, "aria-labelledby", view.getAttribute("data-labelledby"));
                set(svg, "aria-describedby", view.getAttribute("data-describedby"));
            } else {
                set(svg, "aria-hidden", "true");
            }
        });
    }

    window.barometerA11y = {describeChart: describeChart};

    var scheduled = false;
    function schedule() {
        if (scheduled) return;
        scheduled = true;
        window.requestAnimationFrame(function () {
            scheduled = false;
            var bar = document.getElementById("filters");
            if (bar) repairDropdowns(bar);
        });
    }

    var watched = null;
    function watch() {
        var bar = document.getElementById("filters");
        if (!bar || bar === watched) return;
        watched = bar;
        repairDropdowns(bar);
        new MutationObserver(schedule).observe(bar, {
            subtree: true, childList: true, attributes: true,
            attributeFilter: ["tabindex", "aria-labelledby", "aria-controls", "role", "aria-selected"],
        });
    }

    function start() {
        // the page is rendered by React after this script runs: wait for the filter bar to appear
        var page = new MutationObserver(function () {
            watch();
            if (watched) page.disconnect();
        });
        page.observe(document.body, {childList: true, subtree: true});
        watch();
    }

    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();

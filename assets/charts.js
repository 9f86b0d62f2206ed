/* Charts in view first.
 *
 * The server sends each chart's figure and config to a store beside it ("<figure>-figure-data"); a
 * clientside callback hands them to the chart at once when it is in or near the viewport, and otherwise
 * keeps them: the charts further down are drawn together in the task after the screen has been
 * painted, top to bottom, or as soon as they scroll into view. A filter change thus
 * repaints what the user sees without waiting for plotly.js to redraw the other charts.
 * After every draw the chart gets its accessible name and description (a11y.js).
 */
(function () {
    "use strict";

    var pending = new Map();
    var queued = false;
    var observer = null;
    var described = new WeakSet();

    var waiting = new Set();

    function describeAfterDraws(id) {
        // the chart's element appears once plotly.js has loaded and drawn it: look again until it has
        var el = document.getElementById(id);
        var gd = el && el.querySelector(".js-plotly-plot");
        if (!gd || !gd.on) {
            if (waiting.has(id)) return;
            waiting.add(id);
            window.setTimeout(function () { waiting.delete(id); describeAfterDraws(id); }, 50);
            return;
        }
        if (described.has(gd)) return;
        described.add(gd);
        var view = el.closest(".chart-view");
        var describe = function () {
            if (window.barometerA11y) window.barometerA11y.describeChart(view);
        };
        gd.on("plotly_afterplot", describe);
        if (gd._fullLayout) describe();  // drawn before this look
    }

    function near(el) {
        var r = el.getBoundingClientRect();
        var h = window.innerHeight || document.documentElement.clientHeight;
        return r.bottom > -0.5 * h && r.top < 1.5 * h;
    }

    function draw(id) {
        var data = pending.get(id);
        if (!data) return;
        pending.delete(id);
        window.dash_clientside.set_props(id, {figure: data.figure, config: data.config});
    }

    function next() {  // every chart still waiting, top to bottom, in one task
        queued = false;
        document.querySelectorAll(".card-graph").forEach(function (g) { draw(g.id); });
    }

    function queueNext() {  // after the next paint: what is in view reaches the screen first
        if (queued) return;
        queued = true;
        window.requestAnimationFrame(function () { window.setTimeout(next, 0); });
    }

    function watch(el) {
        if (!observer && window.IntersectionObserver) {
            observer = new IntersectionObserver(function (entries) {
                entries.forEach(function (entry) {
                    if (entry.isIntersecting) draw(entry.target.id);
                });
            }, {rootMargin: "50% 0px"});
        }
        if (observer) observer.observe(el);
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        charts: {
            show: function (data, id) {
                var none = window.dash_clientside.no_update;
                if (!data) return [none, none];
                var el = document.getElementById(id);
                describeAfterDraws(id);
                if (!el || near(el)) {
                    pending.delete(id);
                    return [data.figure, data.config];
                }
                pending.set(id, data);
                watch(el);
                queueNext();
                return [none, none];
            },
        },
    });
})();

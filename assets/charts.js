/* Charts in view first.
 *
 * The server sends each chart's figure and config to a store beside it ("<figure>-figure-data"). One
 * clientside callback, `show`, whose outputs are the slots the charts sit in ("<figure>-slot"), hands
 * them to the charts in or near the viewport at once and keeps the others: those are drawn together
 * once the charts in view are on the screen, or as soon as they scroll into view, by naming them in
 * the wake store, which runs `show` again. A filter change thus repaints what the user sees without
 * waiting for plotly.js to redraw the other charts, and the page runs one callback for all of them.
 *
 * A chart's first figure arrives with the chart itself: `show` puts a dcc.Graph holding it into the
 * empty slot, so plotly.js draws each chart once, never an empty placeholder first. Later figures go to
 * that dcc.Graph. After every draw the chart gets its accessible name and description (a11y.js).
 */
(function () {
    "use strict";

    var SLOT = /-slot$/;
    var WAIT_FOR_VIEW = 3000;  // ms the charts further down wait at most for those in view to be drawn

    var pending = new Map();  // chart id -> the figure and config it waits to be drawn with
    var seen = new Map();  // chart id -> the store value last handled
    var handed = new Set();  // charts in view put into their slot that plotly.js has not drawn yet
    var queued = false;
    var waitingSince = 0;
    var observer = null;
    var asked = new Set();  // waiting charts the page has asked `show` to draw
    var wakes = 0;  // wakes asked for
    var described = new WeakSet();
    var describing = new Set();

    function plotOf(id) {
        var el = document.getElementById(id);
        return el && el.querySelector(".js-plotly-plot");
    }

    function describeAfterDraws(id) {
        // the chart's element appears once plotly.js has drawn it: look again until it has
        var gd = plotOf(id);
        if (!gd || !gd.on) {
            if (describing.has(id)) return;
            describing.add(id);
            window.setTimeout(function () { describing.delete(id); describeAfterDraws(id); }, 50);
            return;
        }
        if (described.has(gd)) return;
        described.add(gd);
        var view = gd.closest(".chart-view");
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

    function wake(ids) {  // ask `show` to draw these waiting charts now
        ids.forEach(function (id) { if (pending.has(id)) asked.add(id); });
        if (!asked.size) return;
        // the store's value only makes Dash run `show`; the charts asked for are kept here, so that
        // two wakes Dash runs as one lose none of them
        wakes += 1;
        window.dash_clientside.set_props("charts-wake", {data: wakes});
    }

    function next() {  // every chart still waiting, in one callback, once those in view are drawn
        queued = false;
        handed.forEach(function (id) {
            var gd = plotOf(id);
            if (gd && gd._fullLayout) handed.delete(id);
        });
        if (handed.size && Date.now() - waitingSince < WAIT_FOR_VIEW) {
            queueNext();
            return;
        }
        handed.clear();
        wake(Array.from(pending.keys()));
    }

    function queueNext() {  // after the next paint: what is in view reaches the screen first
        if (queued) return;
        queued = true;
        window.requestAnimationFrame(function () { window.setTimeout(next, 0); });
    }

    function watch(slot) {
        if (!observer && window.IntersectionObserver) {
            observer = new IntersectionObserver(function (entries) {
                wake(entries.filter(function (e) { return e.isIntersecting; })
                    .map(function (e) { return e.target.id.replace(SLOT, ""); }));
            }, {rootMargin: "50% 0px"});
        }
        if (observer) observer.observe(slot);
    }

    var cameraRequests = 0;

    function withCamera(id, data) {  // the modebar's one button: the chart at the export size chosen, as a PNG
        var camera = data.camera || {};
        var button = {name: "download-image", title: camera.title || "PNG", click: function () {
            cameraRequests += 1;
            window.dash_clientside.set_props("camera-request", {data: {figure: id, n: cameraRequests}});
        }};
        if (window.Plotly && window.Plotly.Icons) button.icon = window.Plotly.Icons.camera;
        return Object.assign({}, data.config, {modeBarButtons: [[button]]});
    }

    function graph(id, data) {  // the dcc.Graph of a chart drawn for the first time
        return {type: "Graph", namespace: "dash_core_components",
                props: {id: id, figure: data.figure, config: withCamera(id, data), className: "card-graph"}};
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        charts: {
            // (store of each chart..., wake count) -> the children of each chart's slot, in the outputs' order
            show: function () {
                var none = window.dash_clientside.no_update;
                var stores = Array.prototype.slice.call(arguments, 0, -1);
                var slots = window.dash_clientside.callback_context.outputs_list;
                var wanted = new Set(asked);
                asked.clear();
                return stores.map(function (data, k) {
                    var id = slots[k].id.replace(SLOT, "");
                    if (data && data !== seen.get(id)) {
                        seen.set(id, data);
                        pending.set(id, data);
                        describeAfterDraws(id);
                        var slot = document.getElementById(slots[k].id);
                        if (slot && !near(slot)) {
                            watch(slot);
                            queueNext();
                        } else {
                            wanted.add(id);
                        }
                    }
                    var ready = wanted.has(id) ? pending.get(id) : null;
                    if (!ready) return none;
                    pending.delete(id);
                    if (document.getElementById(id)) {  // drawn before: its new figure
                        window.dash_clientside.set_props(id, {figure: ready.figure, config: withCamera(id, ready)});
                        return none;
                    }
                    // a new chart mounts (and plotly.js draws it) a few tasks later: wait for it
                    if (!handed.size) waitingSince = Date.now();
                    handed.add(id);
                    return graph(id, ready);
                });
            },
        },
    });
})();

/* Links to a place in the page: a section ("#section-value"), a figure's card ("#fig4", by the figure's id) or
 * the method note ("#about", which opens).
 *
 * Dash renders the page after the browser has looked for the link's target, and charts drawn above the target
 * move it down as they arrive. So on load and on every change of the hash, the target is found as soon as it
 * exists, scrolled to below the sticky filter bar, given the focus (for keyboard and screen-reader users) and
 * kept in place while the page above it changes height: until the user scrolls, clicks or types, or HOLD ms
 * pass. The page's scroll padding follows the filter bar's height, so the browser's own jumps clear it too.
 */
(function () {
    "use strict";

    var HOLD = 8000;  // ms a target is kept in place while the page above it is drawn
    var holding = null;

    function targetOf(hash) {
        var id = "";
        try { id = decodeURIComponent((hash || "").replace(/^#/, "")); } catch (e) { return null; }
        if (!id) return null;
        return document.getElementById("card-" + id) || document.getElementById(id);
    }

    function barHeight() {
        var bar = document.getElementById("filters");
        return bar ? Math.ceil(bar.getBoundingClientRect().height) + 12 : 0;
    }

    function pad() {
        document.documentElement.style.setProperty("scroll-padding-top", barHeight() + "px");
    }

    function place(el) {
        var top = el.getBoundingClientRect().top + window.pageYOffset - barHeight();
        if (Math.abs(window.pageYOffset - top) > 1) window.scrollTo({top: Math.max(0, top), behavior: "instant"});
    }

    function release() {
        if (!holding) return;
        holding.observer.disconnect();
        window.clearTimeout(holding.timer);
        ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (name) {
            window.removeEventListener(name, release, true);
        });
        holding = null;
    }

    function hold(el) {
        release();
        var observer = new ResizeObserver(function () { place(el); });
        observer.observe(document.getElementById("content") || document.body);
        holding = {observer: observer, timer: window.setTimeout(release, HOLD)};
        ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (name) {
            window.addEventListener(name, release, true);
        });
    }

    function openNote(el) {
        if (el.id !== "about" || !window.dash_clientside || !window.dash_clientside.set_props) return;
        window.dash_clientside.set_props("about-accordion", {active_item: "about"});
    }

    function go(hash) {
        var el = targetOf(hash);
        if (!el) return false;
        pad();
        openNote(el);
        place(el);
        if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
        el.focus({preventScroll: true});
        hold(el);
        return true;
    }

    function whenThere(hash) {  // the page is drawn by React after this script runs: wait for the target
        if (go(hash)) return;
        var started = Date.now();
        var watch = new MutationObserver(function () {
            if (go(hash) || Date.now() - started > HOLD) watch.disconnect();
        });
        watch.observe(document.body, {childList: true, subtree: true});
    }

    function start() {
        if (window.location.hash) whenThere(window.location.hash);
        window.addEventListener("hashchange", function () { whenThere(window.location.hash); });
        window.addEventListener("resize", pad);
    }

    window.barometerAnchors = {go: go};
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();

/* Callbacks the server does not answer are sent again until it does.
 *
 * A callback request (POST .../_dash-update-component) that fails at the network, gets 502, 503 or 504
 * (a server restarting; nginx without a server behind it), 408 or 429, or no answer within `timeout`
 * (doubled after each time-out, up to the server's own 120 s), is sent again after 0.5, 1, 2, 4, 8, 10,
 * 10 ... s (no later than a 503's Retry-After; a 429 waits as long as its Retry-After says, up to 30 s)
 * until it is answered: the page then shows what its controls say without a click. Meanwhile the cards the
 * request redraws are marked (`data-stale`: the chart dims and "Could not update this figure" shows),
 * and, when it carries the live region, that says the figures could not be updated. A request that a
 * newer one for the same outputs has replaced (Dash has dropped it) stops: it is answered "no update"
 * (204); a background job's polls are never replaced. Every other answer (200, 204, 4xx, 500) goes to
 * Dash as it is.
 *
 * `window.barometerRetry` may set `timeout`, `firstDelay` and `maxDelay` (ms) before the page loads.
 */
(function () {
    "use strict";

    var settings = Object.assign({timeout: 30000, firstDelay: 500, maxDelay: 10000},
                                 window.barometerRetry || {});
    window.barometerRetry = settings;
    var AGAIN = [408, 429, 502, 503, 504];
    var MAX_TIMEOUT = 120000;  // ms: gunicorn's and nginx's limit for a request
    var CALLBACK = /_dash-update-component(\?|$)/;
    var STATUS = "figures-status";
    var nativeFetch = window.fetch.bind(window);
    var sent = 0;
    var latest = new Map();  // outputs -> number of the request sent last for them
    var stale = new Map();  // card element -> numbers of the failing requests that redraw it

    function outputIds(body) {
        // the request's outputs as Dash resolved them (its key: a newer request with the same key replaces it),
        // and the ids of the components they belong to (a pattern-matching output is a list of outputs)
        try {
            var payload = JSON.parse(body);
            var outputs = [].concat(payload.outputs || []).flat(2);
            // the callback (`output`, which tells apart callbacks sharing an output) and its resolved outputs
            return {key: payload.output + " " + JSON.stringify(outputs), ids: outputs.map(function (o) {
                return o && typeof o.id === "string" ? o.id : "";
            })};
        } catch (e) {
            return {key: String(body), ids: []};
        }
    }

    function cardsOf(ids) {
        // the figure cards ("card-<figure>") whose parts ("<figure>-...") the ids name
        var cards = new Set();
        document.querySelectorAll("article.figure-card[id^='card-']").forEach(function (card) {
            var figure = card.id.slice(5) + "-";
            if (ids.some(function (id) { return id.indexOf(figure) === 0; })) cards.add(card);
        });
        return cards;
    }

    function announce(on) {
        var text = document.querySelector(".figures-stale-text");
        if (on && text && window.dash_clientside && window.dash_clientside.set_props) {
            window.dash_clientside.set_props(STATUS, {children: text.textContent});
        }
    }

    function mark(number, request, on) {
        request.cards.forEach(function (card) {
            var failing = stale.get(card) || new Set();
            if (on) failing.add(number); else failing.delete(number);
            if (failing.size) {
                stale.set(card, failing);
                card.setAttribute("data-stale", "true");
            } else {
                stale.delete(card);
                card.removeAttribute("data-stale");
            }
        });
        if (on && request.live) announce(true);
    }

    function delayOf(tries, response) {
        // the back-off; a 429 waits as long as its Retry-After says, a server that is away at most that long
        var wait = Math.min(settings.maxDelay, settings.firstDelay * Math.pow(2, tries - 1));
        var after = response ? parseFloat(response.headers.get("Retry-After")) * 1000 : NaN;
        if (after > 0) wait = response.status === 429 ? Math.min(after, 30000) : Math.min(wait, after);
        return wait * (0.8 + 0.4 * Math.random());
    }

    function attempt(url, options, limit) {
        // fetch with a time limit: rejects with an AbortError when there is no answer in time
        var controller = new AbortController();
        var timer = setTimeout(function () { controller.abort(); }, limit);
        return nativeFetch(url, Object.assign({}, options, {signal: controller.signal}))
            .finally(function () { clearTimeout(timer); });
    }

    function sendUntilAnswered(url, options) {
        var number = ++sent;
        var found = outputIds(options.body);
        var polling = /[?&](job|cacheKey)=/.test(String(url));  // a background job's poll: never replaced
        latest.set(found.key, number);
        var request = {cards: null, live: found.ids.indexOf(STATUS) >= 0};
        var tries = 0;
        var limit = settings.timeout;
        return new Promise(function (resolve) {
            function settle(response) {
                if (request.cards) mark(number, request, false);
                if (latest.get(found.key) === number) latest.delete(found.key);
                resolve(response);
            }
            function again(response) {
                tries += 1;
                if (response && response.body) response.body.cancel().catch(function () {});
                try {
                    if (!request.cards) {
                        request.cards = cardsOf(found.ids);
                        mark(number, request, true);
                    }
                } finally {
                    setTimeout(send, delayOf(tries, response));
                }
            }
            function send() {
                if (!polling && latest.get(found.key) !== number) {  // replaced by a newer request, same outputs
                    settle(new Response(null, {status: 204}));
                    return;
                }
                attempt(url, options, limit).then(function (response) {
                    if (AGAIN.indexOf(response.status) >= 0) again(response); else settle(response);
                }, function (error) {
                    // no answer in time: the next try waits twice as long (up to the server's own limit)
                    if (error && error.name === "AbortError") limit = Math.min(2 * limit, MAX_TIMEOUT);
                    again(null);
                });
            }
            send();
        });
    }

    window.fetch = function (input, options) {
        var url = typeof input === "string" ? input : (input && input.url) || "";
        if (options && options.method === "POST" && typeof options.body === "string" && CALLBACK.test(url)) {
            return sendUntilAnswered(input, options);
        }
        return nativeFetch(input, options);
    };
})();

// SPDX-License-Identifier: MIT
// examples/common/page.hpp — the chat page the example rooms serve at `/`. I/O-free.
//
// ES3-era script, so the legacy browsers that speak draft-76 (2010–2014 WebKit on TVs and set-top
// boxes, iOS 4–5, QtWebKit) run it as well as current ones: the page does not know which
// protocol its browser speaks, the server tells them apart. The WebSocket URL comes from the
// page's own location, so the page works from any address the server is reached at. Empty
// messages are keepalives (--client-keepalive) and are not shown.
#ifndef HIXIE76_EXAMPLES_PAGE_HPP
#define HIXIE76_EXAMPLES_PAGE_HPP

#include <string>
#include <string_view>

namespace hixie76_examples {

/// The page, titled `title`, with `about` as a first paragraph when not empty. Both are
/// inserted as they are: plain text without markup characters.
inline std::string chat_page(std::string_view title, std::string_view about) {
    constexpr std::string_view head = R"(<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
)";
    constexpr std::string_view style = R"(<style>
body { font-family: sans-serif; margin: 1em; }
#log { border: 1px solid #888; height: 20em; overflow: auto; padding: 0.5em; }
#log div { white-space: pre-wrap; }
#text { width: 30em; }
</style>
</head>
<body>
)";
    constexpr std::string_view body = R"(<div id="log"></div>
<p><input id="text" type="text" autocomplete="off">
<button id="send" type="button">Send</button></p>
<script>
(function () {
    var log = document.getElementById('log');
    var text = document.getElementById('text');
    var button = document.getElementById('send');
    var ws = null;

    function show(line) {
        var div = document.createElement('div');
        div.appendChild(document.createTextNode(line));
        log.appendChild(div);
        log.scrollTop = log.scrollHeight;
    }

    function send() {
        if (ws === null || ws.readyState !== 1 || text.value === '') {
            return;
        }
        ws.send(text.value);
        text.value = '';
        text.focus();
    }

    if (!window.WebSocket) {
        show('* this browser has no WebSocket');
        return;
    }
    var url = (location.protocol == 'https:' ? 'wss://' : 'ws://') + location.host + '/';
    ws = new WebSocket(url);
    ws.onopen = function () { show('* connected to ' + url); };
    ws.onmessage = function (event) {
        if (event.data !== '') { // '' is a keepalive (--client-keepalive)
            show(event.data);
        }
    };
    ws.onclose = function () { show('* disconnected'); };
    button.onclick = send;
    text.onkeypress = function (event) {
        var e = event || window.event;
        if ((e.keyCode || e.which) == 13) {
            send();
            return false;
        }
        return true;
    };
    text.focus();
})();
</script>
</body>
</html>
)";
    std::string page(head);
    page += "<title>";
    page += title;
    page += "</title>\n";
    page += style;
    page += "<h1>";
    page += title;
    page += "</h1>\n";
    if (!about.empty()) {
        page += "<p>";
        page += about;
        page += "</p>\n";
    }
    page += body;
    return page;
}

} // namespace hixie76_examples

#endif // HIXIE76_EXAMPLES_PAGE_HPP

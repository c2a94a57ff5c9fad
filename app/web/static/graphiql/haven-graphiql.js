// GraphiQL for Haven: queries and mutations over POST /graphql, subscriptions over
// graphql-transport-ws on the same path. Credentials go in the Headers tab; the socket sends
// the same headers in connection_init, where Haven reads `X-API-Key` or `Authorization`.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  var url = window.location.pathname;
  var subscriptionsOn = root.dataset.subscriptions === "on";
  var httpFetcher = GraphiQL.createFetcher({ url: url });

  var WELCOME = [
    "# Haven's GraphQL API. Put an API key or access token in the Headers tab below:",
    '#   {"X-API-Key": "hv_..."}   or   {"Authorization": "Bearer <access token>"}',
    "# Ctrl-Enter runs the query; Ctrl-Space completes.",
    "",
    "{",
    "  boards {",
    "    id",
    "    name",
    "  }",
    "}",
    "",
  ].join("\n");

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + url;
  }

  // One socket per set of headers: credentials are fixed when the socket is initialised, so
  // new headers need a new socket.
  var socket = null;
  var socketHeaders = null;

  function client(headers) {
    var key = JSON.stringify(headers || {});
    if (socket && socketHeaders === key) {
      return socket;
    }
    if (socket) {
      socket.dispose();
    }
    socketHeaders = key;
    socket = graphqlWs.createClient({
      url: socketUrl(),
      connectionParams: headers || {},
      lazy: true,
      retryAttempts: 0,
    });
    return socket;
  }

  function closedMessage(event) {
    if (event && event.code === 4401) {
      return "The server refused the credentials in the Headers tab (4401).";
    }
    if (event && typeof event.code === "number") {
      return "The subscription socket closed (" + event.code + " " + (event.reason || "") + ").";
    }
    return String((event && event.message) || event);
  }

  function subscribe(params, headers) {
    if (!subscriptionsOn) {
      return Promise.resolve({
        errors: [{ message: "Subscriptions are not enabled on this server." }],
      });
    }
    return {
      subscribe: function (observer) {
        var dispose = client(headers).subscribe(params, {
          next: function (value) { observer.next(value); },
          error: function (error) {
            observer.next({ errors: [{ message: closedMessage(error) }] });
            observer.complete();
          },
          complete: function () { observer.complete(); },
        });
        return { unsubscribe: dispose };
      },
    };
  }

  // Parsed here: the `documentAST` GraphiQL passes along can lag behind an edit.
  function isSubscription(params) {
    try {
      var documentAST = GraphiQL.GraphQL.parse(params.query);
      var operation = GraphiQL.GraphQL.getOperationAST(documentAST, params.operationName);
      return Boolean(operation) && operation.operation === "subscription";
    } catch (error) {
      return false; // let the server report the syntax error
    }
  }

  function fetcher(params, opts) {
    if (isSubscription(params)) {
      return subscribe(params, opts && opts.headers);
    }
    return httpFetcher(params, opts);
  }

  // The explorer plugin is a hook that must see the current query, so the query lives here.
  function HavenGraphiQL() {
    var state = React.useState(WELCOME);
    var query = state[0];
    var setQuery = state[1];
    var explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query: query, onEdit: setQuery });
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      query: query,
      onEditQuery: setQuery,
      defaultHeaders: '{\n  "X-API-Key": ""\n}',
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      // Keys stay in this tab's memory, never in storage where other pages could read them.
      shouldPersistHeaders: false,
      plugins: [explorer],
    });
  }

  ReactDOM.render(React.createElement(HavenGraphiQL), root);
})();

"""One route module per resource: pages (/ and /verify), the JSON API, health, API docs, demo downloads."""

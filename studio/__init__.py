"""The studio: takes, the critic loop, exports, rendering, the CLI and the web UI's back end."""

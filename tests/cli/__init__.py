"""Tests of xpnet.cli: the `xpnet` command, each subcommand run as a user runs it."""

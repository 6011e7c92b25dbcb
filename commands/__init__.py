"""Commands: the `microdrama` command line, one handler per subcommand."""

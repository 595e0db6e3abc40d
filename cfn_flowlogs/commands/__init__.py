"""One module per `cfn-flowlogs` command: `add_parser(commands)` declares its arguments and sets
`run`, which does the work. Heavy imports stay inside `run`, so a command pays only for itself."""

"""A Sceptre template: the flow-log template for a stack config's `sceptre_user_data`, which holds
the module's inputs by their Terraform names, as a `cfn-flowlogs build --config` file does.

Sceptre calls `sceptre_handler` and deploys the text it returns. A bad input raises ConfigError,
which names the input, the value and what is allowed. No `sceptre_user_data` gives the shipped
template, whose Parameters the stack config's `parameters:` then set.
"""

from cfn_flowlogs import FlowLogsConfig, build_template, to_yaml


def sceptre_handler(sceptre_user_data):
    config = FlowLogsConfig.from_mapping(sceptre_user_data) if sceptre_user_data else None
    return to_yaml(build_template(config))

"""The tags that say who made a flow log, and the enrolment's other names: written once, for the
templates that set them, the enrolment's role that requires them, and the audit that reads them.
(The enrolment's function, which imports nothing of the package, spells them the same: a test
compares.)"""

from __future__ import annotations

from typing import Final

STACK_MARK: Final = "cfn-flowlogs:stack"  # on each flow log a cfn-flowlogs stack makes: its stack's name
ENROLMENT_MARK: Final = "cfn-flowlogs:enrolment"  # on each flow log the enrolment makes: its stack's name
OPT_OUT: Final = "cfn-flowlogs:opt-out"  # on a VPC, "true": the enrolment leaves it alone
RESERVED_PREFIX: Final = "cfn-flowlogs:"  # no custom tag may take it: the marks would lie
# AWS's: CloudWatch's telemetry rules may create flow logs only with this tag set to "true"
# (AWSObservabilityAdminTelemetryEnablementServiceRolePolicy).
TELEMETRY_MARK: Final = "CloudWatchTelemetryRuleManaged"
ENROLMENT_STATUS_PATH: Final = "/cfn-flowlogs/enrolment/"  # + a stack's name: its last sweep's findings
SWEEP_MINUTES: Final = 10  # the enrolment sweeps every VPC this often: a VPC no event announced waits no longer

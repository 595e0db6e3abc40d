"""Logical IDs and Output names: a public contract. Renaming one replaces (or orphans) a
resource, and for the log group, key and bucket that can lose data: change none of them."""

from __future__ import annotations

from typing import Final

FLOW_LOG: Final = "FlowLog"
# Each of additional_vpc_ids: FlowLog + the VPC ID in words (FlowLogVpc0123456789abcdef0), or, for
# a slot of the StackSet template or an ID only known at deploy time, its position.
ADDITIONAL_FLOW_LOG: Final = "FlowLogAdditionalVpc"  # + 1, 2, ...
KEY: Final = "FlowLogsKey"
KEY_ALIAS: Final = "FlowLogsKeyAlias"
LOG_GROUP: Final = "FlowLogsLogGroup"
ROLE: Final = "FlowLogsRole"
ROLE_POLICY: Final = "FlowLogsRolePolicy"
BUCKET: Final = "FlowLogsBucket"
BUCKET_POLICY: Final = "FlowLogsBucketPolicy"
EMPTY_BUCKET_ROLE: Final = "EmptyBucketRole"
EMPTY_BUCKET_FUNCTION: Final = "EmptyBucketFunction"
EMPTY_BUCKET: Final = "EmptyBucketOnDelete"
EMPTY_BUCKET_LOG_GROUP: Final = "EmptyBucketLogGroup"
SOURCE_ROLE: Final = "FirehoseSourceRole"
SOURCE_ROLE_POLICY: Final = "FirehoseSourceRolePolicy"
AUDIT_ROLE: Final = "AuditRole"  # the audit role template's one resource
# Free and without properties: present exactly when nothing else is, since CloudFormation
# refuses a stack with no resource (create_resources false, or a StackSet instance without target).
PLACEHOLDER: Final = "NothingToCreate"

# The stateful resources: kept on delete and on replacement.
STATEFUL: Final = (KEY, LOG_GROUP, BUCKET)

# The module's outputs, in its order.
OUTPUTS: Final = (
    "FlowLogId",
    "CloudWatchLogsGroupArn",
    "CloudWatchLogsGroupName",
    "CloudWatchKmsKeyArn",
    "S3BucketArn",
    "S3BucketName",
)

# The enrolment (the StackSet template's, enrol_vpcs) and its role (a template of its own).
ENROLMENT_FUNCTION: Final = "EnrolmentFunction"
ENROLMENT_LOG_GROUP: Final = "EnrolmentLogGroup"
ENROLMENT_STATUS: Final = "EnrolmentStatus"
ENROLMENT_ON_EVENTS: Final = "EnrolmentOnVpcEvents"  # + Permission
ENROLMENT_SWEEP: Final = "EnrolmentSweep"  # + Permission
ENROLMENT_ROLE: Final = "EnrolmentRole"

# The telemetry rule template (cfn-flowlogs telemetry): the rule, and the optional centralization rule.
TELEMETRY_RULE: Final = "VpcFlowLogsTelemetryRule"
CENTRALIZATION_RULE: Final = "VpcFlowLogsCentralizationRule"

# The query layer (create_athena_table, create_logs_insights_queries): metadata only, no data.
GLUE_DATABASE: Final = "FlowLogsGlueDatabase"
GLUE_TABLE: Final = "FlowLogsGlueTable"
ATHENA_WORKGROUP: Final = "FlowLogsAthenaWorkGroup"
NAMED_QUERY: Final = "FlowLogsQuery"  # + the question's key: FlowLogsQueryTopTalkers ...
INSIGHTS_QUERY: Final = "FlowLogsInsights"  # + the question's key: FlowLogsInsightsTopTalkers ...
QUERY_OUTPUTS: Final = ("GlueDatabaseName", "GlueTableName", "AthenaWorkGroupName")

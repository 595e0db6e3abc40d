"""The query layer, from the same config as delivery: a Glue database and table over the objects
VPC Flow Logs writes (columns, format, partitions and location as delivery writes them), an
Athena workgroup and named queries (S3), and Logs Insights query definitions (CloudWatch Logs).

Everything here is decided at compile time: the table's columns are the log format's, which a
deploy-time Parameter could change under it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import awacs.athena as athena
import awacs.glue as glue_actions
import awacs.kms as kms
import awacs.s3 as s3
from awacs.aws import Allow, Statement
from troposphere import Join, Ref, Split, Sub
from troposphere.athena import (
    EncryptionConfiguration,
    EngineVersion,
    NamedQuery,
    ResultConfiguration,
    WorkGroup,
    WorkGroupConfiguration,
)
from troposphere.glue import Column, Database, DatabaseInput, SerdeInfo, StorageDescriptor, Table, TableInput
from troposphere.logs import QueryDefinition

from ...config import layout as layout_text
from ...config.fields import FIELDS
from ...config.flow_logs import record_shape
from ...config.layout import RecordShape
from ...query.catalog import (
    ACCOUNT_KEY,
    PROJECTION_END_YEAR,
    PROJECTION_START_YEAR,
    REGION_KEY,
    RESULTS_PREFIX,
    athena_sql,
    column,
    insights_query,
    partition_keys,
    questions_for,
)
from .. import naming, policies
from ..context import BuildContext, Decision
from ..plan import Plan
from .bucket import BucketHandles, delivery_path, key_prefix
from .common import tags

R = TypeVar("R", NamedQuery, QueryDefinition)
ENGINE_VERSION: Final = "Athena engine version 3"
_TEXT: Final = {
    "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
}
_PARQUET: Final = {
    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
}


@dataclass(frozen=True)
class TableLayout:
    """What delivery writes (the record shape: fields, file format, prefixes, target kind), and
    whose objects the table spans (`accounts` None: any account, named in each query)."""

    shape: RecordShape
    accounts: Any  # comma-separated account IDs (text or expression), or None: injected
    regions: Any  # comma-separated regions (text or expression)


@dataclass(frozen=True)
class GlueHandles:
    database: Database | None
    table: Table | None
    database_name: Any
    table_name: Any


@dataclass(frozen=True)
class QueryHandles:
    glue: GlueHandles | None
    workgroup: WorkGroup | None
    named_queries: list[NamedQuery]
    insights_queries: list[QueryDefinition]


def database_name(ctx: BuildContext) -> Any:
    """`glue_database_name`, or `<stack name, - as _>_flow_logs[_<prefix>]`: Glue names take no
    `-` (stack names do), and Glue folds the name to lowercase when it stores it."""
    if ctx.values.get("glue_database_name"):
        return ctx.value("glue_database_name")
    suffix = "_flow_logs" + (f"_{ctx.prefix.lower()}" if ctx.prefix else "")
    return Join("", [Join("_", Split("-", Ref("AWS::StackName"))), suffix])


def workgroup_name(ctx: BuildContext) -> Any:
    """`athena_workgroup_name`, or `<stack name>-flow-logs[-<prefix>]`."""
    if ctx.values.get("athena_workgroup_name"):
        return ctx.value("athena_workgroup_name")
    return ctx.sub("${AWS::StackName}-flow-logs${Suffix}", Suffix=ctx.suffix)


def location_template(ctx: BuildContext, bucket_name: Any, layout: TableLayout) -> Any:
    """`storage.location.template`: the delivery prefix of one partition, as AWS's Athena guide
    gives it for Hive-compatible prefixes or plain ones, built on the bucket policy's own path."""
    shape = layout.shape
    hour = f"${{!{layout_text.HOUR_KEY}}}" if shape.per_hour else None
    year, month, day = (f"${{!{key}}}" for key in layout_text.DATE_KEYS)
    region = layout_text.region_prefix(f"${{!{REGION_KEY}}}", hive=shape.hive, transit_gateway=shape.transit_gateway)
    tail = region + layout_text.date_prefix(year, month, day, hour, hive=shape.hive)
    location = delivery_path(ctx, bucket_name, key_prefix(ctx), f"${{!{ACCOUNT_KEY}}}/" + tail, scheme="s3://")
    text = location.data["Fn::Sub"] if isinstance(location, Sub) else None
    if isinstance(text, str) and "${" not in text.replace("${!", ""):
        return text.replace("${!", "${")  # nothing for CloudFormation to substitute: Athena's own ${...}
    return location


def _projection(ctx: BuildContext, layout: TableLayout, bucket_name: Any) -> dict[str, Any]:
    account = {"type": "injected"} if layout.accounts is None else {"type": "enum", "values": layout.accounts}
    keys: dict[str, dict[str, Any]] = {
        ACCOUNT_KEY: account,
        REGION_KEY: {"type": "enum", "values": layout.regions},
        # Integers, as year, month and day are three levels: AWS's date type cannot split a date.
        "year": {"type": "integer", "range": f"{PROJECTION_START_YEAR},{PROJECTION_END_YEAR}", "digits": "4"},
        "month": {"type": "integer", "range": "1,12", "digits": "2"},
        "day": {"type": "integer", "range": "1,31", "digits": "2"},
        layout_text.HOUR_KEY: {"type": "integer", "range": "0,23", "digits": "2"},
    }
    parameters: dict[str, Any] = {"projection.enabled": "true"}
    for key in partition_keys(layout.shape.per_hour):
        parameters.update({f"projection.{key}.{name}": value for name, value in keys[key].items()})
    parameters["storage.location.template"] = location_template(ctx, bucket_name, layout)
    return parameters


def add_glue_table(ctx: BuildContext, decision: Decision, layout: TableLayout, bucket_name: Any) -> GlueHandles:
    """The database and the table over what delivery writes, partitions projected (no crawler,
    no Lambda, no MSCK REPAIR TABLE)."""
    db_name = database_name(ctx)
    table_name = ctx.value("glue_table_name")
    database = ctx.add(
        decision,
        lambda logical_id: Database(
            logical_id,
            CatalogId=Ref("AWS::AccountId"),
            DatabaseInput=DatabaseInput(Name=db_name, Description="VPC flow logs (cfn-flowlogs)"),
        ),
        naming.GLUE_DATABASE,
    )
    shape = layout.shape
    formats = _PARQUET if shape.parquet else _TEXT
    serde: dict[str, Any] = {"SerializationLibrary": formats["SerializationLibrary"]}
    if not shape.parquet:
        serde["Parameters"] = {"field.delim": " ", "serialization.format": " "}
    parameters: dict[str, Any] = {
        "EXTERNAL": "TRUE",
        "classification": "parquet" if shape.parquet else "csv",
        **({} if shape.parquet else {"skip.header.line.count": "1"}),  # the line of field names
        # Objects that reached Glacier Flexible Retrieval or Deep Archive (a bucket of your own, or an
        # earlier version's lifecycle) are read once restored; Athena skips them otherwise.
        "read_restored_glacier_objects": "true",
        **_projection(ctx, layout, bucket_name),
    }
    table = ctx.add(
        decision,
        lambda logical_id: Table(
            logical_id,
            CatalogId=Ref("AWS::AccountId"),
            DatabaseName=Ref(database),
            TableInput=TableInput(
                Name=table_name,
                Description="VPC flow logs as delivered: columns in log format order, partitions projected",
                TableType="EXTERNAL_TABLE",
                Parameters=parameters,
                PartitionKeys=[Column(Name=key, Type="string") for key in partition_keys(shape.per_hour)],
                StorageDescriptor=StorageDescriptor(
                    Columns=[Column(Name=column(name), Type=FIELDS[name].athena_type) for name in shape.fields],
                    Location=ctx.sub(
                        f"s3://${{Bucket}}/${{Prefix}}{layout_text.LOGS}", Bucket=bucket_name, Prefix=key_prefix(ctx)
                    ),
                    InputFormat=formats["InputFormat"],
                    OutputFormat=formats["OutputFormat"],
                    SerdeInfo=SerdeInfo(**serde),
                ),
            ),
        ),
        naming.GLUE_TABLE,
    )
    database_ref = Ref(database) if database is not None else None
    return GlueHandles(database, table, database_ref, Ref(table) if table is not None else None)


def add_athena(
    ctx: BuildContext,
    decision: Decision,
    glue: GlueHandles,
    fields: tuple[str, ...],
    *,
    bucket_name: Any,
    key_arn: Any,
    own_bucket: bool,
) -> tuple[WorkGroup | None, list[NamedQuery]]:
    """The workgroup (its settings enforced: results encrypted in the flow-log bucket, a limit on
    bytes scanned) and a named query for each question the format's fields can answer."""
    if own_bucket:  # the stack's bucket and key: SSE-KMS with that key, and only this account's bucket
        encryption = EncryptionConfiguration(EncryptionOption="SSE_KMS", KmsKey=key_arn)
        owner: Any = Ref("AWS::AccountId")
    else:  # your bucket: the owner you name (else this account), SSE-KMS with the key you name (else SSE-S3)
        key = ctx.values.get("athena_results_kms_key_arn")
        encryption = (
            EncryptionConfiguration(EncryptionOption="SSE_KMS", KmsKey=ctx.value("athena_results_kms_key_arn"))
            if key
            else EncryptionConfiguration(EncryptionOption="SSE_S3")
        )
        owner = ctx.optional("athena_results_expected_bucket_owner", Ref("AWS::AccountId"))
    workgroup = ctx.add(
        decision,
        lambda logical_id: WorkGroup(
            logical_id,
            Name=workgroup_name(ctx),
            Description="Queries over VPC flow logs (cfn-flowlogs): results encrypted, bytes scanned capped",
            State="ENABLED",
            # Deleting the stack deletes the workgroup with its saved queries and query history
            # (the results in S3 stay): without it, a workgroup that ran any query blocks the delete.
            RecursiveDeleteOption=True,
            WorkGroupConfiguration=WorkGroupConfiguration(
                EnforceWorkGroupConfiguration=True,
                PublishCloudWatchMetricsEnabled=True,
                BytesScannedCutoffPerQuery=ctx.value("athena_bytes_scanned_cutoff_per_query"),
                EngineVersion=EngineVersion(SelectedEngineVersion=ENGINE_VERSION),
                ResultConfiguration=ResultConfiguration(
                    OutputLocation=ctx.sub("s3://${Bucket}/" + RESULTS_PREFIX, Bucket=bucket_name),
                    EncryptionConfiguration=encryption,
                    ExpectedBucketOwner=owner,
                ),
            ),
            **tags(ctx),
        ),
        naming.ATHENA_WORKGROUP,
    )
    named: list[NamedQuery] = []
    for question, answer in questions_for(fields):
        query = NamedQuery(
            ctx.name(naming.NAMED_QUERY + question.key),
            Name=question.title,
            Description=f"{question.description} Needs the fields {', '.join(answer.fields)}.",
            Database=glue.database_name,
            WorkGroup=Ref(workgroup),
            QueryString=athena_sql(answer, ctx.values["glue_table_name"]),
        )
        added = ctx.add(decision, _built(query), naming.NAMED_QUERY + question.key)
        named.extend([added] if added is not None else [])
    return workgroup, named


def _built(resource: R) -> Callable[[str], R]:
    """For `ctx.add`: a resource already made under its logical ID."""
    return lambda logical_id: resource


def add_insights_queries(
    ctx: BuildContext, decision: Decision, log_group_name: Any, fields: tuple[str, ...]
) -> list[QueryDefinition]:
    """A saved Logs Insights query on the flow-log group for each question the fields answer."""
    queries: list[QueryDefinition] = []
    for question, answer in questions_for(fields):
        query = QueryDefinition(
            ctx.name(naming.INSIGHTS_QUERY + question.key),
            Name=ctx.sub("vpc-flow-logs/${AWS::StackName}${Suffix}/" + question.title, Suffix=ctx.suffix),
            LogGroupNames=[log_group_name],
            QueryString=insights_query(answer, fields),
        )
        added = ctx.add(decision, _built(query), naming.INSIGHTS_QUERY + question.key)
        queries.extend([added] if added is not None else [])
    return queries


def add_query_layer(
    ctx: BuildContext, plan: Plan, fields: tuple[str, ...], *, bucket: BucketHandles, key_arn: Any, log_group_name: Any
) -> QueryHandles:
    """The flow-log template's query layer: Athena over its bucket, Logs Insights over its group."""
    glue: GlueHandles | None = None
    workgroup: WorkGroup | None = None
    named: list[NamedQuery] = []
    if plan.athena is not False:
        layout = TableLayout(record_shape(ctx.values), accounts=Ref("AWS::AccountId"), regions=Ref("AWS::Region"))
        glue = add_glue_table(ctx, plan.athena, layout, bucket.name)
        own_bucket = _known(plan.create_bucket)
        workgroup, named = add_athena(
            ctx, plan.athena, glue, fields, bucket_name=bucket.name, key_arn=key_arn, own_bucket=own_bucket
        )
    insights = add_insights_queries(ctx, plan.logs_insights, log_group_name, fields) if plan.logs_insights else []
    return QueryHandles(glue, workgroup, named, insights)


def _known(decision: Decision) -> bool:
    if not isinstance(decision, bool):  # config.py refuses the query layer in a parameterized template
        raise ValueError("the query layer is decided at compile time")
    return decision


def log_fields(ctx: BuildContext) -> tuple[str, ...]:
    """The fields each record holds, as `FlowLogsConfig.log_fields` gives them: `log_format`'s, or
    AWS's default for the target's family."""
    return record_shape(ctx.values).fields


@dataclass(frozen=True)
class AnalystScope:
    """What an analyst queries: one stack's bucket, key, workgroup and table."""

    partition: str
    region: str
    account: str
    bucket: str
    subfolder: str  # s3_subfolder, "" for none
    key_arn: str
    workgroup: str
    database: str
    table: str


def analyst_policy(scope: AnalystScope) -> Any:
    """The IAM policy an analyst of this account needs for the workgroup, the table and its
    objects: nothing is added to the bucket or key policy (the key policy's account-root statement
    lets IAM grant the key's use)."""
    arn = f"arn:{scope.partition}"
    bucket = f"{arn}:s3:::{scope.bucket}"
    logs_prefix = layout_text.logs_prefix(scope.subfolder)
    glue = f"{arn}:glue:{scope.region}:{scope.account}"
    return policies.document(
        [
            Statement(
                Sid="RunQueriesInTheWorkGroup",
                Effect=Allow,
                Action=[
                    athena.StartQueryExecution,
                    athena.StopQueryExecution,
                    athena.GetQueryExecution,
                    athena.BatchGetQueryExecution,
                    athena.ListQueryExecutions,
                    athena.GetQueryResults,
                    athena.GetQueryResultsStream,
                    athena.GetWorkGroup,
                    athena.GetNamedQuery,
                    athena.BatchGetNamedQuery,
                    athena.ListNamedQueries,
                ],
                Resource=[f"{arn}:athena:{scope.region}:{scope.account}:workgroup/{scope.workgroup}"],
            ),
            Statement(
                Sid="ReadTheTable",
                Effect=Allow,
                Action=[
                    glue_actions.GetDatabase,
                    glue_actions.GetTable,
                    glue_actions.GetPartition,
                    glue_actions.GetPartitions,
                ],
                Resource=[
                    f"{glue}:catalog",
                    f"{glue}:database/{scope.database}",
                    f"{glue}:table/{scope.database}/{scope.table}",
                ],
            ),
            Statement(
                Sid="ListTheBucket",
                Effect=Allow,
                Action=[s3.ListBucket, s3.GetBucketLocation],
                Resource=[bucket],
            ),
            Statement(
                Sid="ReadTheFlowLogs",
                Effect=Allow,
                Action=[s3.GetObject],
                Resource=[f"{bucket}/{logs_prefix}*"],
            ),
            Statement(
                Sid="WriteQueryResults",
                Effect=Allow,
                Action=[s3.PutObject, s3.GetObject, s3.AbortMultipartUpload, s3.ListMultipartUploadParts],
                Resource=[f"{bucket}/{RESULTS_PREFIX}*"],
            ),
            Statement(
                Sid="UseTheFlowLogKey",  # read SSE-KMS objects and results, encrypt new results
                Effect=Allow,
                Action=[kms.Decrypt, kms.GenerateDataKey],
                Resource=[scope.key_arn],
            ),
        ]
    )

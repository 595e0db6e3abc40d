"""The query layer on the local endpoint: templates with it, compiled by the command line, deployed
with `aws cloudformation deploy` and read back with the AWS CLI.

examples/s3-athena.yaml gives a Glue database and table, an Athena workgroup and named queries;
examples/cloudwatch-logs-insights.yaml Logs Insights query definitions; `cfn-flowlogs archive`
with create_athena_table a Glue database and table over the archive. Each resource must hold
exactly the properties its template gives, resolved here from the template itself (not by moto),
and go with its stack. moto models none of them: moto_fixes/queries.py does."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .endpoint import ACCOUNT, BIN, REGION, Aws

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def compile_template(directory: Path, command: str, *args: str) -> tuple[Path, dict[str, Any]]:
    """`cfn-flowlogs <command> *args` written as JSON (intrinsic functions in their long form): its
    path and content."""
    path = directory / f"{command}.json"
    subprocess.run([str(BIN / "cfn-flowlogs"), command, *args, "-o", str(path)], check=True)
    return path, json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Deployed:
    """A deployed stack, its template and what CloudFormation resolves the template's references to."""

    name: str
    path: Path  # the template file deployed
    template: dict[str, Any]
    physical: dict[str, str]  # logical ID -> physical ID (what Ref answers)
    outputs: dict[str, str]

    def of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        """Logical ID -> Properties of the template's resources of this type."""
        return {n: r.get("Properties", {}) for n, r in self.template["Resources"].items() if r["Type"] == type_}

    def one(self, type_: str) -> tuple[str, dict[str, Any]]:
        ((logical_id, properties),) = self.of_type(type_).items()
        return logical_id, properties

    def resolve(self, value: Any) -> Any:
        """`value` with the template's Ref, GetAtt, Sub, Join and Split resolved as CloudFormation
        does for this stack; any other function fails the test."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1 or not (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return {key: self.resolve(item) for key, item in value.items()}
        ((function, argument),) = value.items()
        if function == "Ref":
            return self._ref(argument)
        if function == "Fn::GetAtt":
            return self._get_att(*argument)
        if function == "Fn::Join":
            separator, items = argument
            return separator.join(self.resolve(items))
        if function == "Fn::Split":
            separator, text = argument
            return self.resolve(text).split(separator)
        if function == "Fn::Sub":
            text, variables = argument if isinstance(argument, list) else (argument, {})
            return self._sub(text, {name: self.resolve(item) for name, item in variables.items()})
        raise AssertionError(f"no resolution here for {function}: {value}")

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "AWS::StackName": self.name,
            "AWS::Partition": "aws",
        }
        return pseudo[name] if name in pseudo else self.physical[name]

    def _get_att(self, logical_id: str, attribute: str) -> str:
        type_, physical = self.template["Resources"][logical_id]["Type"], self.physical[logical_id]
        arns = {
            "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{physical}",
            "AWS::S3::Bucket": f"arn:aws:s3:::{physical}",
        }
        assert attribute == "Arn" and type_ in arns, f"no resolution here for GetAtt {logical_id}.{attribute}"
        return arns[type_]

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is the text ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            return self._get_att(*name.split(".", 1)) if "." in name else self._ref(name)

        return re.sub(r"\$\{([^}]+)\}", one, text)


def deploy(aws: Aws, name: str, template: tuple[Path, dict[str, Any]]) -> Deployed:
    stack = aws.deploy(name, template[0])
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    resources = aws("cloudformation", "describe-stack-resources", "--stack-name", name)["StackResources"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    return Deployed(name, *template, physical, aws.outputs(name))


@pytest.fixture(scope="module")
def athena(aws: Aws, network: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """GIVEN examples/s3-athena.yaml on a real VPC, deployed."""
    directory = tmp_path_factory.mktemp("athena")
    config = ("--config", str(EXAMPLES / "s3-athena.yaml"), "--set", f"vpc_id={network['VpcId']}")
    return deploy(aws, "queries-athena", compile_template(directory, "build", *config))


@pytest.fixture(scope="module")
def insights(aws: Aws, network: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """GIVEN examples/cloudwatch-logs-insights.yaml on a real VPC, deployed."""
    directory = tmp_path_factory.mktemp("insights")
    config = ("--config", str(EXAMPLES / "cloudwatch-logs-insights.yaml"), "--set", f"vpc_id={network['VpcId']}")
    return deploy(aws, "queries-insights", compile_template(directory, "build", *config))


@pytest.fixture(scope="module")
def archive(aws: Aws, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """GIVEN the central archive with a table over two source accounts and two regions, deployed."""
    directory = tmp_path_factory.mktemp("archive")
    inputs = {"source_account_ids": f"{ACCOUNT},111122223333", "source_regions": f"{REGION},eu-west-1",
              "create_athena_table": "true"}  # fmt: skip
    options = [option for name, value in inputs.items() for option in ("--set", f"{name}={value}")]
    return deploy(aws, "queries-archive", compile_template(directory, "archive", *options))


def _database_and_table(aws: Aws, deployed: Deployed) -> None:
    """The stack's Glue database and table hold what the template gives; Ref is each one's name."""
    database_id, database_properties = deployed.one("AWS::Glue::Database")
    table_id, table_properties = deployed.one("AWS::Glue::Table")
    database_input = deployed.resolve(database_properties["DatabaseInput"])
    table_input = deployed.resolve(table_properties["TableInput"])
    # Ref answers the names, as the stack's Outputs report them
    assert deployed.physical[database_id] == deployed.outputs["GlueDatabaseName"] == database_input["Name"]
    assert deployed.physical[table_id] == deployed.outputs["GlueTableName"] == table_input["Name"]
    database = aws("glue", "get-database", "--name", database_input["Name"])["Database"]
    assert {key: database[key] for key in database_input} == database_input
    assert database["CatalogId"] == deployed.resolve(database_properties["CatalogId"]) == ACCOUNT
    table = aws("glue", "get-table", "--database-name", database_input["Name"], "--name", table_input["Name"])["Table"]
    assert deployed.resolve(table_properties["DatabaseName"]) == table["DatabaseName"] == database_input["Name"]
    # every property of the table: columns, partition keys, parameters (the projection), storage
    # (location, SerDe, input and output format), type
    assert {key: table[key] for key in table_input} == table_input


def test_athena_database_and_table_are_the_templates(aws: Aws, athena: Deployed):
    _database_and_table(aws, athena)
    # AND (spot checks of what was compared) the partitions are projected over this account and
    # region, and the table reads the stack's bucket where delivery writes Parquet
    table = aws("glue", "get-table", "--database-name", athena.outputs["GlueDatabaseName"],
                "--name", athena.outputs["GlueTableName"])["Table"]  # fmt: skip
    parameters, bucket = table["Parameters"], athena.outputs["S3BucketName"]
    assert parameters["projection.enabled"] == "true"
    assert (parameters["projection.aws_account_id.values"], parameters["projection.aws_region.values"]) == (
        ACCOUNT,
        REGION,
    )
    assert parameters["storage.location.template"] == (
        f"s3://{bucket}/AWSLogs/aws-account-id=${{aws_account_id}}/aws-service=vpcflowlogs/"
        "aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/hour=${hour}/"
    )
    assert table["StorageDescriptor"]["Location"] == f"s3://{bucket}/AWSLogs/"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")


def test_archive_database_and_table_are_the_templates(aws: Aws, archive: Deployed):
    _database_and_table(aws, archive)
    # AND the account partition is projected over the listed sources, the region one over theirs
    table = aws("glue", "get-table", "--database-name", archive.outputs["GlueDatabaseName"],
                "--name", archive.outputs["GlueTableName"])["Table"]  # fmt: skip
    assert table["Parameters"]["projection.aws_account_id.values"] == f"{ACCOUNT},111122223333"
    assert table["Parameters"]["projection.aws_region.values"] == f"{REGION},eu-west-1"
    assert table["StorageDescriptor"]["Location"].startswith(f"s3://{archive.physical['FlowLogsBucket']}/")
    # AND the archive has no workgroup of its own
    assert not archive.of_type("AWS::Athena::WorkGroup")


def test_athena_workgroup_is_the_templates(aws: Aws, athena: Deployed):
    # GIVEN the template's workgroup WHEN it is read back
    logical_id, properties = athena.one("AWS::Athena::WorkGroup")
    given = athena.resolve(properties)
    name = given["Name"]
    assert athena.physical[logical_id] == athena.outputs["AthenaWorkGroupName"] == name  # Ref: its name
    work_group = aws("athena", "get-work-group", "--work-group", name)["WorkGroup"]
    # THEN it has the template's name, state, description and configuration: results where the
    # template puts them, encrypted with the stack's key, in this account's bucket; the
    # configuration enforced; the bytes scanned per query capped
    assert (work_group["Name"], work_group["State"], work_group["Description"]) == (
        name,
        given["State"],
        given["Description"],
    )
    configuration, given_configuration = work_group["Configuration"], given["WorkGroupConfiguration"]
    engine = given_configuration.pop("EngineVersion")
    assert {key: configuration[key] for key in given_configuration} == given_configuration
    assert configuration["ResultConfiguration"] == {
        "OutputLocation": f"s3://{athena.outputs['S3BucketName']}/athena-results/",
        "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": athena.outputs["CloudWatchKmsKeyArn"]},
        "ExpectedBucketOwner": ACCOUNT,
    }
    assert (configuration["EnforceWorkGroupConfiguration"], configuration["BytesScannedCutoffPerQuery"]) == (
        True,
        5368709120,
    )
    assert configuration["EngineVersion"] == {**engine, "EffectiveEngineVersion": engine["SelectedEngineVersion"]}
    # AND the template's tags
    arn = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{name}"
    assert aws("athena", "list-tags-for-resource", "--resource-arn", arn)["Tags"] == given["Tags"]


def test_athena_named_queries_are_the_templates(aws: Aws, athena: Deployed):
    # GIVEN the template's named queries WHEN the workgroup's are read back
    given = {logical_id: athena.resolve(p) for logical_id, p in athena.of_type("AWS::Athena::NamedQuery").items()}
    work_group = athena.outputs["AthenaWorkGroupName"]
    ids = aws("athena", "list-named-queries", "--work-group", work_group)["NamedQueryIds"]
    # THEN the workgroup holds exactly the stack's queries, whose Ref is each one's ID
    assert sorted(ids) == sorted(athena.physical[logical_id] for logical_id in given)
    # AND each has the template's name, description, database, workgroup and query
    for logical_id, properties in given.items():
        query = aws("athena", "get-named-query", "--named-query-id", athena.physical[logical_id])["NamedQuery"]
        assert query == {**properties, "NamedQueryId": athena.physical[logical_id]}
        assert (query["Database"], query["WorkGroup"]) == (athena.outputs["GlueDatabaseName"], work_group)


def test_logs_insights_query_definitions_are_the_templates(aws: Aws, insights: Deployed):
    # GIVEN the template's query definitions WHEN the stack's are described by name prefix
    given = {
        logical_id: insights.resolve(p) for logical_id, p in insights.of_type("AWS::Logs::QueryDefinition").items()
    }
    prefix = f"vpc-flow-logs/{insights.name}/"
    described = aws("logs", "describe-query-definitions", "--query-definition-name-prefix", prefix)
    by_id = {definition["queryDefinitionId"]: definition for definition in described["queryDefinitions"]}
    # THEN there is one for each, whose Ref is its ID
    assert sorted(by_id) == sorted(insights.physical[logical_id] for logical_id in given)
    # AND each has the template's name, query and log group: the stack's
    group = insights.outputs["CloudWatchLogsGroupName"]
    for logical_id, properties in given.items():
        definition = by_id[insights.physical[logical_id]]
        assert (definition["name"], definition["queryString"], definition["logGroupNames"]) == (
            properties["Name"],
            properties["QueryString"],
            properties["LogGroupNames"],
        )
        assert definition["logGroupNames"] == [group] and definition["name"].startswith(prefix)


def test_describe_query_definitions_pages_and_filters(aws: Aws, insights: Deployed):
    # GIVEN the stack's query definitions WHEN they are described two at a time
    prefix = f"vpc-flow-logs/{insights.name}/"
    pages, token = [], None
    while True:
        page = aws("logs", "describe-query-definitions", "--query-definition-name-prefix", prefix,
                   "--max-results", "2", *(["--next-token", token] if token else []))  # fmt: skip
        pages.append([definition["name"] for definition in page["queryDefinitions"]])
        token = page.get("nextToken")
        if not token:
            break
    # THEN the pages hold two each and, together, each definition once
    names = [name for page in pages for name in page]
    assert all(len(page) == 2 for page in pages[:-1]) and len(names) == len(set(names))
    assert sorted(names) == sorted(
        p["Name"] for p in insights.resolve(insights.of_type("AWS::Logs::QueryDefinition")).values()
    )
    # AND a prefix that names no definition gives none; maxResults outside 1..1000 is refused
    assert (
        aws("logs", "describe-query-definitions", "--query-definition-name-prefix", f"{prefix}none")["queryDefinitions"]
        == []
    )
    assert "InvalidParameterException" in aws.fails("logs", "describe-query-definitions", "--max-results", "1001")


def test_updating_the_cutoff_updates_the_workgroup_in_place(
    aws: Aws, athena: Deployed, network: dict[str, str], tmp_path: Path
):
    # GIVEN the deployed example WHEN it is deployed again with another bytes-scanned cutoff
    config = ("--config", str(EXAMPLES / "s3-athena.yaml"), "--set", f"vpc_id={network['VpcId']}",
              "--set", "athena_bytes_scanned_cutoff_per_query=10737418240")  # fmt: skip
    template, _ = compile_template(tmp_path, "build", *config)
    name = athena.outputs["AthenaWorkGroupName"]
    queries = aws("athena", "list-named-queries", "--work-group", name)["NamedQueryIds"]
    stack = aws.deploy(athena.name, template)
    # THEN the workgroup is the same one, with the new cutoff and the rest of its configuration
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    configuration = aws("athena", "get-work-group", "--work-group", name)["WorkGroup"]["Configuration"]
    assert configuration["BytesScannedCutoffPerQuery"] == 10737418240
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
    # AND its named queries are kept
    assert aws("athena", "list-named-queries", "--work-group", name)["NamedQueryIds"] == queries
    # (put back as the fixture deployed it, for the tests that follow)
    assert aws.deploy(athena.name, athena.path)["StackStatus"] == "UPDATE_COMPLETE"


# Ref and GetAtt of each type of the query layer, in a template of their own: the product's
# templates use only some of them.
REFERENCES = {
    "Resources": {
        "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "references-group"}},
        "Definition": {
            "Type": "AWS::Logs::QueryDefinition",
            "Properties": {
                "Name": "references/definition",
                "QueryString": "fields @message | limit 1",
                "LogGroupNames": [{"Ref": "Group"}],
            },
        },
        "WorkGroup": {
            "Type": "AWS::Athena::WorkGroup",
            "Properties": {"Name": "references-workgroup", "State": "DISABLED", "RecursiveDeleteOption": True},
        },
        "Database": {
            "Type": "AWS::Glue::Database",
            "Properties": {"CatalogId": {"Ref": "AWS::AccountId"}, "DatabaseInput": {"Name": "references_db"}},
        },
        "Table": {
            "Type": "AWS::Glue::Table",
            "Properties": {
                "CatalogId": {"Ref": "AWS::AccountId"},
                "DatabaseName": {"Ref": "Database"},
                "TableInput": {"Name": "references_table"},
            },
        },
        "Query": {
            "Type": "AWS::Athena::NamedQuery",
            "Properties": {
                "Database": {"Ref": "Database"},
                "WorkGroup": {"Ref": "WorkGroup"},
                "QueryString": "SELECT 1",
                "Name": "references-query",
            },
        },
    },
    "Outputs": {
        name: {"Value": value}
        for name, value in {
            "DefinitionRef": {"Ref": "Definition"},
            "DefinitionId": {"Fn::GetAtt": ["Definition", "QueryDefinitionId"]},
            "WorkGroupRef": {"Ref": "WorkGroup"},
            "WorkGroupCreationTime": {"Fn::GetAtt": ["WorkGroup", "CreationTime"]},
            "WorkGroupEngine": {
                "Fn::GetAtt": ["WorkGroup", "WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion"]
            },
            "DatabaseRef": {"Ref": "Database"},
            "TableRef": {"Ref": "Table"},
            "QueryRef": {"Ref": "Query"},
            "QueryId": {"Fn::GetAtt": ["Query", "NamedQueryId"]},
        }.items()
    },
}


def test_ref_and_get_att_answer_as_cloudformation_documents(aws: Aws, tmp_path: Path):
    # GIVEN a resource of each type, with Outputs of its Ref and attributes
    template = tmp_path / "references.json"
    template.write_text(json.dumps(REFERENCES), encoding="utf-8")
    # WHEN deployed
    aws.deploy("queries-references", template)
    outputs = aws.outputs("queries-references")
    # THEN a query definition's Ref and QueryDefinitionId are its ID
    (definition,) = aws("logs", "describe-query-definitions", "--query-definition-name-prefix",
                        "references/")["queryDefinitions"]  # fmt: skip
    assert outputs["DefinitionRef"] == outputs["DefinitionId"] == definition["queryDefinitionId"]
    assert definition["logGroupNames"] == ["references-group"]
    # AND a named query's Ref and NamedQueryId are its ID, in the workgroup its WorkGroup names
    (query,) = aws("athena", "list-named-queries", "--work-group", "references-workgroup")["NamedQueryIds"]
    assert outputs["QueryRef"] == outputs["QueryId"] == query
    # AND a workgroup's Ref is its name; it has a creation time and the engine Athena chose
    # (none selected: AUTO, which is version 3); its State is the template's
    assert outputs["WorkGroupRef"] == "references-workgroup"
    assert outputs["WorkGroupCreationTime"].isdigit()
    assert outputs["WorkGroupEngine"] == "Athena engine version 3"
    assert aws("athena", "get-work-group", "--work-group", "references-workgroup")["WorkGroup"]["State"] == "DISABLED"
    # AND a Glue database's and table's Ref are their names
    assert (outputs["DatabaseRef"], outputs["TableRef"]) == ("references_db", "references_table")
    # AND all of it goes with the stack
    aws("cloudformation", "delete-stack", "--stack-name", "queries-references")
    aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", "queries-references")
    assert "EntityNotFoundException" in aws.fails("glue", "get-database", "--name", "references_db")
    assert "InvalidRequestException" in aws.fails("athena", "get-named-query", "--named-query-id", query)
    assert "InvalidRequestException" in aws.fails("athena", "get-work-group", "--work-group", "references-workgroup")
    assert not aws("logs", "describe-query-definitions", "--query-definition-name-prefix", "references/")[
        "queryDefinitions"
    ]


# Last: the module's stacks go.
@pytest.mark.parametrize("stack", ["athena", "insights", "archive"])
def test_stack_delete_removes_the_query_layer(aws: Aws, request: pytest.FixtureRequest, stack: str):
    # GIVEN a deployed stack with a query layer, and how to read each of its query resources
    deployed: Deployed = request.getfixturevalue(stack)
    reads = {
        "AWS::Glue::Database": lambda name: ("glue", "get-database", "--name", name),
        "AWS::Glue::Table": lambda name: ("glue", "get-table", "--database-name", deployed.outputs["GlueDatabaseName"],
                                          "--name", name),
        "AWS::Athena::WorkGroup": lambda name: ("athena", "get-work-group", "--work-group", name),
        "AWS::Athena::NamedQuery": lambda query_id: ("athena", "get-named-query", "--named-query-id", query_id),
    }  # fmt: skip
    errors = {"glue": "EntityNotFoundException", "athena": "InvalidRequestException"}
    commands = [
        read(deployed.physical[logical_id]) for type_, read in reads.items() for logical_id in deployed.of_type(type_)
    ]
    definitions = {deployed.physical[logical_id] for logical_id in deployed.of_type("AWS::Logs::QueryDefinition")}
    for command in commands:
        aws(*command)
    assert commands or definitions
    # WHEN the stack is deleted
    aws("cloudformation", "delete-stack", "--stack-name", deployed.name)
    aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", deployed.name)
    # THEN each of them is gone
    for command in commands:
        message = aws.fails(*command)
        assert errors[command[0]] in message, message
    described = aws("logs", "describe-query-definitions")["queryDefinitions"]
    assert not definitions & {definition["queryDefinitionId"] for definition in described}

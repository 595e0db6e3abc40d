"""Terraform files as configs: a `.tf` file's flow-log module block, a `.tfvars` file, a
`.tfvars.json` file; the same config from each syntax and from YAML compiles to the same bytes,
and every bad file is one line, exit 2, nothing written, through the library and the CLI."""

from __future__ import annotations

import json
import re
import sys

import pytest
import yaml

import cfn_flowlogs.config
from cfn_flowlogs import ArchiveConfig, ConfigError, build_template, to_json, to_yaml
from cfn_flowlogs.cli import main
from cfn_flowlogs.config.hcl import MAX_TOKENS, read_tfvars
from cfn_flowlogs.config.loading import MAX_CONFIG_BYTES, config_from, load_config_file
from cfn_flowlogs.config.parsing import MAX_NESTING

VPC = "vpc-0123456789abcdef0"
GRUNTWORK = "git::git@github.com:gruntwork-io/terraform-aws-vpc.git//modules/vpc-flow-logs?ref=v0.26.0"
PREFIX = "cfn-flowlogs: error:"
ROOT = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"

# --- one rich config, four syntaxes ------------------------------------------------------------

RICH_YAML = """\
subnet_id: subnet-0123456789abcdef0
traffic_type: ALL
log_destination_type: s3
s3_subfolder: flow-logs
s3_bucket_name: null
kms_key_users:
  - arn:${AWS::Partition}:iam::${AWS::AccountId}:role/FlowLogReaders
kms_key_deletion_window_in_days: 14
kms_key_prefix: alias/network_flow_logs_
s3_infrequent_access_transition: 45
s3_glacier_transition: 120
s3_expiration_transition: 730
force_destroy_bucket: false
max_aggregation_interval: 60
log_format: ${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} \
${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${flow-direction}
destination_options:
  file_format: parquet
  hive_compatible_partitions: true
  per_hour_partition: false
additional_s3_bucket_policy_statements:
  AllowAnalystsToRead:
    effect: Allow
    actions: [s3:GetObject, s3:ListBucket]
    principals:
      AWS: ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/FlowLogAnalysts"]
    keys: ["flow-logs/*"]
    condition:
      OnlyFromTheOrganization:
        test: StringEquals
        variable: aws:PrincipalOrgID
        values: [o-abcd123456]
      OnlyOverTls:
        test: Bool
        variable: aws:SecureTransport
        values: ["true"]
  DenyDeletes:
    effect: Deny
    actions: [s3:DeleteObject]
    principals:
      AWS: ["*"]
custom_tags:
  team: network
  cost-center: "4711"
  Name: flow logs
"""
# The same inputs as a Terraform module's arguments: `$${` is Terraform's escape for a literal `${`.
RICH_ARGUMENTS = """\
  subnet_id            = "subnet-0123456789abcdef0"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  s3_subfolder         = "flow-logs"
  s3_bucket_name       = null
  kms_key_users = [
    "arn:$${AWS::Partition}:iam::$${AWS::AccountId}:role/FlowLogReaders", # the readers
  ]
  kms_key_deletion_window_in_days = 14
  kms_key_prefix                  = "alias/network_flow_logs_"
  s3_infrequent_access_transition = 45
  s3_glacier_transition           = 120.0 // Terraform has one number type
  s3_expiration_transition        = 7.3e2
  force_destroy_bucket            = false
  max_aggregation_interval        = 60
  log_format = "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} \
$${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status} $${vpc-id} $${flow-direction}"
  destination_options = {
    file_format                = "parquet"
    hive_compatible_partitions = true
    per_hour_partition         = false
  }
  additional_s3_bucket_policy_statements = {
    AllowAnalystsToRead = {
      effect     = "Allow"
      actions    = ["s3:GetObject", "s3:ListBucket"]
      principals = { AWS = ["arn:$${AWS::Partition}:iam::$${AWS::AccountId}:role/FlowLogAnalysts"] }
      keys       = ["flow-logs/*"]
      condition = {
        OnlyFromTheOrganization = {
          test     = "StringEquals"
          variable = "aws:PrincipalOrgID"
          values   = ["o-abcd123456"]
        }
        OnlyOverTls = { test = "Bool", variable = "aws:SecureTransport", values = ["true"] }
      }
    }
    /* a statement that denies */
    "DenyDeletes" = {
      effect     = "Deny"
      actions    = ["s3:DeleteObject"]
      principals = { "AWS" : ["*"] }
    }
  }
  custom_tags = {
    team          = "network"
    "cost-center" = "4711"
    Name : "flow logs"
  }
""".replace("\\\n", "")
RICH_TF = f"""\
terraform {{
  required_version = ">= 1.5"
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "~> 5.0" }}
  }}
}}

provider "aws" {{
  region = var.region
}}

variable "region" {{
  type    = string
  default = "eu-west-1"
}}

locals {{
  tags = merge(var.tags, {{ team = "network" }})
}}

data "aws_partition" "current" {{}}

module "vpc" {{
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
  cidr    = "10.0.0.0/16"
}}

module "vpc_flow_logs" {{
  source     = "{GRUNTWORK}"
  providers  = {{ aws = aws.network }}
  depends_on = [module.vpc]

{RICH_ARGUMENTS}}}

resource "aws_s3_bucket" "other" {{
  bucket = "${{local.prefix}}-other"
}}

output "flow_log_id" {{
  value = module.vpc_flow_logs.flow_log_id
}}
"""


@pytest.fixture(scope="module")
def rich_files(tmp_path_factory):
    """The rich config as flow-logs.yaml, main.tf, terraform.tfvars and terraform.tfvars.json."""
    folder = tmp_path_factory.mktemp("rich")
    texts = {
        "flow-logs.yaml": RICH_YAML,
        "main.tf": RICH_TF,
        "terraform.tfvars": RICH_ARGUMENTS,
        "terraform.tfvars.json": json.dumps(yaml.safe_load(RICH_YAML), indent=2),
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {name: folder / name for name in texts}


def test_the_rich_config_reads_the_same_from_every_syntax(rich_files):
    # GIVEN one config as YAML, a .tf module block, a .tfvars and a .tfvars.json
    # WHEN each is read
    read = {name: load_config_file(path) for name, path in rich_files.items()}
    # THEN each is the same mapping, value for value and type for type (7.3e2 and 120.0 are ints)
    expected = yaml.safe_load(RICH_YAML)
    for name, data in read.items():
        assert data == expected, name
        assert json.dumps(data, sort_keys=True) == json.dumps(expected, sort_keys=True), name


def test_the_rich_config_compiles_to_the_same_bytes_from_every_syntax(rich_files):
    # WHEN each file is compiled
    templates = {name: build_template(config_from(path, [])) for name, path in rich_files.items()}
    # THEN the YAML and JSON texts are byte for byte those of the YAML config
    yaml_texts = {name: to_yaml(template) for name, template in templates.items()}
    json_texts = {name: to_json(template) for name, template in templates.items()}
    assert len(set(yaml_texts.values())) == 1, sorted(yaml_texts)
    assert len(set(json_texts.values())) == 1
    # AND the escapes became the pseudo parameters the template substitutes
    assert "${AWS::Partition}:iam::${AWS::AccountId}:role/FlowLogReaders" in yaml_texts["main.tf"]
    assert "$${" not in yaml_texts["main.tf"]


def test_the_cli_writes_the_same_bytes_from_a_tf_file_and_a_yaml_file(rich_files, tmp_path, capsys):
    # WHEN `build` compiles the .tf file and the YAML file
    for name in ("main.tf", "flow-logs.yaml"):
        assert main(["build", "--config", str(rich_files[name]), "-o", str(tmp_path / f"{name}.out")]) == 0
    # THEN the two written templates are the same bytes, and nothing was said
    assert (tmp_path / "main.tf.out").read_bytes() == (tmp_path / "flow-logs.yaml.out").read_bytes()
    assert "error" not in capsys.readouterr().err


# --- literals: the value Terraform gives each ------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        pytest.param('"plain"', "plain", id="string"),
        pytest.param('""', "", id="empty-string"),
        pytest.param(r'"a\"b\\c\td\ne\r"', 'a"b\\c\td\ne\r', id="backslash-escapes"),
        pytest.param(r'"caf\u00e9 \U0001F600"', "café \U0001f600", id="unicode-escapes"),
        pytest.param('"arn:$${AWS::Partition}:s3:::b"', "arn:${AWS::Partition}:s3:::b", id="dollar-escape"),
        pytest.param('"%%{literal}"', "%{literal}", id="percent-escape"),
        pytest.param('"100% of $5, $$ and %%"', "100% of $5, $$ and %%", id="lone-sigils"),
        pytest.param('"é ü 中"', "é ü 中", id="utf-8"),
        pytest.param("<<EOT\nline one\n  line two\nEOT", "line one\n  line two\n", id="heredoc-keeps-last-newline"),
        pytest.param("<<EOT\nEOT", "", id="empty-heredoc"),
        pytest.param("<<EOT\nbody\nEOT  \t", "body\n", id="heredoc-marker-with-trailing-spaces"),
        pytest.param("<<-EOT\n  body\n  EOT \r", "body\n", id="indented-heredoc-crlf-marker-with-a-space"),
        pytest.param("<<EOT\nx\n\nEOT", "x\n\n", id="heredoc-trailing-blank-line"),
        pytest.param("<<-EOT\n    a\n      b\n\n    EOT", "a\n  b\n\n", id="indented-heredoc"),
        pytest.param("<<-EOT\n\ta\n\t\tb\n\tEOT", "a\n\tb\n", id="indented-heredoc-tabs"),
        pytest.param("<<-EOT\n    a\n      \n    b\n    EOT", "a\n      \nb\n", id="indented-heredoc-space-line"),
        pytest.param('<<EOT\n$${version} %%{x} \\n "q"\nEOT', '${version} %{x} \\n "q"\n', id="heredoc-escapes"),
        pytest.param("30", 30, id="int"),
        pytest.param("-3", -3, id="negative-int"),
        pytest.param("1.5", 1.5, id="float"),
        pytest.param("-2.5", -2.5, id="negative-float"),
        pytest.param("1e3", 1000, id="exponent-is-whole"),
        pytest.param("30.0", 30, id="whole-float-is-int"),
        pytest.param("(7)", 7, id="parentheses"),
        pytest.param("true", True, id="true"),
        pytest.param("false", False, id="false"),
        pytest.param("null", None, id="null"),
        pytest.param("[]", [], id="empty-list"),
        pytest.param('["a", 2, true, null,]', ["a", 2, True, None], id="list-trailing-comma"),
        pytest.param('[\n  "a", # one\n  "b"  // two\n]', ["a", "b"], id="list-over-lines-with-comments"),
        pytest.param("{}", {}, id="empty-object"),
        pytest.param(
            '{ a = 1, "b-c" = 2, d: 3, in = 4, 5 = "five", null = 6, e-f = 7 }',
            {"a": 1, "b-c": 2, "d": 3, "in": 4, "5": "five", "null": 6, "e-f": 7},
            id="object-keys",
        ),
        pytest.param(
            '{\n  s = { x = [1, { y = ["z"] }] }\n}', {"s": {"x": [1, {"y": ["z"]}]}}, id="nested-object-and-list"
        ),
        pytest.param('"x" # a comment', "x", id="trailing-comment"),
    ],
)
def test_a_literal_has_the_value_terraform_gives_it(literal, value):
    # WHEN a .tfvars assignment holds the literal
    read = read_tfvars(f"x = {literal}\n").data
    # THEN its value is Terraform's, with its Python type
    assert read == {"x": value}
    assert type(read["x"]) is type(value)


# --- good files ------------------------------------------------------------------------------------

MODULE = 'module "{name}" {{\n  source = "{source}"\n{body}}}\n'
TARGET = f'  vpc_id = "{VPC}"\n'


def module(name="vpc_flow_logs", source=GRUNTWORK, body=TARGET):
    return MODULE.format(name=name, source=source, body=body)


GOOD = [
    pytest.param("main.tf", RICH_TF.replace(RICH_ARGUMENTS, TARGET), None, {"vpc_id": VPC}, id="tf-with-other-blocks"),
    pytest.param(
        "main.tf",
        module("a", body='  vpc_id = "vpc-0aaaaaaaaaaaaaaaa"\n') + module("b", body=TARGET),
        "b",
        {"vpc_id": VPC},
        id="several-modules-with---module",
    ),
    pytest.param(
        "main.tf",
        module(source="gruntwork-io/vpc/aws//modules/vpc-flow-logs"),
        None,
        {"vpc_id": VPC},
        id="registry-source",
    ),
    pytest.param("main.tf", module(source="../modules/vpc-flow-logs"), None, {"vpc_id": VPC}, id="local-source"),
    pytest.param(
        "main.tf",
        module(source="git::https://example.com/vpc-flow-logs.git?ref=v1"),
        None,
        {"vpc_id": VPC},
        id="repository-source",
    ),
    pytest.param(
        "main.tf",
        module("other", source="terraform-aws-modules/vpc/aws") + module(source="../vpc-flow-logs"),
        None,
        {"vpc_id": VPC},
        id="the-one-flow-log-module-among-others",
    ),
    pytest.param(
        "main.tf",
        module(
            body=TARGET + '  version = "~> 0.26"\n  providers = { aws = aws.west }\n  count = var.on ? 1 : 0\n'
            "  for_each = toset(var.vpcs)\n  depends_on = [module.vpc, aws_iam_role.x]\n"
        ),
        None,
        {"vpc_id": VPC},
        id="terraform-meta-arguments-ignored",
    ),
    pytest.param(
        "main.tf",
        'module flow_logs {\n  source = "./vpc-flow-logs"\n' + TARGET + "}\n",
        None,
        {"vpc_id": VPC},
        id="unquoted-label",
    ),
    pytest.param(
        "terraform.tfvars",
        TARGET + '  traffic_type = "ALL"\n',
        None,
        {"vpc_id": VPC, "traffic_type": "ALL"},
        id="tfvars",
    ),
    pytest.param("prod.tfvars", TARGET.replace("\n", "\r\n"), None, {"vpc_id": VPC}, id="tfvars-crlf"),
    pytest.param("prod.tfvars", "\ufeff" + TARGET, None, {"vpc_id": VPC}, id="tfvars-with-bom"),
    pytest.param("terraform.tfvars", "# nothing yet\n", None, {}, id="tfvars-without-inputs"),
    pytest.param(
        "terraform.tfvars.json",
        json.dumps({"vpc_id": VPC, "kms_key_users": [ROOT]}),
        None,
        {"vpc_id": VPC, "kms_key_users": [ROOT]},
        id="tfvars-json-strings-are-literal",
    ),
]


@pytest.mark.parametrize(("name", "text", "module_name", "expected"), GOOD)
def test_a_terraform_file_gives_the_inputs_it_holds(tmp_path, name, text, module_name, expected):
    # GIVEN a Terraform file
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    # WHEN the library reads it
    data = load_config_file(path, module_name)
    # THEN it is the module's inputs, Terraform's own arguments left out
    assert data == expected
    # AND `build` compiles it
    if expected:
        argv = ["build", "--config", str(path), "-o", str(tmp_path / "out.yaml")]
        assert main(argv + (["--module", module_name] if module_name else [])) == 0
        assert "FlowLog:" in (tmp_path / "out.yaml").read_text(encoding="utf-8")


def test_an_archive_reads_any_module_block_and_tfvars(tmp_path, capsys):
    # GIVEN the archive's inputs as the only module block of a .tf file (no flow-log source), and as .tfvars
    tf = tmp_path / "archive.tf"
    tf.write_text(module("archive", "./modules/archive", '  organization_id = "o-abcd123456"\n'), encoding="utf-8")
    tfvars = tmp_path / "archive.tfvars"
    tfvars.write_text('source_account_ids = ["111122223333", "444455556666"]\n', encoding="utf-8")
    # WHEN the library and `archive` read them
    assert config_from(tf, [], ArchiveConfig).organization_id == "o-abcd123456"
    assert config_from(tfvars, [], ArchiveConfig).source_account_ids == ("111122223333", "444455556666")
    assert main(["archive", "--config", str(tf), "-o", str(tmp_path / "archive.yaml")]) == 0
    # THEN they are the archive's inputs
    assert "o-abcd123456" in (tmp_path / "archive.yaml").read_text(encoding="utf-8")


def test_set_overrides_a_terraform_file(tmp_path):
    # GIVEN a .tf file WHEN --set gives the value an expression stood for
    path = tmp_path / "main.tf"
    path.write_text(module(body=TARGET + '  traffic_type = "ALL"\n'), encoding="utf-8")
    config = config_from(path, ["traffic_type=ACCEPT"])
    # THEN --set wins
    assert config.traffic_type == "ACCEPT"


# --- bad files ---------------------------------------------------------------------------------------

LITERAL = "a literal value, not"


def inputs(*lines):
    """A main.tf whose flow-log module (from line 1) has a target on line 3, then `lines` from line 4."""
    return module(body=TARGET + "".join(f"  {line}\n" for line in lines))


BAD = [
    # expressions, of every kind
    pytest.param(
        inputs("kms_key_arn = module.kms.key_arn"),
        None,
        "kms_key_arn",
        "module.kms.key_arn",
        f"main.tf:4: kms_key_arn: must be {LITERAL} a reference",
        id="module-output",
    ),
    pytest.param(
        inputs("traffic_type = var.traffic_type"),
        None,
        "traffic_type",
        "var.traffic_type",
        "--set traffic_type=",
        id="variable",
    ),
    pytest.param(inputs("custom_tags = local.tags"), None, "custom_tags", "local.tags", "a reference", id="local"),
    pytest.param(
        inputs("kms_key_arn = data.aws_kms_key.logs.arn"),
        None,
        "kms_key_arn",
        "data.aws_kms_key.logs.arn",
        "a reference",
        id="data-source",
    ),
    pytest.param(
        inputs('custom_tags = merge(local.tags, { team = "network" })'),
        None,
        "custom_tags",
        'merge(local.tags, { team = "network" })',
        "a function call",
        id="function-call",
    ),
    pytest.param(
        inputs('cloudwatch_log_group_name = "/aws/vpc-flow-logs/${var.env}"'),
        None,
        "cloudwatch_log_group_name",
        '"/aws/vpc-flow-logs/${var.env}"',
        "an interpolation",
        id="interpolation",
    ),
    pytest.param(
        inputs('kms_key_users = ["arn:${data.aws_partition.current.partition}:iam::123456789012:root"]'),
        None,
        "kms_key_users[0]",
        '"arn:${data.aws_partition.current.partition}:iam::123456789012:root"',
        "write $${AWS::Partition} for data.aws_partition.current.partition",
        id="partition-hint",
    ),
    pytest.param(
        inputs('traffic_type = var.all ? "ALL" : "REJECT"'),
        None,
        "traffic_type",
        'var.all ? "ALL" : "REJECT"',
        "a conditional",
        id="conditional",
    ),
    pytest.param(
        inputs("kms_key_users = [for r in var.roles : r.arn]"),
        None,
        "kms_key_users",
        "[for r in var.roles : r.arn]",
        "a for expression",
        id="for-list",
    ),
    pytest.param(
        inputs("custom_tags = { for k, v in var.tags : k => v }"),
        None,
        "custom_tags",
        "{ for k, v in var.tags : k => v }",
        "a for expression",
        id="for-object",
    ),
    pytest.param(
        inputs("kms_key_users = aws_iam_role.readers[*].arn"),
        None,
        "kms_key_users",
        "aws_iam_role.readers[*].arn",
        "a splat expression",
        id="splat",
    ),
    pytest.param(
        inputs("cloudwatch_log_retention = 365 * 2"),
        None,
        "cloudwatch_log_retention",
        "365 * 2",
        "an operator expression",
        id="operator",
    ),
    pytest.param(
        inputs('cloudwatch_log_group_name = "%{if var.x}a%{endif}"'),
        None,
        "cloudwatch_log_group_name",
        '"%{if var.x}a%{endif}"',
        "a template directive",
        id="directive",
    ),
    pytest.param(
        inputs("custom_tags = { team = var.team }"),
        None,
        "custom_tags.team",
        "var.team",
        "a reference",
        id="nested-expression",
    ),
    pytest.param(
        inputs("custom_tags = { (var.key) = 1 }"),
        None,
        "custom_tags",
        "(var.key)",
        "an expression as a key",
        id="expression-key",
    ),
    pytest.param(
        inputs("log_format = <<EOT", "$${version} ${var.fields}", "EOT"),
        None,
        "log_format",
        "${var.fields}",
        f"main.tf:5: log_format: must be {LITERAL} an interpolation in a heredoc",
        id="heredoc-interpolation",
    ),
    pytest.param(
        inputs('kms_key_users = ["arn:${AWS::Partition}:iam::123456789012:root"]'),
        None,
        "config",
        'kms_key_users = ["arn:${AWS::Partition}',
        ("main.tf:4: config: must be valid HCL (unexpected", "write CloudFormation's ${AWS::...} as $${AWS::...}"),
        id="unescaped-pseudo-parameter",
    ),
    # syntax and structure
    pytest.param(
        inputs('traffic_type = "ALL" "REJECT"'),
        None,
        "config",
        'traffic_type = "ALL" "REJECT"',
        ("main.tf:4: config: must be valid HCL (unexpected", 'got traffic_type = "ALL" "REJECT"'),
        id="syntax-error-with-line",
    ),
    pytest.param(
        module()[:-2],
        None,
        "config",
        "(the end of the file)",
        ("main.tf:4: config: must be valid HCL (unexpected end of file)", "got (the end of the file)"),
        id="unclosed",
    ),
    pytest.param(
        inputs('destination_options { file_format = "parquet" }'),
        None,
        "module.vpc_flow_logs",
        "block destination_options",
        ("main.tf:4: module.vpc_flow_logs: must be", "a module takes no blocks"),
        id="block-in-module",
    ),
    pytest.param(
        inputs('vpc_id = "vpc-0fffffffffffffff0"'),
        None,
        "vpc_id",
        "set again",
        ("main.tf:4: vpc_id: must be set once", "got set again"),
        id="argument-twice",
    ),
    pytest.param(
        module() + module(),
        None,
        "config",
        'module "vpc_flow_logs"',
        ("main.tf:5: config: must be module blocks of distinct names", 'got module "vpc_flow_logs"'),
        id="module-twice",
    ),
    pytest.param(
        inputs(r'cloudwatch_log_group_name = "a\qb"'),
        None,
        "cloudwatch_log_group_name",
        "\\q",
        "written with Terraform's escapes only",
        id="unknown-escape",
    ),
    pytest.param(
        inputs('cloudwatch_log_group_name = "a', 'b"'),
        None,
        "cloudwatch_log_group_name",
        "a\n",
        "a string on one line",
        id="multi-line-string",
    ),
    pytest.param(inputs("vpcid = 1"), None, "config", "vpcid", "a known input", id="unknown-input"),
    pytest.param(inputs("traffic_type = 3"), None, "traffic_type", 3, "one of", id="bad-value"),
    # which module
    pytest.param(
        module("vpc", "terraform-aws-modules/vpc/aws"),
        None,
        "config",
        {"vpc": "terraform-aws-modules/vpc/aws"},
        "a module block whose source names vpc-flow-logs",
        id="no-flow-log-module",
    ),
    pytest.param('provider "aws" {}\n', None, "config", {}, "a .tf file with a module block", id="no-module"),
    pytest.param(
        module("a") + module("b"),
        None,
        "--module",
        None,
        "module blocks whose source names vpc-flow-logs: a, b",
        id="several-modules-without---module",
    ),
    pytest.param(
        module("a") + module("b"),
        "c",
        "--module",
        "c",
        "one of the module blocks whose source names vpc-flow-logs: a, b",
        id="unknown---module",
    ),
    pytest.param(
        module() + module("vpc", "terraform-aws-modules/vpc/aws"),
        "vpc",
        "--module",
        "vpc",
        'vpc\'s source "terraform-aws-modules/vpc/aws" does not',
        id="---module-not-a-flow-log-module",
    ),
    # limits
    pytest.param(
        "# " + "x" * MAX_CONFIG_BYTES + "\n",
        None,
        "--config",
        "main.tf",
        f"at most {MAX_CONFIG_BYTES} bytes",
        id="over-size",
    ),
    pytest.param(
        inputs("custom_tags = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)),
        None,
        "config",
        "characters starting",
        f"nested over {MAX_NESTING} deep",
        id="too-deep",
    ),
    pytest.param(
        inputs("custom_tags = " + "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1)),
        None,
        "custom_tags",
        f"nesting deeper than {MAX_NESTING}",
        ("main.tf:4: custom_tags: must be", "nested too deeply"),
        id="too-deep-in-parentheses",
    ),
    pytest.param(
        inputs("kms_key_users = [" + "1," * MAX_TOKENS + "]"),
        None,
        "config",
        "tokens",
        f"at most {MAX_TOKENS} tokens",
        id="too-many-tokens",
    ),
    pytest.param(
        inputs("cloudwatch_log_retention = " + "9" * 60),
        None,
        "cloudwatch_log_retention",
        "a number of 60 characters",
        ("main.tf:4: cloudwatch_log_retention: must be", "numbers of at most"),
        id="absurd-number",
    ),
    pytest.param(
        inputs('cloudwatch_log_group_name = "caf\xe9"').encode("latin-1"),
        None,
        "--config",
        "main.tf",
        "UTF-8",
        id="not-utf-8",
    ),
]


def check(error: ConfigError, name, value, fragment):
    assert error.name == name
    assert error.value == value if not isinstance(value, str) else value in str(error.value), error
    for part in fragment if isinstance(fragment, tuple) else (fragment,):
        assert part in str(error), str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(("text", "module_name", "name", "value", "fragment"), BAD)
def test_a_bad_terraform_file_is_one_config_error(tmp_path, text, module_name, name, value, fragment):
    # GIVEN a bad main.tf
    path = tmp_path / "main.tf"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    # WHEN the library reads it THEN one ConfigError names the input, the value and what is allowed
    with pytest.raises(ConfigError) as caught:
        config_from(path, [], module=module_name)
    check(caught.value, name, value, fragment)


@pytest.mark.parametrize(("text", "module_name", "name", "value", "fragment"), BAD)
def test_the_cli_refuses_a_bad_terraform_file_in_one_line_and_writes_nothing(
    tmp_path, capsys, text, module_name, name, value, fragment
):
    # GIVEN a bad main.tf and an output file that exists
    path = tmp_path / "main.tf"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    output = tmp_path / "flow-logs.yaml"
    output.write_text("kept\n", encoding="utf-8")
    argv = ["build", "--config", str(path), "-o", str(output)] + (["--module", module_name] if module_name else [])
    # WHEN `build` reads it
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    # THEN it exits 2 with one line on stderr naming the input, and the output is untouched
    out, err = capsys.readouterr()
    assert exit_.value.code == 2
    assert out == ""
    assert err.startswith(PREFIX)
    # (located in main.tf, and on its line where it has one; an option's problem is the option's)
    assert re.search(rf"main\.tf(:\d+)?: {re.escape(name)}: must be ", err) or err.startswith(
        f"{PREFIX} {name} must be "
    )
    for part in fragment if isinstance(fragment, tuple) else (fragment,):
        assert part in err
    assert len(err.splitlines()) == 1
    assert output.read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow-logs.yaml", "main.tf"]


@pytest.mark.parametrize(
    ("name", "text", "where", "fragment"),
    [
        pytest.param(
            "terraform.tfvars",
            'module "x" {\n}\n',
            "block module",
            "tfvars:1: config: must be a .tfvars file",
            id="block-in-tfvars",
        ),
        pytest.param("terraform.tfvars", "vpc_id = var.vpc\n", "var.vpc", "a reference", id="expression-in-tfvars"),
        pytest.param(
            "terraform.tfvars",
            'vpc_id = "a" "b"\n',
            'vpc_id = "a" "b"',
            "tfvars:1: config: must be valid HCL",
            id="syntax-error-in-tfvars",
        ),
    ],
)
def test_a_bad_tfvars_file_is_one_config_error(tmp_path, name, text, where, fragment):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_from(path, [])
    assert where in str(caught.value.value)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--module", "a"], id="without-config"),
        pytest.param(["--module", "a", "--config", "CONFIG_YAML"], id="with-a-yaml-config"),
    ],
)
def test_module_is_refused_without_a_tf_config(tmp_path, capsys, argv):
    # GIVEN --module with no config, or with a YAML config
    config = tmp_path / "flow-logs.yaml"
    config.write_text(f"vpc_id: {VPC}\n", encoding="utf-8")
    argv = [str(config) if arg == "CONFIG_YAML" else arg for arg in argv]
    # WHEN `build` runs THEN it is a usage error naming --module
    with pytest.raises(SystemExit) as exit_:
        main(["build", *argv])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith(f"{PREFIX} --module must be given only with a .tf --config")


def test_without_python_hcl2_a_terraform_file_is_one_line(tmp_path, monkeypatch, capsys):
    # GIVEN an installation where python-hcl2 cannot be imported
    monkeypatch.setitem(sys.modules, "hcl2", None)
    monkeypatch.delitem(sys.modules, "cfn_flowlogs.config.hcl", raising=False)
    monkeypatch.delattr(cfn_flowlogs.config, "hcl", raising=False)
    path = tmp_path / "main.tf"
    path.write_text(module(), encoding="utf-8")
    # WHEN `build` reads a .tf file THEN one line says what to install, exit 2
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--config", str(path)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith(f"{PREFIX} --config must be YAML or JSON: python-hcl2 is not installed")
    assert len(err.splitlines()) == 1

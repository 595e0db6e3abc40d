"""Enrolment: every VPC of this account and Region gets the flow log its stack describes.

Inlined into the template as the function's code (compacted, see
cfn_flowlogs/compiler/resources/emptier.py), so it uses only the Lambda runtime's boto3 and the
standard library. Its settings are the stack's own flow-log properties (environment variables of
the same names, written by cfn_flowlogs/compiler/resources/enrolment.py from the builder that
writes the stack's flow logs), so the two cannot disagree.

Runs on a CreateVpc or CreateDefaultVpc event (that VPC), and on a schedule or a DeleteFlowLogs
event (a sweep of every VPC of the Region). For each VPC:
- opted out (tag cfn-flowlogs:opt-out = true): left alone;
- a flow log with the wanted settings exists (its own or anyone's): covered, nothing created;
- its own flow log with other settings: replaced, the new one created before the old one is
  deleted; where AWS refuses the pair (FlowLogAlreadyExists), deleted first and the gap reported;
- otherwise: created, beside flow logs of others, which it never changes or deletes.
Every flow log it creates carries the tag cfn-flowlogs:enrolment = its stack's name. A sweep also
checks that a CloudTrail trail records this Region's management events (without one, no CreateVpc
event arrives) and writes what it found, problems included, to its status parameter, which
`cfn-flowlogs audit` reads.
"""

import json
import os
import time

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

MARK = "cfn-flowlogs:enrolment"
OPT_OUT = "cfn-flowlogs:opt-out"
AWS = Config(retries={"mode": "standard", "max_attempts": 5})
MARGIN_MS = 30_000  # a sweep stops this long before Lambda's timeout: the next one goes on
STATUS_CHARS = 4096  # a standard SSM parameter's value
VPC_EVENTS = ("CreateVpc", "CreateDefaultVpc")


def handler(event, context, clients=None, env=None):
    clients = clients or Clients()
    settings = Settings(os.environ if env is None else env)
    vpc = announced_vpc(event)
    if vpc is False:
        return {"ignored": str(event.get("detail", {}).get("errorCode", "an event without a VPC"))}
    tags = wanted_tags(settings, clients)
    if vpc:
        return {vpc: enrol(clients.ec2, settings, tags, vpc)}
    return sweep(clients, settings, tags, context)


class Clients:
    """The AWS clients the function uses, made on first use (tests pass their own)."""

    def __init__(self, **made):
        self.made = made

    def __getattr__(self, name):
        if name not in self.made:
            self.made[name] = boto3.client(name, config=AWS)
        return self.made[name]


class Settings:
    """The flow log every VPC should have: the stack's own flow-log properties."""

    def __init__(self, env):
        self.stack_name = env["StackName"]
        self.stack_id = env["StackId"]
        self.status_parameter = env.get("StatusParameter", "")
        self.tags = json.loads(env.get("Tags") or "{}")
        self.request = {
            "ResourceType": "VPC",
            "TrafficType": env["TrafficType"],
            "LogDestinationType": env["LogDestinationType"],
            "MaxAggregationInterval": int(env["MaxAggregationInterval"]),
        }
        for name in ("LogDestination", "LogGroupName", "DeliverLogsPermissionArn", "DeliverCrossAccountRole",
                     "LogFormat"):  # fmt: skip
            if env.get(name):
                self.request[name] = env[name]
        if env["LogDestinationType"] == "s3":
            self.request["DestinationOptions"] = {
                "FileFormat": env["FileFormat"],
                "HiveCompatiblePartitions": env["HiveCompatiblePartitions"] == "true",
                "PerHourPartition": env["PerHourPartition"] == "true",
            }
        self.format = env.get("LogFormat") or env["DefaultLogFormat"]

    def matches(self, flow_log):
        """Whether a flow log (as DescribeFlowLogs shows it) has these settings."""
        want = self.request
        destination = flow_log.get("LogDestination") or ""
        if want["LogDestinationType"] == "cloud-watch-logs":
            same_place = flow_log.get("LogGroupName") == want["LogGroupName"] and flow_log.get(
                "DeliverLogsPermissionArn"
            ) == want.get("DeliverLogsPermissionArn")
        else:
            same_place = destination.rstrip("/") == want["LogDestination"].rstrip("/")
        options = want.get("DestinationOptions")
        return (
            same_place
            and flow_log.get("LogDestinationType") == want["LogDestinationType"]
            and flow_log.get("TrafficType") == want["TrafficType"]
            and int(flow_log.get("MaxAggregationInterval") or 600) == want["MaxAggregationInterval"]
            and (flow_log.get("LogFormat") or self.format) == self.format
            and (options is None or flow_log.get("DestinationOptions") == options)
        )


def announced_vpc(event):
    """The VPC a CreateVpc event names; None for a sweep (schedule, DeleteFlowLogs); False for an
    event to ignore (a failed call: no VPC was made)."""
    detail = event.get("detail") or {}
    if event.get("detail-type") != "AWS API Call via CloudTrail":
        return None
    if detail.get("errorCode"):
        return False
    if detail.get("eventName") not in VPC_EVENTS:
        return None
    vpc = ((detail.get("responseElements") or {}).get("vpc") or {}).get("vpcId")
    return vpc if isinstance(vpc, str) and vpc.startswith("vpc-") else None


def wanted_tags(settings, clients):
    """The stack's tags (which CloudFormation gives the stack's own flow logs), the config's, and
    the mark naming the stack."""
    stack = clients.cloudformation.describe_stacks(StackName=settings.stack_id)["Stacks"][0]
    tags = {t["Key"]: t["Value"] for t in stack.get("Tags", []) if not t["Key"].startswith("aws:")}
    tags.update(settings.tags)
    tags[MARK] = settings.stack_name
    return tags


def enrol(ec2, settings, tags, vpc, vpc_tags=None, flow_logs=None):
    """Give one VPC its flow log; say what was done."""
    if vpc_tags is None:
        try:
            vpc_tags = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0].get("Tags", [])
        except (ClientError, IndexError):  # deleted since the event: nothing to log
            return "gone"
    if any(t["Key"] == OPT_OUT and t["Value"].lower() == "true" for t in vpc_tags):
        return "opted out"
    if flow_logs is None:
        flow_logs = pages(ec2, "describe_flow_logs", "FlowLogs", Filters=[{"Name": "resource-id", "Values": [vpc]}])
    own = [f for f in flow_logs if tag(f, MARK) == settings.stack_name]
    matching = [f for f in flow_logs if settings.matches(f)]
    if matching:
        keep = next((f for f in matching if f in own), matching[0])
        stale = [f["FlowLogId"] for f in own if f is not keep]
        if stale:
            delete(ec2, stale)
        if keep in own:
            retag(ec2, keep, tags)
            return "covered" + (f"; deleted its outdated {' '.join(stale)}" if stale else "")
        return f"covered by {keep['FlowLogId']} (same settings, adopted)"
    others = [f["FlowLogId"] for f in flow_logs if f not in own]
    beside = f" beside {' '.join(others)} of others" if others else ""
    created, error = create(ec2, settings, tags, vpc)
    if created and own:
        delete(ec2, [f["FlowLogId"] for f in own])
        return f"replaced {' '.join(f['FlowLogId'] for f in own)} with {created}{beside}"
    if created:
        return f"created {created}{beside}"
    if error == "FlowLogAlreadyExists" and own:
        # AWS refuses the pair (a change of format or interval alone): the shortest gap it allows
        delete(ec2, [f["FlowLogId"] for f in own])
        created, error = create(ec2, settings, tags, vpc)
        old = " ".join(f["FlowLogId"] for f in own)
        if created:
            return f"replaced {old} with {created}, with a gap: AWS refused the pair (FlowLogAlreadyExists)"
        return f"problem: deleted {old} to replace it, then AWS refused the new one: {error}{beside}"
    if error == "FlowLogAlreadyExists":
        again = pages(ec2, "describe_flow_logs", "FlowLogs", Filters=[{"Name": "resource-id", "Values": [vpc]}])
        if any(settings.matches(f) for f in again):  # made meanwhile by a concurrent run
            return "covered"
        return f"problem: FlowLogAlreadyExists{beside}: AWS takes them for the same configuration"
    if error == "FlowLogsLimitExceeded":
        return f"problem: quota full (FlowLogsLimitExceeded){beside}"
    return f"problem: {error}{beside}"


def create(ec2, settings, tags, vpc):
    """(flow log ID, None) or (None, AWS's error code and message)."""
    tag_list = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    request = dict(settings.request, ResourceIds=[vpc],
                   TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": tag_list}])  # fmt: skip
    try:
        answer = ec2.create_flow_logs(**request)
    except ClientError as error:
        info = error.response.get("Error", {})
        code = info.get("Code", "")
        return None, code if code in ("FlowLogAlreadyExists", "FlowLogsLimitExceeded") else describe(error)
    for failure in answer.get("Unsuccessful", []):
        info = failure.get("Error", {})
        code = info.get("Code", "")
        return None, code if code in (
            "FlowLogAlreadyExists",
            "FlowLogsLimitExceeded",
        ) else f"{code}: {info.get('Message')}"
    return answer["FlowLogIds"][0], None


def delete(ec2, ids):
    """Delete flow logs of its own: the callers pass only those tagged with its stack's name."""
    answer = ec2.delete_flow_logs(FlowLogIds=ids)
    if answer.get("Unsuccessful"):
        raise RuntimeError(f"could not delete {ids}: {answer['Unsuccessful']}")


def retag(ec2, flow_log, tags):
    """Its own flow log's tags follow the stack's (a tag is no setting: nothing is replaced)."""
    have = {t["Key"]: t["Value"] for t in flow_log.get("Tags", [])}
    changed = [{"Key": k, "Value": v} for k, v in sorted(tags.items()) if have.get(k) != v]
    gone = [{"Key": k} for k in sorted(have) if k not in tags]
    if changed:
        ec2.create_tags(Resources=[flow_log["FlowLogId"]], Tags=changed)
    if gone:
        ec2.delete_tags(Resources=[flow_log["FlowLogId"]], Tags=gone)


def sweep(clients, settings, tags, context):
    """Every VPC of the Region; then the trail check and the status."""
    ec2 = clients.ec2
    vpcs = pages(ec2, "describe_vpcs", "Vpcs")
    by_vpc = {}
    for flow_log in pages(ec2, "describe_flow_logs", "FlowLogs"):
        by_vpc.setdefault(flow_log.get("ResourceId"), []).append(flow_log)
    results = {}
    for vpc in vpcs:
        if context is not None and context.get_remaining_time_in_millis() < MARGIN_MS:
            results[vpc["VpcId"]] = "problem: not reached before the function's timeout (the next sweep goes on)"
            continue
        try:
            results[vpc["VpcId"]] = enrol(ec2, settings, tags, vpc["VpcId"], vpc.get("Tags", []),
                                          by_vpc.get(vpc["VpcId"], []))  # fmt: skip
        except (ClientError, BotoCoreError, RuntimeError) as error:
            results[vpc["VpcId"]] = f"problem: {describe(error)}"
    status = {
        "stack": settings.stack_name,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "vpcs": len(vpcs),
        "trail": trail_status(clients.cloudtrail),
        "problems": {vpc: result for vpc, result in sorted(results.items()) if result.startswith("problem")},
    }
    write_status(clients.ssm, settings, status)
    print(json.dumps({"status": status, "results": results}, sort_keys=True))
    return {**status, "results": results}


def trail_status(cloudtrail):
    """Whether a logging trail records this Region's write management events: CreateVpc reaches
    EventBridge only then. "recorded", or a problem saying why not, or what could not be read."""
    region = cloudtrail.meta.region_name
    unread = []
    try:
        trails = cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]
    except (ClientError, BotoCoreError) as error:
        return f"problem: could not list the trails: {describe(error)}"
    for trail in trails:
        if not (trail.get("IsMultiRegionTrail") or trail.get("HomeRegion") == region):
            continue
        arn = trail["TrailARN"]
        try:  # one trail that cannot be read does not hide another that records
            logging = cloudtrail.get_trail_status(Name=arn).get("IsLogging")
            if logging and records_writes(cloudtrail.get_event_selectors(TrailName=arn)):
                return "recorded"
        except (ClientError, BotoCoreError) as error:
            unread.append(f"{arn}: {describe(error)}")
    if unread:
        return "problem: no trail found recording this Region's write management events; could not read " + "; ".join(
            unread
        )
    return "problem: no logging trail records this Region's write management events: CreateVpc events are lost"


def records_writes(selectors):
    """Whether a trail's event selectors take write management events. A trail without any takes
    them: "By default, trails created without specific event selectors will be configured to log
    all read and write management events" (AWS's EventSelector)."""
    if not selectors.get("EventSelectors") and not selectors.get("AdvancedEventSelectors"):
        return True
    for selector in selectors.get("EventSelectors") or []:
        if selector.get("IncludeManagementEvents", True) and selector.get("ReadWriteType", "All") in (
            "All",
            "WriteOnly",
        ):
            return True
    for selector in selectors.get("AdvancedEventSelectors") or []:
        fields = {f["Field"]: f for f in selector.get("FieldSelectors", [])}
        category, read_only = fields.get("eventCategory", {}), fields.get("readOnly", {})
        source = fields.get("eventSource", {})
        if (
            category.get("Equals") == ["Management"]
            and read_only.get("Equals") != ["true"]
            and "ec2.amazonaws.com" not in source.get("NotEquals", [])
            and source.get("Equals", ["ec2.amazonaws.com"]) == ["ec2.amazonaws.com"]
        ):
            return True
    return False


def write_status(ssm, settings, status):
    if not settings.status_parameter:
        return
    problems = list(status["problems"].items())
    text = json.dumps(status, sort_keys=True)
    kept = len(problems)
    while len(text) > STATUS_CHARS and kept:  # keep every VPC's count, drop details that do not fit
        kept //= 2
        status = {**status, "problems": dict(problems[:kept]), "more_problems": len(problems) - kept}
        text = json.dumps(status, sort_keys=True)
    ssm.put_parameter(Name=settings.status_parameter, Value=text, Type="String", Overwrite=True)


def pages(client, operation, key, **kwargs):
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]


def tag(resource, key):
    return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == key), None)


def describe(error):
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return f"{error.operation_name}: {info.get('Code')}: {info.get('Message')}"
    return f"{type(error).__name__}: {error}"

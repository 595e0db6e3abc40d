"""Defects of moto's EC2 API for flow logs, which the enrolment's function calls (CloudFormation's
flow logs are fixed in resources.py)."""

from __future__ import annotations

from typing import Any

from moto.ec2.exceptions import FlowLogAlreadyExists
from moto.ec2.models import EC2Backend
from moto.ec2.responses.flow_logs import FlowLogs as FlowLogsResponse

from .patching import original, replace


def s3_key_prefix() -> None:
    """Defect: CreateFlowLogs with an S3 LogDestination that has a key prefix (`arn:aws:s3:::bucket/
    prefix/`, valid in AWS) looks up a bucket named `bucket/prefix/` and reports the flow log
    Unsuccessful. Look up the bucket alone and keep the whole destination (moto's check for an
    existing flow log of the same resource and destination is made with the whole one)."""
    create = original(EC2Backend, "create_flow_logs")

    def create_flow_logs(self: Any, *args: Any, **kwargs: Any) -> Any:
        destination = kwargs.get("log_destination")
        if kwargs.get("log_destination_type") != "s3" or not destination or "/" not in destination.split(":", 5)[5]:
            return create(self, *args, **kwargs)
        for resource_id in kwargs.get("resource_ids") or ():
            if any((f.resource_id, f.log_destination) == (resource_id, destination) for f in self.flow_logs.values()):
                raise FlowLogAlreadyExists()
        flow_logs, unsuccessful = create(self, *args, **{**kwargs, "log_destination": destination.split("/", 1)[0]})
        for flow_log in flow_logs:
            flow_log.log_destination = destination
        return flow_logs, unsuccessful

    replace(EC2Backend, "create_flow_logs", create_flow_logs)


def destination_options() -> None:
    """Defect: CreateFlowLogs drops DestinationOptions, so DescribeFlowLogs never shows the file format
    and partitioning an S3 flow log was made with. Keep them on the flow logs it made."""
    create = original(FlowLogsResponse, "create_flow_logs")

    def create_flow_logs(self: Any) -> Any:
        result = create(self)
        options = self._get_params().get("DestinationOptions")
        if options:
            kept = {
                "FileFormat": options.get("FileFormat", "plain-text"),
                "HiveCompatiblePartitions": str(options.get("HiveCompatiblePartitions", "false")).lower() == "true",
                "PerHourPartition": str(options.get("PerHourPartition", "false")).lower() == "true",
            }
            for flow_log_id in result.result["FlowLogIds"]:
                self.ec2_backend.flow_logs[flow_log_id].destination_options = kept
        return result

    replace(FlowLogsResponse, "create_flow_logs", create_flow_logs)


FIXES = (s3_key_prefix, destination_options)

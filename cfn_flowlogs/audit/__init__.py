"""`cfn-flowlogs audit`: the flow logs of every VPC of an organization, and a rollout plan for the
VPCs that have none.

collect (boto3: parallel, read-only) -> records (plain data) -> judge (a status per VPC) -> render
(table, JSON, CSV) or plan (the plan `cfn-flowlogs rollout` reads). Only `collect` imports boto3,
so every other module here is plain Python, tested without AWS.
"""

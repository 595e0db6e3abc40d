// The peer for the README's comparison: an AWS CDK app with two stacks, the same two as
// bench/cdk/cloudwatch.yaml and bench/cdk/s3.yaml. `make bench` times `node app.js` (synthesis
// into a temporary cdk.out) against one `cfn-flowlogs build` of both configs, when Node and the
// app's packages are there (node_modules is ignored by git):
//
//   cd bench/cdk && npm install --no-save aws-cdk-lib@2.276.0 constructs@10.8.1
//
// With the CDK CLI as well (npm install aws-cdk@2.1148.1), `cdk synth` adds its own start-up:
//   node_modules/.bin/cdk synth -q --no-notices --no-version-reporting --app "node app.js"
const cdk = require("aws-cdk-lib");
const { aws_ec2: ec2, aws_iam: iam, aws_kms: kms, aws_logs: logs, aws_s3: s3 } = cdk;

const app = new cdk.App();
const retain = { removalPolicy: cdk.RemovalPolicy.RETAIN };

// A VPC's flow logs to a KMS-encrypted log group kept for a year.
const cw = new cdk.Stack(app, "FlowLogsCloudWatch");
const key = new kms.Key(cw, "FlowLogsKey", { enableKeyRotation: true, alias: "alias/flow_logs_key_cw", ...retain });
key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${cdk.Aws.REGION}.amazonaws.com`));
const group = new logs.LogGroup(cw, "FlowLogsLogGroup", {
  encryptionKey: key,
  retention: logs.RetentionDays.ONE_YEAR,
  ...retain,
});
const role = new iam.Role(cw, "FlowLogsRole", {
  assumedBy: new iam.ServicePrincipal("vpc-flow-logs.amazonaws.com", {
    conditions: { StringEquals: { "aws:SourceAccount": cdk.Aws.ACCOUNT_ID } },
  }),
});
const vpc = ec2.Vpc.fromVpcAttributes(cw, "Vpc", {
  vpcId: "vpc-0123456789abcdef0",
  availabilityZones: ["us-east-1a"],
});
new ec2.FlowLog(cw, "FlowLog", {
  resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
  destination: ec2.FlowLogDestination.toCloudWatchLogs(group, role),
  trafficType: ec2.FlowLogTrafficType.ALL,
});
cdk.Tags.of(cw).add("team", "network");

// A subnet's flow logs to a hardened bucket as hourly, Hive-partitioned Parquet.
const st = new cdk.Stack(app, "FlowLogsS3");
const bucketKey = new kms.Key(st, "FlowLogsKey", { enableKeyRotation: true, ...retain });
const bucket = new s3.Bucket(st, "FlowLogsBucket", {
  encryption: s3.BucketEncryption.KMS,
  encryptionKey: bucketKey,
  bucketKeyEnabled: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  versioned: true,
  lifecycleRules: [
    {
      transitions: [
        { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: cdk.Duration.days(30) },
        { storageClass: s3.StorageClass.GLACIER, transitionAfter: cdk.Duration.days(180) },
      ],
      expiration: cdk.Duration.days(365),
      noncurrentVersionExpiration: cdk.Duration.days(30),
    },
  ],
  removalPolicy: cdk.RemovalPolicy.DESTROY,
  autoDeleteObjects: true, // force_destroy_bucket
});
new ec2.FlowLog(st, "FlowLog", {
  resourceType: ec2.FlowLogResourceType.fromSubnet(ec2.Subnet.fromSubnetId(st, "Subnet", "subnet-0123456789abcdef0")),
  destination: ec2.FlowLogDestination.toS3(bucket, "flow-logs", {
    fileFormat: ec2.FlowLogFileFormat.PARQUET,
    hiveCompatiblePartitions: true,
    perHourPartition: true,
  }),
  trafficType: ec2.FlowLogTrafficType.ALL,
  maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
});
cdk.Tags.of(st).add("team", "network");

app.synth();

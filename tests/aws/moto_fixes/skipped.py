"""The resource types moto's CloudFormation still skips, each with the test that checks it
statically instead. No moto here: the test process reads this list, only the server imports moto.

moto creates no resource of a type it does not model and reports the stack complete all the
same (its server log alone says so). The server records every such skip
(moto_fixes/unsupported.py); the deploy tests fail on a skipped type this list does not name
(endpoint.check_skipped_resources): model the type in a named fix, or list it here with the
test, as a pytest node ID, that covers what the endpoint cannot show.
"""

from __future__ import annotations

STILL_SKIPPED: dict[str, str] = {
    # the placeholder of a template that creates nothing (moto ignores it on purpose: NULL_MODELS)
    "AWS::CloudFormation::WaitConditionHandle": (
        "tests/compiler/test_structure.py::test_create_resources_false_creates_only_the_placeholder"
    ),
    # who may deliver where, and the TLS-only deny: the bucket policy's statements, per layout
    "AWS::S3::BucketPolicy": "tests/compiler/test_structure.py::test_delivery_prefix_follows_subfolder_and_hive",
}

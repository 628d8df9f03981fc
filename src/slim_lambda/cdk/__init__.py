"""The CDK constructs: thin wrappers that validate, plan and hand CDK one asset.

Only this package imports ``aws_cdk``; everything it builds goes through
:mod:`slim_lambda.run` when CDK stages the asset.
"""

"""Conformance echo for AWS (non-proxy) Lambda integrations: returns the event it received, as
the recorded handler did. Used by vtl/aws_lambda_integration_templates.json
(aws-lambda-request-template-input-params/*), whose setup names an "echo function"."""


def handler(event, context):
    return event

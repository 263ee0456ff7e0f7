"""Conformance echo for http-integration/header_remapping.json (header-remapping/AWS and
header-remapping/AWS_PROXY): answers with a proxy-shaped result whose body is the event it
received as JSON, as the recorded handler did. Behind AWS_PROXY the client sees the event; behind
AWS (non-proxy) it sees this whole result."""
import json


def handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps(event),
        "isBase64Encoded": False,
    }

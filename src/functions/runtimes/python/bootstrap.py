"""
Portico's Python runtime client.

Runs a Python Lambda handler in a Portico function instance the way Lambda's Python runtime
runs it: loads the handler named by _HANDLER from LAMBDA_TASK_ROOT, then loops on the Lambda
Runtime API at AWS_LAMBDA_RUNTIME_API (GET the next invocation, call the handler, POST its
response or error). Errors, log lines and the context object take the shapes Lambda's Python
runtime gives them. Standard library only; Python 3.9 or later.
"""

import decimal
import http.client
import importlib
import json
import logging
import os
import signal
import sys
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"


class FaultException(Exception):
    """A failure of the runtime or of loading the handler, reported in Lambda's terms."""

    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


# ---------------------------------------------------------------------------------------------
# The Runtime API


class RuntimeClient:
    """One persistent connection to the Runtime API, reopened if the server dropped it."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host = host or "127.0.0.1"
        self.port = int(port)
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        # A keep-alive connection may have been closed between two requests: retry once.
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port)
            try:
                self.connection.request(method, API_PREFIX + path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                data = response.read()
                return response, data
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise

    def next(self):
        response, body = self.request("GET", "/invocation/next")
        if response.status != 200:
            raise RuntimeError("Runtime API /next answered %d" % response.status)
        return response, body

    def post_response(self, request_id, payload):
        self.request(
            "POST",
            "/invocation/%s/response" % request_id,
            body=payload,
            headers={"Content-Type": "application/json"},
        )

    def post_error(self, request_id, error):
        self.request(
            "POST",
            "/invocation/%s/error" % request_id,
            body=to_json_bytes(error),
            headers={"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error["errorType"]},
        )

    def post_init_error(self, error):
        self.request(
            "POST",
            "/init/error",
            body=to_json_bytes(error),
            headers={"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error["errorType"]},
        )


def to_json_bytes(value):
    return json.dumps(value).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Marshalling


class ResponseEncoder(json.JSONEncoder):
    """Lambda's encoder: Decimals (as DynamoDB returns numbers) become JSON numbers."""

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            if o == o.to_integral_value():
                return int(o)
            return float(o)
        return super().default(o)


# Python 3.12 and later runtimes stopped escaping non-ASCII in responses.
ENSURE_ASCII = os.environ.get("AWS_EXECUTION_ENV", "") not in ("AWS_Lambda_python3.12", "AWS_Lambda_python3.13")


def marshal_response(result):
    try:
        return json.dumps(result, cls=ResponseEncoder, ensure_ascii=ENSURE_ASCII).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: %s" % e)


# ---------------------------------------------------------------------------------------------
# Errors


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_frames(tb):
    """The traceback's frames from the first that is not this file's, as Lambda trims them."""
    frames = traceback.extract_tb(tb)
    this_file = os.path.abspath(__file__)
    for i, frame in enumerate(frames):
        if os.path.abspath(frame.filename) != this_file:
            return frames[i:]
    return []


def exception_error(exc, request_id=None):
    return make_error(str(exc), type(exc).__name__, traceback.format_list(user_frames(exc.__traceback__)), request_id)


def log_error(error):
    lines = ["[ERROR]"]
    if error.get("errorType"):
        lines[0] += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            lines[0] += ":"
        lines[0] += " " + error["errorMessage"]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            lines.extend(element.splitlines() if element else [""])
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------
# The handler


def load_handler(spec):
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (spec, e))
    if not module_name or not function_name:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '%s'" % spec)
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultException(
            FaultException.BUILT_IN_MODULE_CONFLICT,
            "Cannot use built-in module %s as a handler module" % module_name,
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR, "Unable to import module '%s': %s" % (module_name, e)
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '%s': %s" % (module_name, e), trace
        )
    handler = getattr(module, function_name, None)
    if handler is None:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND, "Handler '%s' missing on module '%s'" % (function_name, module_name)
        )
    return handler


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def make_obj_from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


class LambdaContext:
    """The handler's context argument, with the attributes Lambda's Python runtime gives it."""

    def __init__(self, request_id, client_context, deadline_ms, invoked_function_arn):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        # A string, as in Lambda: it comes straight from the environment.
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = make_obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = make_obj_from_dict(Client, self.client_context.client)
        self.identity = make_obj_from_dict(CognitoIdentity, {})
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
            )
        )


# ---------------------------------------------------------------------------------------------
# Logging

current_request_id = ""


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id
        return True


class LambdaLoggerHandler(logging.StreamHandler):
    """Writes each record whole, a multi-line message included, as one Lambda log event."""

    def emit(self, record):
        try:
            self.stream.write(self.format(record))
            self.stream.flush()
        except Exception:
            self.handleError(record)


LOG_LEVELS = {
    "TRACE": logging.DEBUG,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
    "FATAL": logging.CRITICAL,
    "CRITICAL": logging.CRITICAL,
}


def setup_logging():
    handler = LambdaLoggerHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    # As in Lambda, the root logger stays at WARNING unless the function configures a level.
    root.setLevel(LOG_LEVELS.get(level, logging.WARNING))


# ---------------------------------------------------------------------------------------------
# The loop


def handle_invocation(client, handler, response, body):
    global current_request_id
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id", "")
    current_request_id = request_id
    trace_id = response.getheader("Lambda-Runtime-Trace-Id")
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    client_context = None
    raw_context = response.getheader("Lambda-Runtime-Client-Context")
    if raw_context:
        try:
            client_context = json.loads(raw_context)
        except ValueError:
            client_context = None
    try:
        deadline_ms = int(response.getheader("Lambda-Runtime-Deadline-Ms", "0"))
    except ValueError:
        deadline_ms = 0
    context = LambdaContext(
        request_id, client_context, deadline_ms, response.getheader("Lambda-Runtime-Invoked-Function-Arn")
    )
    try:
        try:
            event = json.loads(body) if body else None
        except ValueError as e:
            raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % e)
        result = handler(event, context)
        payload = marshal_response(result)
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
        log_error(error)
        client.post_error(request_id, error)
        return
    except Exception as e:
        error = exception_error(e, request_id)
        log_error(error)
        client.post_error(request_id, error)
        return
    client.post_response(request_id, payload)


def on_sigterm(signum, frame):
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # The function's code comes first; this file's own directory has no business on the path.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path = [task_root] + [p for p in sys.path if p and os.path.abspath(p) != here]
    setup_logging()
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
        log_error(error)
        client.post_init_error(error)
        sys.exit(1)
    except Exception as e:
        # The module itself raised while being imported.
        error = exception_error(e)
        log_error(error)
        client.post_init_error(error)
        sys.exit(1)

    while True:
        try:
            response, body = client.next()
            handle_invocation(client, handler, response, body)
        except (OSError, http.client.HTTPException, RuntimeError):
            # The Runtime API is gone: so is the instance this process belonged to.
            sys.exit(1)


if __name__ == "__main__":
    main()

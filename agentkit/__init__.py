"""agentkit: tool-using agents on the Anthropic Messages API.

Public names are imported on first use, so `import agentkit` stays cheap: the client, the
models and the error tree load when a program first touches them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._lazy import lazy_attribute
from ._version import __version__ as __version__

if TYPE_CHECKING:
    from ._aiohttp import DefaultAioHttpClient as DefaultAioHttpClient
    from ._base_client import DefaultAsyncHttpxClient as DefaultAsyncHttpxClient
    from ._base_client import DefaultHttpxClient as DefaultHttpxClient
    from ._client import Anthropic as Anthropic
    from ._client import AsyncAnthropic as AsyncAnthropic
    from ._core.accumulate import MessageStreamEvent as MessageStreamEvent
    from ._core.events import CitationEvent as CitationEvent
    from ._core.events import ContentBlockStopEvent as ContentBlockStopEvent
    from ._core.events import InputJsonEvent as InputJsonEvent
    from ._core.events import MessageStopEvent as MessageStopEvent
    from ._core.events import SignatureEvent as SignatureEvent
    from ._core.events import TextEvent as TextEvent
    from ._core.events import ThinkingEvent as ThinkingEvent
    from ._core.response import RateLimit as RateLimit
    from ._core.response import RateLimits as RateLimits
    from ._exceptions import AgentkitError as AgentkitError
    from ._exceptions import AnthropicError as AnthropicError
    from ._exceptions import APIConnectionError as APIConnectionError
    from ._exceptions import APIError as APIError
    from ._exceptions import APIResponseValidationError as APIResponseValidationError
    from ._exceptions import APIStatusError as APIStatusError
    from ._exceptions import APITimeoutError as APITimeoutError
    from ._exceptions import AuthenticationError as AuthenticationError
    from ._exceptions import BadRequestError as BadRequestError
    from ._exceptions import BatchRequestError as BatchRequestError
    from ._exceptions import BatchWaitTimeout as BatchWaitTimeout
    from ._exceptions import ConflictError as ConflictError
    from ._exceptions import ContentTooLargeError as ContentTooLargeError
    from ._exceptions import GatewayTimeoutError as GatewayTimeoutError
    from ._exceptions import InternalServerError as InternalServerError
    from ._exceptions import InvalidArgumentTypeError as InvalidArgumentTypeError
    from ._exceptions import JournalError as JournalError
    from ._exceptions import MissingCredentialsError as MissingCredentialsError
    from ._exceptions import NotFoundError as NotFoundError
    from ._exceptions import OutputProblem as OutputProblem
    from ._exceptions import OutputValidationError as OutputValidationError
    from ._exceptions import OverloadedError as OverloadedError
    from ._exceptions import PaymentRequiredError as PaymentRequiredError
    from ._exceptions import PermissionDeniedError as PermissionDeniedError
    from ._exceptions import RateLimitError as RateLimitError
    from ._exceptions import RequestTimeoutError as RequestTimeoutError
    from ._exceptions import RequestTooLargeError as RequestTooLargeError
    from ._exceptions import RetryOutput as RetryOutput
    from ._exceptions import RunLockedError as RunLockedError
    from ._exceptions import ServiceUnavailableError as ServiceUnavailableError
    from ._exceptions import StreamProtocolError as StreamProtocolError
    from ._exceptions import ToolError as ToolError
    from ._exceptions import UncertainDeliveryError as UncertainDeliveryError
    from ._exceptions import UnprocessableEntityError as UnprocessableEntityError
    from ._exceptions import UsageError as UsageError
    from ._journal import Journal as Journal
    from ._message_stream import AsyncMessageStream as AsyncMessageStream
    from ._message_stream import AsyncMessageStreamManager as AsyncMessageStreamManager
    from ._message_stream import AsyncParsedMessageStream as AsyncParsedMessageStream
    from ._message_stream import (
        AsyncParsedMessageStreamManager as AsyncParsedMessageStreamManager,
    )
    from ._message_stream import MessageStream as MessageStream
    from ._message_stream import MessageStreamManager as MessageStreamManager
    from ._message_stream import ParsedMessageStream as ParsedMessageStream
    from ._message_stream import ParsedMessageStreamManager as ParsedMessageStreamManager
    from ._ratelimit import RateLimiter as RateLimiter
    from ._response import APIResponse as APIResponse
    from ._response import AsyncAPIResponse as AsyncAPIResponse
    from ._streaming import AsyncStream as AsyncStream
    from ._streaming import Stream as Stream
    from ._types import NOT_GIVEN as NOT_GIVEN
    from ._types import NotGiven as NotGiven
    from ._types import Omit as Omit
    from ._types import omit as omit
    from .agent import Agent as Agent
    from .agent import AgentEvent as AgentEvent
    from .agent import Allow as Allow
    from .agent import AsyncAgent as AsyncAgent
    from .agent import AsyncMapRun as AsyncMapRun
    from .agent import Deny as Deny
    from .agent import Hooks as Hooks
    from .agent import MapInput as MapInput
    from .agent import MapOptions as MapOptions
    from .agent import MapResult as MapResult
    from .agent import MapRun as MapRun
    from .agent import MapSummary as MapSummary
    from .agent import OutputChunk as OutputChunk
    from .agent import ReplaceInput as ReplaceInput
    from .agent import RequestRecord as RequestRecord
    from .agent import RunFinished as RunFinished
    from .agent import RunLimitExceeded as RunLimitExceeded
    from .agent import RunResult as RunResult
    from .agent import RunUsage as RunUsage
    from .agent import TextChunk as TextChunk
    from .agent import ThinkingChunk as ThinkingChunk
    from .agent import ToolCallFinished as ToolCallFinished
    from .agent import ToolCallRecord as ToolCallRecord
    from .agent import ToolCallStarted as ToolCallStarted
    from .agent import ToolDecision as ToolDecision
    from .agent import TurnFinished as TurnFinished
    from .agent import allow as allow
    from .agent import deny as deny
    from .agent import replace_input as replace_input
    from .agent import save_map_html as save_map_html
    from .tools import Tool as Tool
    from .tools import Toolbox as Toolbox
    from .tools import ToolCall as ToolCall
    from .tools import ToolContext as ToolContext
    from .tools import ToolDefinitionWarning as ToolDefinitionWarning
    from .tools import ToolResult as ToolResult
    from .tools import tool as tool
    from .types import CacheControlEphemeral as CacheControlEphemeral
    from .types import ContentBlock as ContentBlock
    from .types import DocumentBlockParam as DocumentBlockParam
    from .types import ImageBlockParam as ImageBlockParam
    from .types import Message as Message
    from .types import MessageParam as MessageParam
    from .types import MessageTokensCount as MessageTokensCount
    from .types import MetadataParam as MetadataParam
    from .types import ParsedMessage as ParsedMessage
    from .types import ParsedTextBlock as ParsedTextBlock
    from .types import RawMessageStreamEvent as RawMessageStreamEvent
    from .types import RedactedThinkingBlock as RedactedThinkingBlock
    from .types import ServerToolUseBlock as ServerToolUseBlock
    from .types import StopReason as StopReason
    from .types import TextBlock as TextBlock
    from .types import TextBlockParam as TextBlockParam
    from .types import ThinkingBlock as ThinkingBlock
    from .types import ThinkingConfigParam as ThinkingConfigParam
    from .types import ToolChoiceParam as ToolChoiceParam
    from .types import ToolParam as ToolParam
    from .types import ToolResultBlockParam as ToolResultBlockParam
    from .types import ToolUseBlock as ToolUseBlock
    from .types import ToolUseBlockParam as ToolUseBlockParam
    from .types import Usage as Usage

_EXCEPTIONS = (
    "APIConnectionError APIError APIResponseValidationError APIStatusError APITimeoutError "
    "AgentkitError AuthenticationError BadRequestError BatchRequestError BatchWaitTimeout "
    "ConflictError "
    "ContentTooLargeError GatewayTimeoutError InternalServerError InvalidArgumentTypeError "
    "JournalError MissingCredentialsError NotFoundError "
    "OutputProblem OutputValidationError OverloadedError PaymentRequiredError "
    "PermissionDeniedError RateLimitError "
    "RequestTimeoutError RequestTooLargeError RetryOutput RunLockedError ServiceUnavailableError "
    "ToolError UncertainDeliveryError UnprocessableEntityError UsageError"
)
_TYPES = (
    "CacheControlEphemeral ContentBlock DocumentBlockParam ImageBlockParam Message MessageParam "
    "MessageTokensCount MetadataParam ParsedMessage ParsedTextBlock RedactedThinkingBlock "
    "ServerToolUseBlock StopReason "
    "TextBlock TextBlockParam ThinkingBlock ThinkingConfigParam ToolChoiceParam ToolParam "
    "ToolResultBlockParam ToolUseBlock ToolUseBlockParam Usage"
)

_LAZY: dict[str, str] = {
    "Allow": ".agent",
    "Deny": ".agent",
    "ReplaceInput": ".agent",
    "ToolDecision": ".agent",
    "AnthropicError": "._exceptions",
    "StreamProtocolError": "._exceptions",
    "Agent": ".agent",
    "AsyncAgent": ".agent",
    "RunResult": ".agent",
    "RunUsage": ".agent",
    "MapInput": ".agent",
    "MapOptions": ".agent",
    "MapResult": ".agent",
    "MapRun": ".agent",
    "MapSummary": ".agent",
    "AsyncMapRun": ".agent",
    "RunLimitExceeded": ".agent",
    "Hooks": ".agent",
    "OutputChunk": ".agent",
    "allow": ".agent",
    "deny": ".agent",
    "replace_input": ".agent",
    "AgentEvent": ".agent",
    "TextChunk": ".agent",
    "ThinkingChunk": ".agent",
    "ToolCallStarted": ".agent",
    "ToolCallFinished": ".agent",
    "TurnFinished": ".agent",
    "RunFinished": ".agent",
    "ToolCallRecord": ".agent",
    "RequestRecord": ".agent",
    "save_map_html": ".agent",
    "tool": ".tools",
    "Tool": ".tools",
    "Journal": "._journal",
    "Toolbox": ".tools",
    "ToolContext": ".tools",
    "ToolCall": ".tools",
    "ToolResult": ".tools",
    "ToolDefinitionWarning": ".tools",
    "RawMessageStreamEvent": ".types",
    "TextEvent": "._core.events",
    "InputJsonEvent": "._core.events",
    "ThinkingEvent": "._core.events",
    "SignatureEvent": "._core.events",
    "CitationEvent": "._core.events",
    "ContentBlockStopEvent": "._core.events",
    "MessageStopEvent": "._core.events",
    "MessageStreamEvent": "._core.accumulate",
    "MessageStream": "._message_stream",
    "AsyncMessageStream": "._message_stream",
    "MessageStreamManager": "._message_stream",
    "AsyncMessageStreamManager": "._message_stream",
    "ParsedMessageStream": "._message_stream",
    "AsyncParsedMessageStream": "._message_stream",
    "ParsedMessageStreamManager": "._message_stream",
    "AsyncParsedMessageStreamManager": "._message_stream",
    "Stream": "._streaming",
    "AsyncStream": "._streaming",
    "Anthropic": "._client",
    "AsyncAnthropic": "._client",
    "RateLimit": "._core.response",
    "RateLimits": "._core.response",
    "RateLimiter": "._ratelimit",
    "APIResponse": "._response",
    "AsyncAPIResponse": "._response",
    "NOT_GIVEN": "._types",
    "NotGiven": "._types",
    "DefaultHttpxClient": "._base_client",
    "DefaultAioHttpClient": "._aiohttp",
    "DefaultAsyncHttpxClient": "._base_client",
    "Omit": "._types",
    "omit": "._types",
    **dict.fromkeys(_EXCEPTIONS.split(), "._exceptions"),
    **dict.fromkeys(_TYPES.split(), ".types"),
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Agent",
    "AgentEvent",
    "AgentkitError",
    "Allow",
    "Anthropic",
    "AnthropicError",
    "AsyncAPIResponse",
    "AsyncAgent",
    "AsyncAnthropic",
    "AsyncMapRun",
    "AsyncMessageStream",
    "AsyncMessageStreamManager",
    "AsyncParsedMessageStream",
    "AsyncParsedMessageStreamManager",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BatchRequestError",
    "BatchWaitTimeout",
    "CacheControlEphemeral",
    "CitationEvent",
    "ConflictError",
    "ContentBlock",
    "ContentBlockStopEvent",
    "ContentTooLargeError",
    "DefaultAioHttpClient",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
    "Deny",
    "DocumentBlockParam",
    "GatewayTimeoutError",
    "Hooks",
    "ImageBlockParam",
    "InputJsonEvent",
    "InternalServerError",
    "InvalidArgumentTypeError",
    "Journal",
    "JournalError",
    "MapInput",
    "MapOptions",
    "MapResult",
    "MapRun",
    "MapSummary",
    "Message",
    "MessageParam",
    "MessageStopEvent",
    "MessageStream",
    "MessageStreamEvent",
    "MessageStreamManager",
    "MessageTokensCount",
    "MetadataParam",
    "MissingCredentialsError",
    "NOT_GIVEN",
    "NotFoundError",
    "NotGiven",
    "Omit",
    "OutputChunk",
    "OutputProblem",
    "OutputValidationError",
    "OverloadedError",
    "ParsedMessage",
    "ParsedMessageStream",
    "ParsedMessageStreamManager",
    "ParsedTextBlock",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "RateLimits",
    "RawMessageStreamEvent",
    "RedactedThinkingBlock",
    "ReplaceInput",
    "RequestRecord",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "RetryOutput",
    "RunFinished",
    "RunLimitExceeded",
    "RunLockedError",
    "RunResult",
    "RunUsage",
    "ServerToolUseBlock",
    "ServiceUnavailableError",
    "SignatureEvent",
    "StopReason",
    "Stream",
    "StreamProtocolError",
    "TextBlock",
    "TextBlockParam",
    "TextChunk",
    "TextEvent",
    "ThinkingBlock",
    "ThinkingChunk",
    "ThinkingConfigParam",
    "ThinkingEvent",
    "Tool",
    "ToolCall",
    "ToolCallFinished",
    "ToolCallRecord",
    "ToolCallStarted",
    "ToolChoiceParam",
    "ToolContext",
    "ToolDecision",
    "ToolDefinitionWarning",
    "ToolError",
    "ToolParam",
    "ToolResult",
    "ToolResultBlockParam",
    "ToolUseBlock",
    "ToolUseBlockParam",
    "Toolbox",
    "TurnFinished",
    "UncertainDeliveryError",
    "UnprocessableEntityError",
    "Usage",
    "UsageError",
    "__version__",
    "allow",
    "deny",
    "omit",
    "replace_input",
    "save_map_html",
    "tool",
]


_SUBMODULES = frozenset({"agent", "cli", "testing", "tools", "types"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # `agentkit.types.Message` works without importing it first
        return importlib.import_module(f".{name}", __name__)
    return lazy_attribute(globals(), __name__, _LAZY, name)


def __dir__() -> list[str]:
    return sorted(__all__)

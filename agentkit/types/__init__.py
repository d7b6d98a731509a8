"""Wire-format types of the Anthropic Messages API.

- Response models (pydantic): `Message` and its content blocks (`ContentBlock`), `Usage`, and the
  raw streaming events (`RawMessageStreamEvent`). Unknown block, delta and event types parse as
  `UnknownBlock`, `UnknownDelta` and `UnknownEvent`; unknown fields are kept everywhere.
- Request parameters (`TypedDict`s): `MessageParam`, `ContentBlockParam`, `ToolParam`,
  `ToolChoiceParam`, `ThinkingConfigParam` and the rest; build them as plain dict literals.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batches import DeletedMessageBatch as DeletedMessageBatch
    from .batches import ErrorResponse as ErrorResponse
    from .batches import MessageBatch as MessageBatch
    from .batches import MessageBatchCanceledResult as MessageBatchCanceledResult
    from .batches import MessageBatchErroredResult as MessageBatchErroredResult
    from .batches import MessageBatchExpiredResult as MessageBatchExpiredResult
    from .batches import MessageBatchIndividualResponse as MessageBatchIndividualResponse
    from .batches import MessageBatchRequestCounts as MessageBatchRequestCounts
    from .batches import MessageBatchRequestParam as MessageBatchRequestParam
    from .batches import MessageBatchResult as MessageBatchResult
    from .batches import MessageBatchSucceededResult as MessageBatchSucceededResult
    from .batches import MessageBatchUnknownResult as MessageBatchUnknownResult
    from .batches import ProcessingStatus as ProcessingStatus
    from .content import KNOWN_CONTENT_BLOCK_TYPES as KNOWN_CONTENT_BLOCK_TYPES
    from .content import BashCodeExecutionToolResultBlock as BashCodeExecutionToolResultBlock
    from .content import Caller as Caller
    from .content import CitationCharLocation as CitationCharLocation
    from .content import CitationContentBlockLocation as CitationContentBlockLocation
    from .content import CitationPageLocation as CitationPageLocation
    from .content import CitationsSearchResultLocation as CitationsSearchResultLocation
    from .content import CitationsWebSearchResultLocation as CitationsWebSearchResultLocation
    from .content import CodeExecutionToolResultBlock as CodeExecutionToolResultBlock
    from .content import ContainerUploadBlock as ContainerUploadBlock
    from .content import ContentBlock as ContentBlock
    from .content import DirectCaller as DirectCaller
    from .content import MCPToolListingBlock as MCPToolListingBlock
    from .content import MCPToolResultBlock as MCPToolResultBlock
    from .content import MCPToolUseBlock as MCPToolUseBlock
    from .content import RedactedThinkingBlock as RedactedThinkingBlock
    from .content import ServerToolCaller as ServerToolCaller
    from .content import ServerToolUseBlock as ServerToolUseBlock
    from .content import TextBlock as TextBlock
    from .content import TextCitation as TextCitation
    from .content import (
        TextEditorCodeExecutionToolResultBlock as TextEditorCodeExecutionToolResultBlock,
    )
    from .content import ThinkingBlock as ThinkingBlock
    from .content import ToolSearchToolResultBlock as ToolSearchToolResultBlock
    from .content import ToolUseBlock as ToolUseBlock
    from .content import UnknownBlock as UnknownBlock
    from .content import UnknownCaller as UnknownCaller
    from .content import UnknownCitation as UnknownCitation
    from .content import WebFetchToolResultBlock as WebFetchToolResultBlock
    from .content import WebSearchToolResultBlock as WebSearchToolResultBlock
    from .message import CacheCreation as CacheCreation
    from .message import Container as Container
    from .message import Diagnostics as Diagnostics
    from .message import Message as Message
    from .message import MessageTokensCount as MessageTokensCount
    from .message import OutputTokensDetails as OutputTokensDetails
    from .message import ServerToolUsage as ServerToolUsage
    from .message import StopDetails as StopDetails
    from .message import StopReason as StopReason
    from .message import Usage as Usage
    from .models import ModelInfo as ModelInfo
    from .params import AllowedCaller as AllowedCaller
    from .params import Base64ImageSource as Base64ImageSource
    from .params import Base64ImageSourceParam as Base64ImageSourceParam
    from .params import Base64PDFSource as Base64PDFSource
    from .params import Base64PDFSourceParam as Base64PDFSourceParam
    from .params import (
        BashCodeExecutionToolResultBlockParam as BashCodeExecutionToolResultBlockParam,
    )
    from .params import BashToolParam as BashToolParam
    from .params import CacheControlEphemeral as CacheControlEphemeral
    from .params import CacheControlEphemeralParam as CacheControlEphemeralParam
    from .params import CallerParam as CallerParam
    from .params import CitationCharLocationParam as CitationCharLocationParam
    from .params import CitationContentBlockLocationParam as CitationContentBlockLocationParam
    from .params import CitationPageLocationParam as CitationPageLocationParam
    from .params import CitationsConfigParam as CitationsConfigParam
    from .params import CitationSearchResultLocationParam as CitationSearchResultLocationParam
    from .params import CitationWebSearchResultLocationParam as CitationWebSearchResultLocationParam
    from .params import CodeExecutionToolParam as CodeExecutionToolParam
    from .params import CodeExecutionToolResultBlockParam as CodeExecutionToolResultBlockParam
    from .params import ContainerParam as ContainerParam
    from .params import ContainerUploadBlockParam as ContainerUploadBlockParam
    from .params import ContentBlockParam as ContentBlockParam
    from .params import ContentBlockSource as ContentBlockSource
    from .params import ContentBlockSourceContentParam as ContentBlockSourceContentParam
    from .params import DiagnosticsParam as DiagnosticsParam
    from .params import DirectCallerParam as DirectCallerParam
    from .params import DocumentBlockParam as DocumentBlockParam
    from .params import DocumentSource as DocumentSource
    from .params import FileDocumentSource as FileDocumentSource
    from .params import FileImageSource as FileImageSource
    from .params import ImageBlockParam as ImageBlockParam
    from .params import ImageSource as ImageSource
    from .params import ImageTransformationsParam as ImageTransformationsParam
    from .params import JSONOutputFormatParam as JSONOutputFormatParam
    from .params import MCPServerURLDefinitionParam as MCPServerURLDefinitionParam
    from .params import MCPToolListingBlockParam as MCPToolListingBlockParam
    from .params import MCPToolResultBlockParam as MCPToolResultBlockParam
    from .params import MCPToolsetParam as MCPToolsetParam
    from .params import MCPToolUseBlockParam as MCPToolUseBlockParam
    from .params import MemoryToolParam as MemoryToolParam
    from .params import MessageParam as MessageParam
    from .params import MetadataParam as MetadataParam
    from .params import ModelParam as ModelParam
    from .params import OutputConfigParam as OutputConfigParam
    from .params import PlainTextSource as PlainTextSource
    from .params import PlainTextSourceParam as PlainTextSourceParam
    from .params import RedactedThinkingBlockParam as RedactedThinkingBlockParam
    from .params import SearchResultBlockParam as SearchResultBlockParam
    from .params import ServerToolCallerParam as ServerToolCallerParam
    from .params import ServerToolUseBlockParam as ServerToolUseBlockParam
    from .params import SkillParam as SkillParam
    from .params import TextBlockParam as TextBlockParam
    from .params import TextCitationParam as TextCitationParam
    from .params import (
        TextEditorCodeExecutionToolResultBlockParam as TextEditorCodeExecutionToolResultBlockParam,
    )
    from .params import TextEditorToolParam as TextEditorToolParam
    from .params import ThinkingBlockParam as ThinkingBlockParam
    from .params import ThinkingConfigAdaptiveParam as ThinkingConfigAdaptiveParam
    from .params import ThinkingConfigBetweenToolsParam as ThinkingConfigBetweenToolsParam
    from .params import ThinkingConfigDisabledParam as ThinkingConfigDisabledParam
    from .params import ThinkingConfigEnabledParam as ThinkingConfigEnabledParam
    from .params import ThinkingConfigParam as ThinkingConfigParam
    from .params import ToolChoiceAnyParam as ToolChoiceAnyParam
    from .params import ToolChoiceAutoParam as ToolChoiceAutoParam
    from .params import ToolChoiceNoneParam as ToolChoiceNoneParam
    from .params import ToolChoiceParam as ToolChoiceParam
    from .params import ToolChoiceToolParam as ToolChoiceToolParam
    from .params import ToolInputSchema as ToolInputSchema
    from .params import ToolParam as ToolParam
    from .params import ToolReferenceBlockParam as ToolReferenceBlockParam
    from .params import ToolResultBlockParam as ToolResultBlockParam
    from .params import ToolResultContentParam as ToolResultContentParam
    from .params import ToolSearchToolParam as ToolSearchToolParam
    from .params import ToolSearchToolResultBlockParam as ToolSearchToolResultBlockParam
    from .params import ToolsetParam as ToolsetParam
    from .params import ToolUnionParam as ToolUnionParam
    from .params import ToolUseBlockParam as ToolUseBlockParam
    from .params import URLImageSource as URLImageSource
    from .params import URLImageSourceParam as URLImageSourceParam
    from .params import URLPDFSource as URLPDFSource
    from .params import URLPDFSourceParam as URLPDFSourceParam
    from .params import UserLocationParam as UserLocationParam
    from .params import WebFetchToolParam as WebFetchToolParam
    from .params import WebFetchToolResultBlockParam as WebFetchToolResultBlockParam
    from .params import WebSearchToolParam as WebSearchToolParam
    from .params import WebSearchToolResultBlockParam as WebSearchToolResultBlockParam
    from .parsed_message import ParsedMessage as ParsedMessage
    from .parsed_message import ParsedTextBlock as ParsedTextBlock
    from .request_params import ListParams as ListParams
    from .request_params import MessageCountTokensParams as MessageCountTokensParams
    from .request_params import MessageCreateParams as MessageCreateParams
    from .request_params import MessageCreateParamsNonStreaming as MessageCreateParamsNonStreaming
    from .request_params import MessageCreateParamsStreaming as MessageCreateParamsStreaming
    from .request_params import RequestOptions as RequestOptions
    from .stream_events import KNOWN_DELTA_TYPES as KNOWN_DELTA_TYPES
    from .stream_events import KNOWN_EVENT_TYPES as KNOWN_EVENT_TYPES
    from .stream_events import CitationsDelta as CitationsDelta
    from .stream_events import ErrorEvent as ErrorEvent
    from .stream_events import ErrorObject as ErrorObject
    from .stream_events import InputJSONDelta as InputJSONDelta
    from .stream_events import MessageDelta as MessageDelta
    from .stream_events import MessageDeltaUsage as MessageDeltaUsage
    from .stream_events import PingEvent as PingEvent
    from .stream_events import RawContentBlockDelta as RawContentBlockDelta
    from .stream_events import RawContentBlockDeltaEvent as RawContentBlockDeltaEvent
    from .stream_events import RawContentBlockStartEvent as RawContentBlockStartEvent
    from .stream_events import RawContentBlockStopEvent as RawContentBlockStopEvent
    from .stream_events import RawMessageDeltaEvent as RawMessageDeltaEvent
    from .stream_events import RawMessageStartEvent as RawMessageStartEvent
    from .stream_events import RawMessageStopEvent as RawMessageStopEvent
    from .stream_events import RawMessageStreamEvent as RawMessageStreamEvent
    from .stream_events import SignatureDelta as SignatureDelta
    from .stream_events import TextDelta as TextDelta
    from .stream_events import ThinkingDelta as ThinkingDelta
    from .stream_events import UnknownDelta as UnknownDelta
    from .stream_events import UnknownEvent as UnknownEvent

# Each module's public names; a module is imported the first time one of its names is used,
# so code that only needs `Message` never pays for the request TypedDicts or stream events.
_MODULE_NAMES: dict[str, str] = {
    "content": """
        KNOWN_CONTENT_BLOCK_TYPES
        BashCodeExecutionToolResultBlock
        Caller
        CitationCharLocation
        CitationContentBlockLocation
        CitationPageLocation
        CitationsSearchResultLocation
        CitationsWebSearchResultLocation
        CodeExecutionToolResultBlock
        ContainerUploadBlock
        ContentBlock
        MCPToolListingBlock
        MCPToolResultBlock
        MCPToolUseBlock
        DirectCaller
        RedactedThinkingBlock
        ServerToolCaller
        ServerToolUseBlock
        TextBlock
        TextCitation
        TextEditorCodeExecutionToolResultBlock
        ThinkingBlock
        ToolSearchToolResultBlock
        ToolUseBlock
        UnknownBlock
        UnknownCaller
        UnknownCitation
        WebFetchToolResultBlock
        WebSearchToolResultBlock
    """,
    "message": """
        CacheCreation
        Container
        Diagnostics
        Message
        MessageTokensCount
        OutputTokensDetails
        ServerToolUsage
        StopDetails
        StopReason
        Usage
    """,
    "params": """
        Base64ImageSourceParam
        URLImageSourceParam
        Base64PDFSourceParam
        URLPDFSourceParam
        PlainTextSourceParam
        AllowedCaller
        Base64ImageSource
        Base64PDFSource
        BashCodeExecutionToolResultBlockParam
        BashToolParam
        CacheControlEphemeral
        CacheControlEphemeralParam
        CallerParam
        CitationCharLocationParam
        CitationContentBlockLocationParam
        CitationPageLocationParam
        CitationsConfigParam
        CitationSearchResultLocationParam
        CitationWebSearchResultLocationParam
        CodeExecutionToolParam
        CodeExecutionToolResultBlockParam
        ContainerParam
        ContainerUploadBlockParam
        MCPServerURLDefinitionParam
        MCPToolListingBlockParam
        MCPToolResultBlockParam
        MCPToolUseBlockParam
        MCPToolsetParam
        ContentBlockParam
        ContentBlockSource
        ContentBlockSourceContentParam
        DiagnosticsParam
        DirectCallerParam
        DocumentBlockParam
        DocumentSource
        FileDocumentSource
        FileImageSource
        ImageBlockParam
        ImageSource
        ImageTransformationsParam
        JSONOutputFormatParam
        MemoryToolParam
        MessageParam
        MetadataParam
        ModelParam
        OutputConfigParam
        PlainTextSource
        RedactedThinkingBlockParam
        SearchResultBlockParam
        ServerToolCallerParam
        ServerToolUseBlockParam
        SkillParam
        TextBlockParam
        TextCitationParam
        TextEditorCodeExecutionToolResultBlockParam
        TextEditorToolParam
        ThinkingBlockParam
        ThinkingConfigAdaptiveParam
        ThinkingConfigBetweenToolsParam
        ThinkingConfigDisabledParam
        ThinkingConfigEnabledParam
        ThinkingConfigParam
        ToolChoiceAnyParam
        ToolChoiceAutoParam
        ToolChoiceNoneParam
        ToolChoiceParam
        ToolChoiceToolParam
        ToolInputSchema
        ToolParam
        ToolReferenceBlockParam
        ToolResultBlockParam
        ToolResultContentParam
        ToolSearchToolParam
        ToolSearchToolResultBlockParam
        ToolsetParam
        ToolUnionParam
        ToolUseBlockParam
        URLImageSource
        URLPDFSource
        UserLocationParam
        WebFetchToolParam
        WebFetchToolResultBlockParam
        WebSearchToolParam
        WebSearchToolResultBlockParam
    """,
    "stream_events": """
        KNOWN_DELTA_TYPES
        KNOWN_EVENT_TYPES
        CitationsDelta
        ErrorEvent
        ErrorObject
        InputJSONDelta
        MessageDelta
        MessageDeltaUsage
        PingEvent
        RawContentBlockDelta
        RawContentBlockDeltaEvent
        RawContentBlockStartEvent
        RawContentBlockStopEvent
        RawMessageDeltaEvent
        RawMessageStartEvent
        RawMessageStopEvent
        RawMessageStreamEvent
        SignatureDelta
        TextDelta
        ThinkingDelta
        UnknownDelta
        UnknownEvent
    """,
    "parsed_message": """
        ParsedMessage
        ParsedTextBlock
    """,
    "batches": """
        DeletedMessageBatch
        ErrorResponse
        MessageBatch
        MessageBatchCanceledResult
        MessageBatchErroredResult
        MessageBatchExpiredResult
        MessageBatchIndividualResponse
        MessageBatchRequestCounts
        MessageBatchRequestParam
        MessageBatchResult
        MessageBatchSucceededResult
        MessageBatchUnknownResult
        ProcessingStatus
    """,
    "models": """
        ModelInfo
    """,
    "request_params": """
        ListParams
        MessageCountTokensParams
        MessageCreateParams
        MessageCreateParamsNonStreaming
        MessageCreateParamsStreaming
        RequestOptions
    """,
}
_LAZY: dict[str, str] = {
    name: module for module, names in _MODULE_NAMES.items() for name in names.split()
}

__all__ = [
    "AllowedCaller",
    "Base64ImageSource",
    "Base64ImageSourceParam",
    "Base64PDFSource",
    "Base64PDFSourceParam",
    "BashCodeExecutionToolResultBlock",
    "BashCodeExecutionToolResultBlockParam",
    "BashToolParam",
    "CacheControlEphemeral",
    "CacheControlEphemeralParam",
    "CacheCreation",
    "Caller",
    "CallerParam",
    "CitationCharLocation",
    "CitationCharLocationParam",
    "CitationContentBlockLocation",
    "CitationContentBlockLocationParam",
    "CitationPageLocation",
    "CitationPageLocationParam",
    "CitationSearchResultLocationParam",
    "CitationWebSearchResultLocationParam",
    "CitationsConfigParam",
    "CitationsDelta",
    "CitationsSearchResultLocation",
    "CitationsWebSearchResultLocation",
    "CodeExecutionToolParam",
    "CodeExecutionToolResultBlock",
    "CodeExecutionToolResultBlockParam",
    "Container",
    "ContainerParam",
    "ContainerUploadBlock",
    "ContainerUploadBlockParam",
    "ContentBlock",
    "ContentBlockParam",
    "ContentBlockSource",
    "ContentBlockSourceContentParam",
    "DeletedMessageBatch",
    "Diagnostics",
    "DiagnosticsParam",
    "DirectCaller",
    "DirectCallerParam",
    "DocumentBlockParam",
    "DocumentSource",
    "ErrorEvent",
    "ErrorObject",
    "ErrorResponse",
    "FileDocumentSource",
    "FileImageSource",
    "ImageBlockParam",
    "ImageSource",
    "ImageTransformationsParam",
    "InputJSONDelta",
    "JSONOutputFormatParam",
    "KNOWN_CONTENT_BLOCK_TYPES",
    "KNOWN_DELTA_TYPES",
    "KNOWN_EVENT_TYPES",
    "ListParams",
    "MCPServerURLDefinitionParam",
    "MCPToolListingBlock",
    "MCPToolListingBlockParam",
    "MCPToolResultBlock",
    "MCPToolResultBlockParam",
    "MCPToolUseBlock",
    "MCPToolUseBlockParam",
    "MCPToolsetParam",
    "MemoryToolParam",
    "Message",
    "MessageBatch",
    "MessageBatchCanceledResult",
    "MessageBatchErroredResult",
    "MessageBatchExpiredResult",
    "MessageBatchIndividualResponse",
    "MessageBatchRequestCounts",
    "MessageBatchRequestParam",
    "MessageBatchResult",
    "MessageBatchSucceededResult",
    "MessageBatchUnknownResult",
    "MessageCountTokensParams",
    "MessageCreateParams",
    "MessageCreateParamsNonStreaming",
    "MessageCreateParamsStreaming",
    "MessageDelta",
    "MessageDeltaUsage",
    "MessageParam",
    "MessageTokensCount",
    "MetadataParam",
    "ModelInfo",
    "ModelParam",
    "OutputConfigParam",
    "OutputTokensDetails",
    "ParsedMessage",
    "ParsedTextBlock",
    "PingEvent",
    "PlainTextSource",
    "PlainTextSourceParam",
    "ProcessingStatus",
    "RawContentBlockDelta",
    "RawContentBlockDeltaEvent",
    "RawContentBlockStartEvent",
    "RawContentBlockStopEvent",
    "RawMessageDeltaEvent",
    "RawMessageStartEvent",
    "RawMessageStopEvent",
    "RawMessageStreamEvent",
    "RedactedThinkingBlock",
    "RedactedThinkingBlockParam",
    "RequestOptions",
    "SearchResultBlockParam",
    "ServerToolCaller",
    "ServerToolCallerParam",
    "ServerToolUsage",
    "ServerToolUseBlock",
    "ServerToolUseBlockParam",
    "SignatureDelta",
    "SkillParam",
    "StopDetails",
    "StopReason",
    "TextBlock",
    "TextBlockParam",
    "TextCitation",
    "TextCitationParam",
    "TextDelta",
    "TextEditorCodeExecutionToolResultBlock",
    "TextEditorCodeExecutionToolResultBlockParam",
    "TextEditorToolParam",
    "ThinkingBlock",
    "ThinkingBlockParam",
    "ThinkingConfigAdaptiveParam",
    "ThinkingConfigBetweenToolsParam",
    "ThinkingConfigDisabledParam",
    "ThinkingConfigEnabledParam",
    "ThinkingConfigParam",
    "ThinkingDelta",
    "ToolChoiceAnyParam",
    "ToolChoiceAutoParam",
    "ToolChoiceNoneParam",
    "ToolChoiceParam",
    "ToolChoiceToolParam",
    "ToolInputSchema",
    "ToolParam",
    "ToolReferenceBlockParam",
    "ToolResultBlockParam",
    "ToolResultContentParam",
    "ToolSearchToolParam",
    "ToolSearchToolResultBlock",
    "ToolSearchToolResultBlockParam",
    "ToolUnionParam",
    "ToolUseBlock",
    "ToolUseBlockParam",
    "ToolsetParam",
    "URLImageSource",
    "URLImageSourceParam",
    "URLPDFSource",
    "URLPDFSourceParam",
    "UnknownBlock",
    "UnknownCaller",
    "UnknownCitation",
    "UnknownDelta",
    "UnknownEvent",
    "Usage",
    "UserLocationParam",
    "WebFetchToolParam",
    "WebFetchToolResultBlock",
    "WebFetchToolResultBlockParam",
    "WebSearchToolParam",
    "WebSearchToolResultBlock",
    "WebSearchToolResultBlockParam",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agentkit.types' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""Names vulture reports as unused in agentkit/ that are used: its false positives.

`scripts/check` runs `vulture` (configured in pyproject.toml: agentkit/ and this file, every
confidence). A name listed here counts as used wherever it is defined, so list only names that
are used from outside agentkit's own code, or by name, and say why. Dead code is deleted, not
listed. The file is never run; `_.name` merely uses `name` for vulture.
"""


class _Uses:
    def __getattr__(self, name: str) -> None:
        return None


_ = _Uses()

# --- protocols: called or read by Python and libraries, not by agentkit's code ---------------

_.__getattr__  # module-level lazy attributes (PEP 562): agentkit, agentkit.types
_.__dir__  # the same modules' dir() (PEP 562)
_.__cause__  # exception chaining: read by traceback and by callers
_.__signature__  # read by inspect.signature (the messages methods' documented parameters)
_.exc_type  # __exit__ / __aexit__ parameters, fixed by the protocol
_.tb  # idem
_.do_GET  # http.server.BaseHTTPRequestHandler: called per request method (testing.server)
_.do_POST  # idem
_.do_DELETE  # idem (DELETE /v1/messages/batches/{id})
_.protocol_version  # BaseHTTPRequestHandler setting: HTTP/1.1 keep-alive
_.disable_nagle_algorithm  # BaseHTTPRequestHandler setting
_.request_queue_size  # socketserver.TCPServer setting: the listen backlog (testing.server)
_._init_transport  # httpx.AsyncClient hooks, overridden by DefaultAioHttpClient
_._init_proxy_transport  # idem
_.http1  # httpx.AsyncClient._init_transport parameters, fixed by httpx (DefaultAioHttpClient)
_.http2  # idem
_.close_connection  # read by BaseHTTPRequestHandler after each request
_.daemon_threads  # socketserver.ThreadingMixIn setting
_.allow_reuse_address  # socketserver.TCPServer setting
_.pytest_addoption  # pytest hook (agentkit.testing.pytest_plugin)
_.field_title_should_be_set  # pydantic GenerateJsonSchema override: pydantic calls it
_.model_config  # pydantic model configuration

# --- used by name in a string -----------------------------------------------------------------

_._deferred  # Tool: self.__dict__.pop("_deferred") builds a deferred tool on first use

# --- public API: for applications, not called inside agentkit ----------------------------------

# clients, responses, streams, errors (the official SDK's surface)
_.with_options
_.with_raw_response
_.with_streaming_response
_.text_stream
_.get_final_text
_.current_message_snapshot
_.output_stream  # ParsedMessageStream: the output as it streams
_.rate_limits
_.http_request  # APIResponse (as the SDK's)
_.remaining  # RateLimit.remaining; ScriptedModel.remaining
_.priority_input_tokens  # RateLimits fields
_.priority_output_tokens
_.error_message
_.workspace_id
_.run_state  # on an APIError raised inside an agent run: the run so far, to resume
# agents
_.output_validator
_.rejected  # RateLimits.rejected: 429s an offline model answered, for tests and benchmarks
_.map_all  # Agent.map_all / AsyncAgent.map_all: every result and the summary
# journal (Journal, RunInfo)
_.prune
_.created

# tools
_.from_schema
_.from_model
_.from_object
_.run_all
_.arun
_.arun_all
_.output  # ToolResult fields
_.ran
# agentkit.mcp
_.is_open
# typed output (OutputSpec): the schemas that messages.parse and agents send
# agentkit.testing
_.tool_names
_.error_status  # Fault constructors
_.error_event
# agentkit.types
_.raw_input_json

# --- wire fields: pydantic response models and TypedDict request params -----------------------
# Read and written by pydantic and by applications as JSON keys, never as attributes here.

_.allowed_callers
_.allowed_domains
_.authorization_token
_.blocked_domains
_.budget_tokens
_.cache_creation
_.cache_miss_reason
_.caller
_.category
_.cited_text
_.city
_.configs
_.country
_.default_config
_.defer_loading
_.diagnostics
_.disable_parallel_tool_use
_.display
_.document_index
_.document_title
_.eager_input_streaming
_.effort
_.enabled
_.encrypted_index
_.end_block_index
_.end_char_index
_.end_page_number
_.ephemeral_1h_input_tokens
_.ephemeral_5m_input_tokens
_.expires_at
_.explanation
_.file_id
_.inference_geo
_.input_examples
_.max_characters
_.max_content_tokens
_.max_uses
_.mcp_server_name
_.mcp_servers
_.metadata
_.output_config
_.output_tokens_details
_.oversized_image
_.previous_message_id
_.region
_.response_inclusion
_.search_result_index
_.server_name
_.server_tool_use
_.service_tier
_.skill_id
_.skills
_.source
_.speed
_.start_block_index
_.start_char_index
_.start_page_number
_.stop_details
_.stop_sequences
_.temperature
_.thinking_tokens
_.timezone
_.tool_configuration
_.tool_id
_.toolset_name
_.top_k
_.top_p
_.transformations
_.ttl
_.url_sources
_.use_cache
_.user_id
_.user_location
_.user_profile_id
_.web_fetch_requests
_.web_search_requests

# --- Message Batches and Models: public methods and wire fields (agentkit.types.batches/models)
_.cancel  # client.messages.batches.cancel (public API)
_.delete  # client.messages.batches.delete (public API)
_.poll  # RecordedSleeps.poll: read by tests through record_sleeps() (getattr by Sleep.kind)
_.processing  # MessageBatchRequestCounts fields (wire format)
_.succeeded  # idem
_.errored  # idem
_.canceled  # idem
_.expired  # idem
_.request_counts  # MessageBatch fields (wire format)
_.created_at  # idem (also ModelInfo)
_.ended_at  # idem
_.cancel_initiated_at  # idem
_.archived_at  # idem
_.display_name  # ModelInfo fields (wire format)
_.lifecycle  # idem
_.deprecated_at  # idem
_.retires_at  # idem
_.capabilities  # idem
_._not_a_known_type  # a pydantic field validator (MessageBatchUnknownResult), called by pydantic
_.message_id  # RequestRecord field: read through to_dict() (getattr by name) and by users
_.message_index  # idem (the run timeline page reads it from the JSON data)
_.save_html  # RunResult.save_html: public API, called by users and the docs snippets

from __future__ import annotations

import copy
import pickle

from agentkit import NOT_GIVEN, NotGiven
from agentkit.types import MessageCreateParams, MessageCreateParamsStreaming


def test_not_given_is_a_falsy_singleton() -> None:
    assert NotGiven() is NOT_GIVEN
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert copy.deepcopy(NOT_GIVEN) is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


def test_create_params_typed_dicts_know_their_required_keys() -> None:
    assert MessageCreateParams.__required_keys__ == {"model", "messages", "max_tokens"}
    assert MessageCreateParamsStreaming.__required_keys__ == {
        "model",
        "messages",
        "max_tokens",
        "stream",
    }
    assert {"extra_headers", "timeout", "output_config", "container"} <= (
        MessageCreateParams.__optional_keys__
    )
